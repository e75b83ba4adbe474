{#-
  Order x product: the lines of each order's current version summed per Shopify product and joined to the
  product registry. Products missing from the registry keep product_id null (counted in
  int_unmapped_source_ids; their orders are credited to no creative).
  A table: the crediting, the attribution report, the unmapped-id finding and its data tests all read it.
-#}
{{ config(materialized='table') }}
with

orders as (

    select * from {{ ref('int_orders_deduplicated') }}

),

lines as (

    select * from {{ ref('stg_shopify__order_lines') }}

),

products as (

    select * from {{ ref('int_products_deduplicated') }}

),

order_products as (

    select
        lines.order_id,
        lines.shopify_product_id,
        sum(lines.quantity) as quantity,
        count(*) as line_count
    from lines
    inner join orders
        on lines.order_id = orders.order_id
        and lines.partition_week_start = orders.partition_week_start
    group by lines.order_id, lines.shopify_product_id

),

final as (

    select
        order_products.order_id,
        order_products.shopify_product_id,
        products.product_id,
        products.project_id,
        products.page_path,
        order_products.quantity,
        order_products.line_count,
        orders.customer_id,
        orders.is_valid,
        orders.is_repeat_customer,
        orders.financial_status,
        orders.created_at_utc,
        orders.order_date,
        orders.week_start
    from order_products
    inner join orders
        on order_products.order_id = orders.order_id
    left join products
        on order_products.shopify_product_id = products.shopify_product_id

)

select * from final
