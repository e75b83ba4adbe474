{#-
  Weekly goal items (Jira goal issues mapped to employees) with the employee-week's attendance reason codes.
  Numbers stay numeric(18,4); ratios and attainment are scoring's rules, not computed here. Issues whose
  assignee is unmapped are left out here and counted in int_unmapped_source_ids.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

goals as (

    select * from {{ ref('int_goal_issues_mapped') }}
    where employee_id is not null
        and {{ partition_window_filter('week_start') }}

),

attendance as (

    select employee_id, week_start, reason_codes
    from {{ ref('fct_attendance_weekly') }}

),

final as (

    select
        cast(goals.employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(goals.week_start as date) as week_start,
        cast(goals.issue_key as {{ dbt.type_string() }}) as issue_key,
        cast(goals.issue_id as {{ dbt.type_string() }}) as issue_id,
        cast(goals.metric as {{ dbt.type_string() }}) as metric,
        cast(goals.unit as {{ dbt.type_string() }}) as unit,
        cast(goals.target as numeric(18, 4)) as target,
        cast(goals.actual as numeric(18, 4)) as actual,
        cast(goals.weight as numeric(18, 4)) as weight,
        cast(goals.direction as {{ dbt.type_string() }}) as direction,
        cast(coalesce(attendance.reason_codes, '') as {{ dbt.type_string() }}) as reason_codes,
        cast(goals.updated_at_utc as timestamp) as updated_at_utc,
        cast(goals._source_ref as {{ dbt.type_string() }}) as source_ref
    from goals
    left join attendance
        on goals.employee_id = attendance.employee_id
        and goals.week_start = attendance.week_start

)

select * from final
