with

source as (

    select * from {{ source('ga4', 'ga4_creative_daily') }}

),

renamed as (

    select
        ---------- keys
        {{ yyyymmdd_to_date(to_text('report_date')) }} as report_date,
        -- the promotion's creative name is the registry's creative_id
        {{ to_text('creative_name') }} as creative_id,

        ---------- numerics
        {{ to_integer('items_viewed_in_promotion') }} as impressions,
        {{ to_integer('items_clicked_in_promotion') }} as clicks,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
