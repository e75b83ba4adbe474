{#-
  Project x person x week credit for the project bonus pool (domain section 3): a designer's credit is the
  orders credited to their creatives on the project's products; an operator's is the valid orders on the
  products they run (credited to a creative or not). One row per project, role and person.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

credits as (

    select * from {{ ref('int_orders_credited_to_creatives') }}
    where project_id is not null
        and {{ partition_window_filter('week_start') }}

),

operators as (

    select * from {{ ref('int_product_operators_deduplicated') }}

),

designer_credit as (

    select
        project_id,
        week_start,
        designer_id as employee_id,
        'designer' as role,
        sum(order_credit_share) as credited_orders
    from credits
    where designer_id is not null
    group by project_id, week_start, designer_id

),

operator_credit as (

    select
        credits.project_id,
        credits.week_start,
        operators.operator_id as employee_id,
        'operator' as role,
        sum(credits.order_credit_share) as credited_orders
    from credits
    inner join operators
        on credits.product_id = operators.product_id
    group by credits.project_id, credits.week_start, operators.operator_id

),

final as (

    select
        cast(project_id as {{ dbt.type_string() }}) as project_id,
        cast(week_start as date) as week_start,
        cast(employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(role as {{ dbt.type_string() }}) as role,
        cast(credited_orders as numeric(18, 6)) as credited_orders
    from designer_credit
    union all
    select
        cast(project_id as {{ dbt.type_string() }}) as project_id,
        cast(week_start as date) as week_start,
        cast(employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(role as {{ dbt.type_string() }}) as role,
        cast(credited_orders as numeric(18, 6)) as credited_orders
    from operator_credit

)

select * from final
