{#-
  Feishu OKR key results per week: progress as of the week's end (int_okr_key_results_weekly), the owner as
  employee_id and whether the progress changed during the week. Rebuilt for the run's window only.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

weekly as (

    select * from {{ ref('int_okr_key_results_weekly') }}
    where {{ partition_window_filter('week_start') }}

),

final as (

    select
        cast(kr_id as {{ dbt.type_string() }}) as kr_id,
        cast(objective_id as {{ dbt.type_string() }}) as objective_id,
        cast(week_start as date) as week_start,
        cast(owner_employee_id as {{ dbt.type_string() }}) as owner_employee_id,
        cast(kr_weight as numeric(18, 4)) as kr_weight,
        cast(progress_percent as numeric(18, 4)) as progress_percent,
        cast(changed_this_week as boolean) as changed_this_week,
        cast(progress_updated_at_utc as timestamp) as progress_updated_at_utc,
        cast(_source_ref as {{ dbt.type_string() }}) as source_ref
    from weekly

)

select * from final
