{#-
  The designer / operator contribution dashboard (seed 004, domain section 3): one row per person, week and role.
  - designer: their creatives' impressions, clicks and CTR; orders = orders credited to those creatives (clicks
    share, each order credited once); conversion_rate = orders per click; the page metrics of the products carrying
    the creatives (sessions, favorites, order rate, repurchase rate) and the share of those products' orders the
    designer earned.
  - operator: the sessions of their products' pages, the orders on those products (an order on several products
    split by quantity), conversion_rate = orders / sessions, against the department's conversion that week; the
    clicks of the creatives on their products.
  Week over week: against the same person and role in the week before (null when they had no row then). Targets
  stay with scoring (the plan's joint-incentive targets are not passed to dbt). Rates are null, never a division
  error, when their denominator is 0, and the flags say so (has_zero_sessions, zero_session_products,
  has_no_clicks, creatives_on_no_page); money counts only
  orders in their project's currency (foreign_currency_orders counts the others, see rpt_order_attribution).
  Projects may report in different currencies, so a person's revenue is only summed when all of it is in one
  currency (revenue_currency); when it spans several, revenue is null and has_mixed_currencies is true.
-#}
{{ config(materialized='table') }}

with

creatives as (

    select * from {{ ref('rpt_creative_contribution_weekly') }}

),

attribution as (

    select * from {{ ref('rpt_order_attribution') }}
    where attribution_status <> 'excluded'

),

credits as (

    select * from {{ ref('int_orders_credited_to_creatives') }}

),

-- the currency of each amount summed as revenue (amount_in_project_currency is in the project's currency)
counted_amounts as (

    select * from attribution
    where amount_in_project_currency is not null

),

operators as (

    select * from {{ ref('int_product_operators_deduplicated') }}

),

products as (

    select product_id, page_path from {{ ref('int_products_deduplicated') }}

),

page_weeks as (

    select
        page_path,
        week_start,
        sum(sessions) as sessions
    from {{ ref('int_page_metrics_aggregated_to_weeks') }}
    group by page_path, week_start

),

department as (

    select week_start, conversion_rate from {{ ref('fct_department_conversion_weekly') }}

),

---------- designers

designer_products as (

    select distinct
        designer_id,
        week_start,
        product_id,
        sessions,
        favorites,
        product_orders,
        repeat_orders,
        product_credited_orders
    from creatives
    where not is_live_on_no_page

),

designer_product_totals as (

    select
        designer_id,
        week_start,
        count(*) as product_count,
        sum(sessions) as sessions,
        sum(favorites) as favorites,
        sum(product_orders) as product_orders,
        sum(repeat_orders) as repeat_orders,
        sum(product_credited_orders) as product_credited_orders,
        sum(case when sessions = 0 then 1 else 0 end) as zero_session_products
    from designer_products
    group by designer_id, week_start

),

designer_creative_totals as (

    select
        designer_id,
        week_start,
        count(*) as creative_count,
        sum(case when is_live_on_no_page then 1 else 0 end) as creatives_on_no_page,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(credited_orders) as orders,
        sum(credited_revenue) as revenue,
        sum(foreign_currency_orders) as foreign_currency_orders
    from creatives
    group by designer_id, week_start

),

designer_currencies as (

    select
        creatives.designer_id,
        creatives.week_start,
        count(distinct counted_amounts.project_currency) as currency_count,
        min(counted_amounts.project_currency) as revenue_currency
    from creatives
    inner join credits
        on creatives.creative_id = credits.creative_id
        and creatives.week_start = credits.week_start
    inner join counted_amounts
        on credits.order_id = counted_amounts.order_id
        and credits.shopify_product_id = counted_amounts.shopify_product_id
    where credits.credit_share > 0
    group by creatives.designer_id, creatives.week_start

),

designer_rows as (

    select
        c.designer_id as employee_id,
        c.week_start,
        'designer' as role,
        coalesce(p.product_count, 0) as product_count,
        coalesce(p.zero_session_products, 0) as zero_session_products,
        c.creative_count,
        c.creatives_on_no_page,
        c.impressions,
        c.clicks,
        coalesce(p.sessions, 0) as sessions,
        coalesce(p.favorites, 0) as favorites,
        c.orders,
        c.orders * 1.0 / nullif(c.clicks, 0) as conversion_rate,
        p.product_orders * 1.0 / nullif(p.sessions, 0) as order_rate,
        p.repeat_orders * 1.0 / nullif(p.product_orders, 0) as repurchase_rate,
        c.orders / nullif(p.product_credited_orders, 0) as product_order_share,
        cast(null as numeric(18, 6)) as department_conversion_rate,
        c.revenue,
        c.foreign_currency_orders
    from designer_creative_totals as c
    left join designer_product_totals as p
        on c.designer_id = p.designer_id
        and c.week_start = p.week_start

),

---------- operators

product_orders as (

    select
        product_id,
        week_start,
        sum(order_product_share) as orders,
        sum(amount_in_project_currency) as revenue,
        count(distinct case when currency_flag = 'currency_mismatch' then order_id end) as foreign_currency_orders
    from attribution
    where product_id is not null
    group by product_id, week_start

),

product_creatives as (

    select
        product_id,
        week_start,
        count(*) as creative_count,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from creatives
    group by product_id, week_start

),

product_week_keys as (

    select products.product_id, page_weeks.week_start
    from products
    inner join page_weeks
        on products.page_path = page_weeks.page_path
    union
    select product_id, week_start from product_orders
    union
    select product_id, week_start from product_creatives

),

operator_products as (

    select
        operators.operator_id,
        keys.week_start,
        keys.product_id,
        coalesce(page_weeks.sessions, 0) as sessions,
        coalesce(product_orders.orders, 0) as orders,
        product_orders.revenue,
        coalesce(product_orders.foreign_currency_orders, 0) as foreign_currency_orders,
        coalesce(product_creatives.creative_count, 0) as creative_count,
        coalesce(product_creatives.impressions, 0) as impressions,
        coalesce(product_creatives.clicks, 0) as clicks
    from operators
    inner join product_week_keys as keys
        on operators.product_id = keys.product_id
    left join products
        on keys.product_id = products.product_id
    left join page_weeks
        on products.page_path = page_weeks.page_path
        and keys.week_start = page_weeks.week_start
    left join product_orders
        on keys.product_id = product_orders.product_id
        and keys.week_start = product_orders.week_start
    left join product_creatives
        on keys.product_id = product_creatives.product_id
        and keys.week_start = product_creatives.week_start

),

operator_currencies as (

    select
        operators.operator_id,
        counted_amounts.week_start,
        count(distinct counted_amounts.project_currency) as currency_count,
        min(counted_amounts.project_currency) as revenue_currency
    from operators
    inner join counted_amounts
        on operators.product_id = counted_amounts.product_id
    group by operators.operator_id, counted_amounts.week_start

),

operator_rows as (

    select
        operator_products.operator_id as employee_id,
        operator_products.week_start,
        'operator' as role,
        count(*) as product_count,
        sum(case when operator_products.sessions = 0 then 1 else 0 end) as zero_session_products,
        sum(operator_products.creative_count) as creative_count,
        0 as creatives_on_no_page,
        sum(operator_products.impressions) as impressions,
        sum(operator_products.clicks) as clicks,
        sum(operator_products.sessions) as sessions,
        cast(null as bigint) as favorites,
        sum(operator_products.orders) as orders,
        sum(operator_products.orders) * 1.0 / nullif(sum(operator_products.sessions), 0) as conversion_rate,
        cast(null as numeric(18, 6)) as order_rate,
        cast(null as numeric(18, 6)) as repurchase_rate,
        cast(null as numeric(18, 6)) as product_order_share,
        max(department.conversion_rate) as department_conversion_rate,
        sum(operator_products.revenue) as revenue,
        sum(operator_products.foreign_currency_orders) as foreign_currency_orders
    from operator_products
    left join department
        on operator_products.week_start = department.week_start
    group by operator_products.operator_id, operator_products.week_start

),

person_currencies as (

    select designer_id as employee_id, week_start, 'designer' as role, currency_count, revenue_currency
    from designer_currencies
    union all
    select operator_id as employee_id, week_start, 'operator' as role, currency_count, revenue_currency
    from operator_currencies

),

people as (

    select * from designer_rows
    union all
    select * from operator_rows

),

final as (

    select
        cast(people.employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(people.week_start as date) as week_start,
        cast(people.role as {{ dbt.type_string() }}) as role,
        cast(people.product_count as integer) as product_count,
        cast(people.zero_session_products as integer) as zero_session_products,
        cast(people.creative_count as integer) as creative_count,
        cast(people.creatives_on_no_page as integer) as creatives_on_no_page,
        cast(people.impressions as bigint) as impressions,
        cast(people.clicks as bigint) as clicks,
        cast(people.clicks * 1.0 / nullif(people.impressions, 0) as numeric(18, 6)) as ctr,
        cast(people.sessions as bigint) as sessions,
        cast(people.favorites as bigint) as favorites,
        cast(people.favorites * 1.0 / nullif(people.sessions, 0) as numeric(18, 6)) as favorites_rate,
        cast(people.orders as numeric(18, 6)) as orders,
        cast(people.conversion_rate as numeric(18, 6)) as conversion_rate,
        cast(people.order_rate as numeric(18, 6)) as order_rate,
        cast(people.repurchase_rate as numeric(18, 6)) as repurchase_rate,
        cast(people.product_order_share as numeric(18, 6)) as product_order_share,
        cast(people.department_conversion_rate as numeric(18, 6)) as department_conversion_rate,
        cast(people.conversion_rate - people.department_conversion_rate as numeric(18, 6))
            as conversion_vs_department,
        cast(case when currencies.currency_count > 1 then null else people.revenue end as numeric(18, 2)) as revenue,
        cast(case when currencies.currency_count = 1 then currencies.revenue_currency end as {{ dbt.type_string() }})
            as revenue_currency,
        cast(people.foreign_currency_orders as integer) as foreign_currency_orders,
        cast(previous.orders as numeric(18, 6)) as previous_orders,
        cast(people.orders - previous.orders as numeric(18, 6)) as orders_wow_change,
        cast(previous.conversion_rate as numeric(18, 6)) as previous_conversion_rate,
        cast(people.conversion_rate - previous.conversion_rate as numeric(18, 6)) as conversion_rate_wow_change,
        people.sessions = 0 as has_zero_sessions,
        people.clicks = 0 as has_no_clicks,
        coalesce(currencies.currency_count, 0) > 1 as has_mixed_currencies
    from people
    left join person_currencies as currencies
        on people.employee_id = currencies.employee_id
        and people.week_start = currencies.week_start
        and people.role = currencies.role
    left join people as previous
        on people.employee_id = previous.employee_id
        and people.role = previous.role
        and previous.week_start = cast({{ dbt.dateadd('day', -7, 'people.week_start') }} as date)

)

select * from final
