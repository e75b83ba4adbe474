{#-
  Creative x week (domain section 3): a row for every registered creative live on some day of a week that
  has e-commerce data, or that had promotion traffic that week. Page metrics (sessions, dwell, favourites)
  and order metrics are those of the creative's product and its page; credited_orders is the creative's share
  of the product's valid orders (int_orders_credited_to_creatives), an order on several products split between
  them by quantity, so every order is credited once in total. Rates are null when their denominator is 0.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

creatives as (

    select * from {{ ref('int_creatives_deduplicated') }}

),

products as (

    select * from {{ ref('int_products_deduplicated') }}

),

creative_metrics as (

    select * from {{ ref('int_creative_metrics_aggregated_to_weeks') }}

),

page_metrics as (

    select * from {{ ref('int_page_metrics_aggregated_to_weeks') }}

),

order_products as (

    select * from {{ ref('int_order_lines_joined_to_products') }}

),

data_weeks as (

    select week_start from creative_metrics
    union
    select week_start from page_metrics
    union
    select week_start from order_products

),

creative_weeks as (

    select
        creatives.creative_id,
        data_weeks.week_start
    from creatives
    inner join data_weeks
        on creatives.live_from < {{ dbt.dateadd('day', 7, 'data_weeks.week_start') }}
        and (creatives.live_to is null or creatives.live_to >= data_weeks.week_start)
    union
    select
        creative_metrics.creative_id,
        creative_metrics.week_start
    from creative_metrics
    inner join creatives
        on creative_metrics.creative_id = creatives.creative_id

),

windowed_creative_weeks as (

    select * from creative_weeks
    where {{ partition_window_filter('week_start') }}

),

credits as (

    select
        creative_id,
        week_start,
        sum(order_credit_share) as credited_orders
    from {{ ref('int_orders_credited_to_creatives') }}
    where creative_id is not null
    group by creative_id, week_start

),

product_orders as (

    select
        product_id,
        week_start,
        count(distinct order_id) as product_orders,
        count(distinct case when is_repeat_customer then order_id end) as repeat_orders
    from order_products
    where is_valid
        and product_id is not null
    group by product_id, week_start

),

joined as (

    select
        windowed_creative_weeks.creative_id,
        windowed_creative_weeks.week_start,
        creatives.designer_id,
        creatives.product_id,
        products.project_id,
        creatives.operator_rating,
        coalesce(creative_metrics.impressions, 0) as impressions,
        coalesce(creative_metrics.clicks, 0) as clicks,
        coalesce(page_metrics.sessions, 0) as sessions,
        coalesce(page_metrics.engagement_seconds, 0) as engagement_seconds,
        coalesce(page_metrics.wishlist_adds, 0) as favorites,
        coalesce(credits.credited_orders, 0) as credited_orders,
        coalesce(product_orders.product_orders, 0) as product_orders,
        coalesce(product_orders.repeat_orders, 0) as repeat_orders
    from windowed_creative_weeks
    inner join creatives
        on windowed_creative_weeks.creative_id = creatives.creative_id
    left join products
        on creatives.product_id = products.product_id
    left join creative_metrics
        on windowed_creative_weeks.creative_id = creative_metrics.creative_id
        and windowed_creative_weeks.week_start = creative_metrics.week_start
    left join page_metrics
        on products.page_path = page_metrics.page_path
        and windowed_creative_weeks.week_start = page_metrics.week_start
    left join credits
        on windowed_creative_weeks.creative_id = credits.creative_id
        and windowed_creative_weeks.week_start = credits.week_start
    left join product_orders
        on creatives.product_id = product_orders.product_id
        and windowed_creative_weeks.week_start = product_orders.week_start

),

final as (

    select
        cast(creative_id as {{ dbt.type_string() }}) as creative_id,
        cast(week_start as date) as week_start,
        cast(designer_id as {{ dbt.type_string() }}) as designer_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        cast(project_id as {{ dbt.type_string() }}) as project_id,
        cast(operator_rating as integer) as operator_rating,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(clicks * 1.0 / nullif(impressions, 0) as numeric(18, 6)) as ctr,
        cast(sessions as bigint) as sessions,
        cast(engagement_seconds as bigint) as engagement_seconds,
        cast(engagement_seconds * 1.0 / nullif(sessions, 0) as numeric(18, 4)) as avg_dwell_seconds,
        cast(favorites as bigint) as favorites,
        cast(favorites * 1.0 / nullif(sessions, 0) as numeric(18, 6)) as favorites_rate,
        cast(credited_orders as numeric(18, 6)) as credited_orders,
        cast(product_orders as bigint) as product_orders,
        cast(product_orders * 1.0 / nullif(sessions, 0) as numeric(18, 6)) as order_rate,
        cast(repeat_orders as bigint) as repeat_orders,
        cast(repeat_orders * 1.0 / nullif(product_orders, 0) as numeric(18, 6)) as repurchase_rate
    from joined

)

select * from final
