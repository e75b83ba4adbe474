{#- The e-commerce department's overall conversion per week: all valid orders / all page sessions. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

orders as (

    select
        week_start,
        count(*) as orders
    from {{ ref('int_orders_deduplicated') }}
    where is_valid
    group by week_start

),

sessions as (

    select
        week_start,
        sum(sessions) as sessions
    from {{ ref('int_page_metrics_aggregated_to_weeks') }}
    group by week_start

),

weeks as (

    select week_start from orders
    union
    select week_start from sessions

),

final as (

    select
        cast(weeks.week_start as date) as week_start,
        cast(coalesce(orders.orders, 0) as bigint) as orders,
        cast(coalesce(sessions.sessions, 0) as bigint) as sessions,
        cast(orders.orders * 1.0 / nullif(sessions.sessions, 0) as numeric(18, 6)) as conversion_rate
    from weeks
    left join orders
        on weeks.week_start = orders.week_start
    left join sessions
        on weeks.week_start = sessions.week_start
    where {{ partition_window_filter('weeks.week_start') }}

)

select * from final
