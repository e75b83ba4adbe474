{#-
  Crediting never creates or loses an order: per product and week, the credit shares (including the
  uncredited rows) add up to the product's valid orders. Shares are rounded to 6 places, hence the tolerance.
-#}
{{ config(meta={'dagster': {'ref': {'name': 'int_orders_credited_to_creatives'}}}) }}

with

valid_orders as (

    select
        shopify_product_id,
        week_start,
        count(distinct order_id) as valid_orders
    from {{ ref('int_order_lines_joined_to_products') }}
    where is_valid
    group by shopify_product_id, week_start

),

credits as (

    select
        shopify_product_id,
        week_start,
        sum(credit_share) as credited_orders,
        count(*) as credit_rows
    from {{ ref('int_orders_credited_to_creatives') }}
    group by shopify_product_id, week_start

)

select
    coalesce(valid_orders.shopify_product_id, credits.shopify_product_id) as shopify_product_id,
    coalesce(valid_orders.week_start, credits.week_start) as week_start,
    valid_orders.valid_orders,
    credits.credited_orders
from valid_orders
full outer join credits
    on valid_orders.shopify_product_id = credits.shopify_product_id
    and valid_orders.week_start = credits.week_start
where valid_orders.valid_orders is null
    or credits.credited_orders is null
    or abs(credits.credited_orders - valid_orders.valid_orders) > 0.000001 * credits.credit_rows
