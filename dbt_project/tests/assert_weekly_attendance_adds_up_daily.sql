{#- The weekly fact is exactly the sum of the daily fact (no day lost or counted twice; days rostered outside
    employment are reported daily and belong to no week). -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_attendance_weekly'}}}) }}

with

daily as (

    select
        employee_id,
        week_start,
        sum(worked_minutes) as worked_minutes,
        sum(case when status = 'absent' then 1 else 0 end) as days_absent,
        sum(case when status = 'late' then 1 else 0 end) as days_late
    from {{ ref('fct_attendance_daily') }}
    where status <> 'not_employed'
    group by employee_id, week_start

)

select
    daily.*,
    weekly.worked_minutes as weekly_worked_minutes
from daily
full outer join {{ ref('fct_attendance_weekly') }} as weekly
    on daily.employee_id = weekly.employee_id
    and daily.week_start = weekly.week_start
where weekly.employee_id is null
    or daily.employee_id is null
    or daily.worked_minutes <> weekly.worked_minutes
    or daily.days_absent <> weekly.days_absent
    or daily.days_late <> weekly.days_late
