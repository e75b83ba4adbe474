with

source as (

    select * from {{ source('activities', 'activity_feedback') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('activity_id') }} as activity_id,
        {{ to_text('employee_id') }} as employee_id,

        ---------- measures: the connector admits only whole scores 1-5
        cast({{ to_text('score') }} as integer) as score,

        ---------- timestamps: the connector admits only instants with their UTC offset
        {{ iso8601_to_utc(to_text('submitted_at')) }} as submitted_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
