with

source as (

    select * from {{ source('ga4', 'ga4_page_events') }}

),

renamed as (

    select
        ---------- keys
        {{ yyyymmdd_to_date(to_text('report_date')) }} as report_date,
        {{ to_text('page_path') }} as page_path,
        {{ to_text('event_name') }} as event_name,

        ---------- numerics
        {{ to_integer('event_count') }} as event_count,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
