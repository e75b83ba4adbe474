{#-
  People below on_track in a week, for their managers and HR: who, how far below, the weakest metric, the
  attendance reasons, and what the plan set in motion (a manager alert for at_risk, an improvement note with a
  course for improving).
-#}
{{ config(materialized='table', tags=['reads_scores']) }}

with

below_target as (

    select *
    from {{ source('scoring', 'score_goal_attainment_weekly') }}
    where band in ('improving', 'at_risk')

),

follow_ups as (

    select employee_id, week_start, kind, recipient_id, course
    from {{ source('scoring', 'goal_consequence_events') }}
    where kind in ('manager_alert', 'improvement_note')

),

final as (

    select
        cast(scores.employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(scores.week_start as date) as week_start,
        cast(employees.name as {{ dbt.type_string() }}) as name,
        cast(employees.department as {{ dbt.type_string() }}) as department,
        cast(employees.team as {{ dbt.type_string() }}) as team,
        cast(employees.manager_id as {{ dbt.type_string() }}) as manager_id,
        cast(scores.band as {{ dbt.type_string() }}) as band,
        cast(scores.attainment as numeric(18, 4)) as attainment,
        cast(scores.previous_attainment as numeric(18, 4)) as previous_attainment,
        cast(scores.weakest_metric as {{ dbt.type_string() }}) as weakest_metric,
        cast(coalesce(scores.reason_codes, '') as {{ dbt.type_string() }}) as attendance_reasons,
        cast(follow_ups.kind as {{ dbt.type_string() }}) as follow_up,
        cast(follow_ups.recipient_id as {{ dbt.type_string() }}) as follow_up_recipient,
        cast(follow_ups.course as {{ dbt.type_string() }}) as recommended_course
    from below_target as scores
    inner join {{ ref('dim_employee') }} as employees
        on scores.employee_id = employees.employee_id
    left join follow_ups
        on scores.employee_id = follow_ups.employee_id and scores.week_start = follow_ups.week_start

)

select * from final
