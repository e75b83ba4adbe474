with

source as (

    select * from {{ source('taobao', 'taobao_item_metrics') }}

),

typed as (

    select
        ---------- keys
        {{ to_date('stat_date') }} as report_date,
        {{ to_text('item_id') }} as item_id,
        -- 商家编码: the shop's own product_id (blank when the operator did not set it)
        {{ to_text('outer_id') }} as outer_id,
        {{ to_text('item_name') }} as item_name,

        ---------- numerics
        {{ to_integer('visitors') }} as visitors,
        {{ to_integer('page_views') }} as page_views,
        {{ to_decimal('avg_stay_seconds', 18, 4) }} as avg_stay_seconds,
        {{ to_integer('favorite_buyers') }} as favorite_buyers,
        {{ to_integer('cart_units') }} as cart_units,
        {{ to_integer('pay_buyers') }} as pay_buyers,
        {{ to_decimal('bounce_rate', 18, 6) }} as bounce_rate,
        {{ to_decimal('pay_conversion_rate', 18, 6) }} as pay_conversion_rate,

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
        -- the item's detail page on Taobao (item.taobao.com/item.htm?id=...), for items not in the registry
        {{ dbt.concat(["'/item.htm?id='", 'item_id']) }} as page_path,
        -- Sycm's average stay is per visitor: visitors x average gives back the day's total seconds
        cast(round(visitors * avg_stay_seconds) as {{ dbt.type_bigint() }}) as engagement_seconds
    from typed

)

select * from final
