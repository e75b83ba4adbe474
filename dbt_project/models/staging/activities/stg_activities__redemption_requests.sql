with

source as (

    select * from {{ source('activities', 'redemption_requests') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('request_id') }} as request_id,
        {{ to_text('employee_id') }} as employee_id,

        ---------- codes
        upper({{ to_text('item_code') }}) as item_code,

        ---------- timestamps: the connector admits only instants with their UTC offset
        {{ iso8601_to_utc(to_text('requested_at')) }} as requested_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
