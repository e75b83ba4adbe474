{#-
  Project profit per week: revenue - cost - ad spend, decimal(18,2). A week reported again in a later load
  replaces the earlier figures. The bonus pool (20% of positive profit) is scoring's rule.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

reports as (

    select
        *,
        row_number() over (
            partition by project_id, reported_week_start
            order by partition_week_start desc, _source_ref desc
        ) as version_rank
    from {{ ref('stg_finance__project_pnls') }}

),

current_reports as (

    select
        *,
        {{ week_start_of('reported_week_start') }} as week_start
    from reports
    where version_rank = 1

),

final as (

    select
        cast(project_id as {{ dbt.type_string() }}) as project_id,
        cast(week_start as date) as week_start,
        cast(revenue as numeric(18, 2)) as revenue,
        cast(cost as numeric(18, 2)) as cost,
        cast(ad_spend as numeric(18, 2)) as ad_spend,
        cast(revenue - cost - ad_spend as numeric(18, 2)) as profit,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(_source_ref as {{ dbt.type_string() }}) as source_ref
    from current_reports
    where {{ partition_window_filter('week_start') }}

)

select * from final
