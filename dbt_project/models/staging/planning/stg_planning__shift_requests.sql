with

source as (

    select * from {{ source('planning', 'shift_requests') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('request_id') }} as request_id,
        {{ to_text('employee_id') }} as employee_id,
        upper({{ to_text('requested_shift_code') }}) as requested_shift_code,

        ---------- dates
        {{ to_date('requested_week_start') }} as requested_week_start,

        ---------- timestamps: 'YYYY-MM-DD HH:MM:SS' is company-local wall-clock time (the connector accepts
        ---------- nothing else without an offset); longer values carry their offset
        case
            when {{ dbt.length(to_text('submitted_at')) }} = 19
                then {{ local_to_utc(to_text('submitted_at'), var('timezone')) }}
            else {{ iso8601_to_utc(to_text('submitted_at')) }}
        end as submitted_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
