{#-
  Per-creative drill-down of the contribution dashboard (seed 004): fct_creative_performance_weekly plus the
  creative's orders credited once per order (order_credit_share: an order on two products is split between them),
  its share of its product's orders, the money those orders bring in the project's currency, and flags.
  A creative live on no page (its product is not in the registry or has no page) still shows, with its clicks
  (usually zero) and is_live_on_no_page; rates are null rather than divided by zero.
-#}
{{ config(materialized='table') }}

with

creative_weeks as (

    select * from {{ ref('fct_creative_performance_weekly') }}

),

products as (

    select product_id, page_path from {{ ref('int_products_deduplicated') }}

),

credits as (

    select * from {{ ref('int_orders_credited_to_creatives') }}

),

attribution as (

    select * from {{ ref('rpt_order_attribution') }}

),

creative_credits as (

    select
        credits.creative_id,
        credits.week_start,
        sum(credits.order_credit_share) as credited_orders,
        sum(credits.credit_share * attribution.amount_in_project_currency) as credited_revenue,
        count(distinct case when attribution.currency_flag = 'currency_mismatch' then credits.order_id end)
            as foreign_currency_orders
    from credits
    inner join attribution
        on credits.order_id = attribution.order_id
        and credits.shopify_product_id = attribution.shopify_product_id
    where credits.creative_id is not null
    group by credits.creative_id, credits.week_start

),

product_credits as (

    select
        product_id,
        week_start,
        sum(order_credit_share) as product_credited_orders
    from credits
    where product_id is not null
    group by product_id, week_start

),

final as (

    select
        cast(creative_weeks.creative_id as {{ dbt.type_string() }}) as creative_id,
        cast(creative_weeks.week_start as date) as week_start,
        cast(creative_weeks.designer_id as {{ dbt.type_string() }}) as designer_id,
        cast(creative_weeks.product_id as {{ dbt.type_string() }}) as product_id,
        cast(creative_weeks.project_id as {{ dbt.type_string() }}) as project_id,
        cast(products.page_path as {{ dbt.type_string() }}) as page_path,
        cast(creative_weeks.impressions as bigint) as impressions,
        cast(creative_weeks.clicks as bigint) as clicks,
        cast(creative_weeks.ctr as numeric(18, 6)) as ctr,
        cast(creative_weeks.sessions as bigint) as sessions,
        cast(creative_weeks.favorites as bigint) as favorites,
        cast(creative_weeks.favorites_rate as numeric(18, 6)) as favorites_rate,
        cast(coalesce(creative_credits.credited_orders, 0) as numeric(18, 6)) as credited_orders,
        cast(
            coalesce(creative_credits.credited_orders, 0) * 1.0 / nullif(creative_weeks.clicks, 0)
            as numeric(18, 6)
        ) as orders_per_click,
        cast(creative_weeks.product_orders as bigint) as product_orders,
        cast(coalesce(product_credits.product_credited_orders, 0) as numeric(18, 6)) as product_credited_orders,
        cast(
            coalesce(creative_credits.credited_orders, 0) / nullif(product_credits.product_credited_orders, 0)
            as numeric(18, 6)
        ) as product_order_share,
        cast(creative_weeks.order_rate as numeric(18, 6)) as order_rate,
        cast(creative_weeks.repeat_orders as bigint) as repeat_orders,
        cast(creative_weeks.repurchase_rate as numeric(18, 6)) as repurchase_rate,
        cast(creative_credits.credited_revenue as numeric(18, 2)) as credited_revenue,
        cast(coalesce(creative_credits.foreign_currency_orders, 0) as integer) as foreign_currency_orders,
        products.page_path is null as is_live_on_no_page,
        products.page_path is not null and creative_weeks.sessions = 0 as has_zero_sessions,
        creative_weeks.clicks = 0 as has_no_clicks
    from creative_weeks
    left join products
        on creative_weeks.product_id = products.product_id
    left join creative_credits
        on creative_weeks.creative_id = creative_credits.creative_id
        and creative_weeks.week_start = creative_credits.week_start
    left join product_credits
        on creative_weeks.product_id = product_credits.product_id
        and creative_weeks.week_start = product_credits.week_start

)

select * from final
