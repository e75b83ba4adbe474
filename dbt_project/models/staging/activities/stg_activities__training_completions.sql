with

source as (

    select * from {{ source('activities', 'training_completions') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('employee_id') }} as employee_id,

        ---------- codes
        upper({{ to_text('course_code') }}) as course_code,

        ---------- timestamps: the connector admits only instants with their UTC offset
        {{ iso8601_to_utc(to_text('completed_at')) }} as completed_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
