{#-
  Crediting (domain section 3): each valid order (not REFUNDED, not cancelled) on a product is credited to
  the creatives live on that product on the order's local date, in proportion to their clicks in the order's
  week; when none of them had a click, equally. An order x product with no live creative (or an unregistered
  product) keeps one row with creative_id null and share 1, so per product-week the shares always add up to
  the valid orders.
  An order on several products counts once per product in credit_share; order_credit_share also splits the order
  across its products by quantity (equally when no quantity), so an order seen on two pages is credited once:
  its order_credit_share rows add up to 1.
  A table, not a view like the other intermediate models: five marts and as many data tests read it, and as a view
  each of them computed the crediting over every week again.
-#}
{{ config(materialized='table') }}
with

order_products as (

    select
        *,
        coalesce(
            quantity * 1.0 / nullif(sum(quantity) over (partition by order_id), 0),
            1.0 / count(*) over (partition by order_id)
        ) as order_product_share
    from {{ ref('int_order_lines_joined_to_products') }}
    where is_valid

),

creatives as (

    select * from {{ ref('int_creatives_deduplicated') }}

),

creative_weeks as (

    select * from {{ ref('int_creative_metrics_aggregated_to_weeks') }}

),

live_creatives as (

    select
        order_products.order_id,
        order_products.shopify_product_id,
        creatives.creative_id,
        creatives.designer_id,
        coalesce(creative_weeks.clicks, 0) as creative_clicks
    from order_products
    inner join creatives
        on order_products.product_id = creatives.product_id
        and order_products.order_date >= creatives.live_from
        and (creatives.live_to is null or order_products.order_date <= creatives.live_to)
    left join creative_weeks
        on creatives.creative_id = creative_weeks.creative_id
        and order_products.week_start = creative_weeks.week_start

),

weighted as (

    select
        *,
        sum(creative_clicks) over (partition by order_id, shopify_product_id) as live_clicks,
        count(*) over (partition by order_id, shopify_product_id) as live_creative_count
    from live_creatives

),

credited as (

    select
        order_id,
        shopify_product_id,
        creative_id,
        designer_id,
        creative_clicks,
        case when live_clicks > 0 then 'clicks' else 'equal_split' end as credit_basis,
        cast(
            case
                when live_clicks > 0 then creative_clicks * 1.0 / live_clicks
                else 1.0 / live_creative_count
            end as numeric(18, 6)
        ) as credit_share
    from weighted

),

uncredited as (

    select
        order_products.order_id,
        order_products.shopify_product_id,
        cast(null as {{ dbt.type_string() }}) as creative_id,
        cast(null as {{ dbt.type_string() }}) as designer_id,
        0 as creative_clicks,
        case when order_products.product_id is null then 'unknown_product' else 'no_live_creative' end
            as credit_basis,
        cast(1 as numeric(18, 6)) as credit_share
    from order_products
    left join (select distinct order_id, shopify_product_id from live_creatives) as with_creative
        on order_products.order_id = with_creative.order_id
        and order_products.shopify_product_id = with_creative.shopify_product_id
    where with_creative.order_id is null

),

all_credits as (

    select * from credited
    union all
    select * from uncredited

),

final as (

    select
        all_credits.order_id,
        order_products.product_id,
        all_credits.shopify_product_id,
        order_products.project_id,
        order_products.customer_id,
        order_products.is_repeat_customer,
        order_products.order_date,
        order_products.week_start,
        all_credits.creative_id,
        all_credits.designer_id,
        all_credits.creative_clicks,
        all_credits.credit_basis,
        all_credits.credit_share,
        cast(order_products.order_product_share as numeric(18, 6)) as order_product_share,
        cast(all_credits.credit_share * order_products.order_product_share as numeric(18, 6)) as order_credit_share
    from all_credits
    inner join order_products
        on all_credits.order_id = order_products.order_id
        and all_credits.shopify_product_id = order_products.shopify_product_id

)

select * from final
