with

source as (

    select * from {{ source('planning', 'service_inquiries_hourly') }}

),

renamed as (

    select
        ---------- timestamps (naive, the company time zone)
        cast({{ to_text('hour_start_local') }} as timestamp) as hour_start_local,

        ---------- numerics
        {{ to_integer('inquiries') }} as inquiries,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
