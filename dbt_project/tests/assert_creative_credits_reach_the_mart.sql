{#-
  Every order credited to a creative shows up in fct_creative_performance_weekly for that creative-week,
  within the weeks this run built (a refund arriving later changes an earlier week's credits until that
  week is rebuilt).
-#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_creative_performance_weekly'}}}) }}

with

credits as (

    select
        creative_id,
        week_start,
        sum(order_credit_share) as credited_orders
    from {{ ref('int_orders_credited_to_creatives') }}
    where creative_id is not null
        and {{ in_partition_window('week_start') }}
    group by creative_id, week_start

)

select credits.*
from credits
left join {{ ref('fct_creative_performance_weekly') }} as mart
    on credits.creative_id = mart.creative_id
    and credits.week_start = mart.week_start
where mart.creative_id is null
    or mart.credited_orders <> credits.credited_orders
