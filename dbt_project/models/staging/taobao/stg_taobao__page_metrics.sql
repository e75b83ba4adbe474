with

source as (

    select * from {{ source('taobao', 'taobao_page_metrics') }}

),

typed as (

    select
        ---------- keys
        {{ to_date('stat_date') }} as report_date,
        {{ to_text('page_id') }} as page_id,
        {{ to_text('page_name') }} as page_name,
        {{ to_text('page_type') }} as page_type,

        ---------- numerics
        {{ to_integer('page_views') }} as page_views,
        {{ to_integer('visitors') }} as visitors,
        {{ to_integer('clicks') }} as clicks,
        {{ to_integer('click_visitors') }} as click_visitors,
        {{ to_decimal('click_rate', 18, 6) }} as click_rate,
        {{ to_decimal('avg_stay_seconds', 18, 4) }} as avg_stay_seconds,
        {{ to_decimal('bounce_rate', 18, 6) }} as bounce_rate,

        ---------- the period the export states
        {{ to_date('period_start') }} as period_start,
        {{ to_date('period_end') }} as period_end,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

),

final as (

    select
        *,
        -- the shop names each designed page "<creative_id> <title>", as it names its GA4 promotions
        {{ dbt.split_part('page_name', "' '", 1) }} as creative_id
    from typed

)

select * from final
