with

source as (

    select * from {{ source('ga4', 'ga4_page_daily') }}

),

renamed as (

    select
        ---------- keys
        {{ yyyymmdd_to_date(to_text('report_date')) }} as report_date,
        {{ to_text('page_path') }} as page_path,

        ---------- numerics
        {{ to_integer('sessions') }} as sessions,
        {{ to_integer('screen_page_views') }} as screen_page_views,
        {{ to_integer('user_engagement_duration') }} as engagement_seconds,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
