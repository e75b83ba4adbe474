{#-
  Every order x product (all statuses) with what happened to it, so nothing is dropped silently: rows here =
  rows of int_order_lines_joined_to_products + one row per order whose current version has no line items
  (Shopify returned empty lineItems; product columns null, the whole order as its share) = credited +
  unattributed + excluded.
  - excluded: REFUNDED or cancelled orders earn no credit (reason refunded / cancelled);
  - unattributed: a valid order no creative can take (reason unknown_product: the Shopify product is not in the
    registry; no_live_creative: no creative was live on the product that day; no_line_items: the order has no
    lines, so no product or project is known);
  - credited: credited_share (the order's share on this product, split over the live creatives) > 0.
  Money: line items carry no price, so an order's total is allocated to its products by quantity share. The amount
  is summed (amount_in_project_currency) only when the order's currency is its project's P&L currency; otherwise
  currency_flag says why not (currency_mismatch, or unknown_currency when the product has no project currency).
-#}
{{ config(materialized='table') }}

with

order_lines as (

    select * from {{ ref('int_order_lines_joined_to_products') }}

),

orders as (

    select * from {{ ref('int_orders_deduplicated') }}

),

lines as (

    select
        order_id,
        shopify_product_id,
        product_id,
        project_id,
        week_start,
        order_date,
        financial_status,
        quantity,
        coalesce(
            quantity * 1.0 / nullif(sum(quantity) over (partition by order_id), 0),
            1.0 / count(*) over (partition by order_id)
        ) as order_product_share,
        true as has_line_items
    from order_lines

    union all

    select
        orders.order_id,
        cast(null as {{ dbt.type_string() }}) as shopify_product_id,
        cast(null as {{ dbt.type_string() }}) as product_id,
        cast(null as {{ dbt.type_string() }}) as project_id,
        orders.week_start,
        orders.order_date,
        orders.financial_status,
        cast(null as bigint) as quantity,
        1.0 as order_product_share,
        false as has_line_items
    from orders
    where not exists (
        select 1
        from order_lines
        where order_lines.order_id = orders.order_id
    )

),

credits as (

    select
        order_id,
        shopify_product_id,
        sum(case when creative_id is not null then order_credit_share else 0 end) as credited_share,
        max(case when creative_id is null then credit_basis end) as unattributed_reason,
        sum(case when creative_id is not null then 1 else 0 end) as creative_count
    from {{ ref('int_orders_credited_to_creatives') }}
    group by order_id, shopify_product_id

),

pnl_reports as (

    select
        project_id,
        currency,
        row_number() over (
            partition by project_id
            order by reported_week_start desc, partition_week_start desc, _source_ref desc
        ) as report_rank
    from {{ ref('stg_finance__project_pnls') }}

),

project_currencies as (

    select project_id, currency as project_currency
    from pnl_reports
    where report_rank = 1

),

classified as (

    select
        lines.order_id,
        lines.shopify_product_id,
        lines.product_id,
        lines.project_id,
        lines.week_start,
        lines.order_date,
        lines.financial_status,
        lines.quantity,
        lines.order_product_share,
        coalesce(credits.credited_share, 0) as credited_share,
        coalesce(credits.creative_count, 0) as creative_count,
        case
            when lines.financial_status = 'REFUNDED' or orders.is_cancelled then 'excluded'
            when credits.unattributed_reason is not null or not lines.has_line_items then 'unattributed'
            else 'credited'
        end as attribution_status,
        case
            when lines.financial_status = 'REFUNDED' then 'refunded'
            when orders.is_cancelled then 'cancelled'
            when not lines.has_line_items then 'no_line_items'
            else credits.unattributed_reason
        end as reason,
        orders.currency,
        project_currencies.project_currency,
        case
            when project_currencies.project_currency is null then 'unknown_currency'
            when orders.currency is null or orders.currency <> project_currencies.project_currency
                then 'currency_mismatch'
        end as currency_flag,
        orders.total_amount * lines.order_product_share as allocated_amount
    from lines
    inner join orders
        on lines.order_id = orders.order_id
    left join credits
        on lines.order_id = credits.order_id
        and lines.shopify_product_id = credits.shopify_product_id
    left join project_currencies
        on lines.project_id = project_currencies.project_id

),

final as (

    select
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(shopify_product_id as {{ dbt.type_string() }}) as shopify_product_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        cast(project_id as {{ dbt.type_string() }}) as project_id,
        cast(week_start as date) as week_start,
        cast(order_date as date) as order_date,
        cast(financial_status as {{ dbt.type_string() }}) as financial_status,
        cast(quantity as bigint) as quantity,
        cast(order_product_share as numeric(18, 6)) as order_product_share,
        cast(attribution_status as {{ dbt.type_string() }}) as attribution_status,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(creative_count as integer) as creative_count,
        cast(credited_share as numeric(18, 6)) as credited_share,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(project_currency as {{ dbt.type_string() }}) as project_currency,
        cast(currency_flag as {{ dbt.type_string() }}) as currency_flag,
        cast(allocated_amount as numeric(18, 2)) as allocated_amount,
        cast(
            case when currency_flag is null and attribution_status <> 'excluded' then allocated_amount end
            as numeric(18, 2)
        ) as amount_in_project_currency
    from classified

)

select * from final
