{#-
  Weekly goal items per employee from every goal tool (int_goal_items_unified), each with its actual and where
  it came from, and the employee-week's attendance: reason codes, days scheduled and days on approved leave
  (scoring prorates volume targets by leave, never by absence). Numbers stay numeric(18,4); ratios and
  attainment are scoring's rules, not computed here.

  Measured beats reported: when a source measures the goal's metric (int_goal_actuals_measured) and has data for
  that metric in the week, the measured value is the actual -- 0 for a person it recorded nothing for -- and the
  typed-in number is kept as reported_actual. Without measured data for the week the reported actual stands.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

goals as (

    select * from {{ ref('int_goal_items_unified') }}
    where {{ partition_window_filter('week_start') }}

),

measured as (

    select * from {{ ref('int_goal_actuals_measured') }}
    where {{ partition_window_filter('week_start') }}

),

measured_metric_weeks as (

    select distinct week_start, metric, measured_by
    from measured

),

attendance as (

    select employee_id, week_start, reason_codes, days_scheduled, days_on_leave
    from {{ ref('fct_attendance_weekly') }}

),

final as (

    select
        cast(goals.employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(goals.week_start as date) as week_start,
        cast(goals.goal_id as {{ dbt.type_string() }}) as goal_id,
        cast(goals.goal_source as {{ dbt.type_string() }}) as goal_source,
        cast(goals.issue_key as {{ dbt.type_string() }}) as issue_key,
        cast(goals.metric as {{ dbt.type_string() }}) as metric,
        cast(goals.unit as {{ dbt.type_string() }}) as unit,
        cast(goals.target as numeric(18, 4)) as target,
        cast(
            case
                when measured_metric_weeks.metric is not null then coalesce(measured.actual, 0)
                else goals.actual
            end as numeric(18, 4)
        ) as actual,
        cast(goals.actual as numeric(18, 4)) as reported_actual,
        cast(
            case
                when measured.metric is not null then {{ dbt.concat(["'measured:'", "measured.measured_by"]) }}
                when measured_metric_weeks.metric is not null
                    then {{ dbt.concat(["'measured:'", "measured_metric_weeks.measured_by", "' (none recorded)'"]) }}
                else 'reported'
            end as {{ dbt.type_string() }}
        ) as actual_source,
        cast(goals.weight as numeric(18, 4)) as weight,
        cast(goals.direction as {{ dbt.type_string() }}) as direction,
        cast(goals.objective_id as {{ dbt.type_string() }}) as objective_id,
        cast(coalesce(attendance.reason_codes, '') as {{ dbt.type_string() }}) as reason_codes,
        cast(attendance.days_scheduled as integer) as days_scheduled,
        cast(attendance.days_on_leave as integer) as days_on_leave,
        cast(goals.updated_at_utc as timestamp) as updated_at_utc,
        cast(goals.source_ref as {{ dbt.type_string() }}) as source_ref
    from goals
    left join measured
        on goals.employee_id = measured.employee_id
        and goals.week_start = measured.week_start
        and goals.metric = measured.metric
    left join measured_metric_weeks
        on goals.week_start = measured_metric_weeks.week_start
        and goals.metric = measured_metric_weeks.metric
    left join attendance
        on goals.employee_id = attendance.employee_id
        and goals.week_start = attendance.week_start

)

select * from final
