{#-
  Operator x week (domain section 3, "design collaboration"): the clicks-weighted CTR and dwell of the
  creatives on the operator's products (an unweighted mean when none had a click), and the orders credited
  to those creatives.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

operators as (

    select * from {{ ref('int_product_operators_deduplicated') }}

),

creative_weeks as (

    select * from {{ ref('fct_creative_performance_weekly') }}
    where {{ partition_window_filter('week_start') }}

),

operator_creatives as (

    select
        operators.operator_id,
        creative_weeks.*
    from operators
    inner join creative_weeks
        on operators.product_id = creative_weeks.product_id

),

operator_products as (

    select distinct
        operator_id,
        week_start,
        product_id,
        product_orders,
        sessions
    from operator_creatives

),

product_totals as (

    select
        operator_id,
        week_start,
        count(*) as product_count,
        sum(product_orders) as product_orders,
        sum(sessions) as sessions
    from operator_products
    group by operator_id, week_start

),

creative_totals as (

    select
        operator_id,
        week_start,
        count(*) as creative_count,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(case when ctr is not null then clicks * ctr end)
            / nullif(sum(case when ctr is not null then clicks end), 0) as clicks_weighted_ctr,
        avg(ctr) as mean_ctr,
        sum(case when avg_dwell_seconds is not null then clicks * avg_dwell_seconds end)
            / nullif(sum(case when avg_dwell_seconds is not null then clicks end), 0) as clicks_weighted_dwell,
        avg(avg_dwell_seconds) as mean_dwell,
        sum(credited_orders) as credited_orders
    from operator_creatives
    group by operator_id, week_start

),

final as (

    select
        cast(creative_totals.operator_id as {{ dbt.type_string() }}) as operator_id,
        cast(creative_totals.week_start as date) as week_start,
        cast(product_totals.product_count as integer) as product_count,
        cast(creative_totals.creative_count as integer) as creative_count,
        cast(creative_totals.impressions as bigint) as impressions,
        cast(creative_totals.clicks as bigint) as clicks,
        cast(coalesce(creative_totals.clicks_weighted_ctr, creative_totals.mean_ctr) as numeric(18, 6)) as ctr,
        cast(coalesce(creative_totals.clicks_weighted_dwell, creative_totals.mean_dwell) as numeric(18, 4))
            as avg_dwell_seconds,
        cast(product_totals.sessions as bigint) as sessions,
        cast(creative_totals.credited_orders as numeric(18, 6)) as credited_orders,
        cast(product_totals.product_orders as bigint) as product_orders
    from creative_totals
    inner join product_totals
        on creative_totals.operator_id = product_totals.operator_id
        and creative_totals.week_start = product_totals.week_start

)

select * from final
