{#-
  Each run (week) of an activity type against the previous run of the same type (domain section 4: "trend
  against the previous run"; seed 001's R&D quiz participation 30% -> 75% after the quiz turned technical is one
  row). One row per activity type x department x week the type ran, plus department '*' for the whole company.
  The previous run is the latest earlier week in which the type ran anywhere, so a department that sat a run
  out compares against its 0%, not against an older run. Rates as in the participation reports: participants /
  active headcount, and likes and comments given by participants / participants. Rebuilt over all loaded weeks
  (a table, not incremental): the previous run may lie before the run's window.
-#}
{{ config(materialized='table') }}

with

participation as (

    select * from {{ ref('fct_activity_participation_weekly') }}
    where activity_type is not null

),

employees as (

    select
        employee_id,
        coalesce(department, '(none)') as department,
        hire_date,
        termination_date
    from {{ ref('dim_employee') }}

),

runs as (

    select
        activity_type,
        week_start,
        count(distinct activity_id) as activities
    from participation
    group by activity_type, week_start

),

runs_with_previous as (

    select
        activity_type,
        week_start,
        activities,
        lag(week_start) over (partition by activity_type order by week_start) as previous_week_start
    from runs

),

active as (

    select
        runs.activity_type,
        runs.week_start,
        employees.department,
        employees.employee_id
    from runs
    cross join employees
    where (employees.hire_date is null
            or employees.hire_date < {{ dbt.dateadd('day', 7, 'runs.week_start') }})
        and (employees.termination_date is null or employees.termination_date >= runs.week_start)

),

acting as (

    select
        participation.activity_type,
        participation.week_start,
        coalesce(employees.department, '(unknown)') as department,
        participation.employee_id,
        sum(participation.likes_given + participation.comments_given) as interactions
    from participation
    left join employees
        on participation.employee_id = employees.employee_id
    where participation.participated
    group by
        participation.activity_type,
        participation.week_start,
        coalesce(employees.department, '(unknown)'),
        participation.employee_id

),

headcount as (

    select activity_type, week_start, department, count(*) as active_headcount
    from active
    group by activity_type, week_start, department

    union all

    select activity_type, week_start, '*' as department, count(*) as active_headcount
    from active
    group by activity_type, week_start

),

participants as (

    select activity_type, week_start, department, count(*) as participants, sum(interactions) as interactions
    from acting
    group by activity_type, week_start, department

    union all

    select activity_type, week_start, '*' as department, count(*) as participants, sum(interactions) as interactions
    from acting
    group by activity_type, week_start

),

departments as (

    select activity_type, week_start, department from headcount
    union
    select activity_type, week_start, department from participants

),

measured as (

    select
        departments.activity_type,
        departments.department,
        departments.week_start,
        coalesce(participants.participants, 0) as participants,
        coalesce(headcount.active_headcount, 0) as active_headcount,
        coalesce(participants.interactions, 0) as interactions,
        cast(coalesce(participants.participants, 0) * 1.0 / nullif(headcount.active_headcount, 0)
            as numeric(18, 6)) as participation_rate,
        cast(participants.interactions * 1.0 / nullif(participants.participants, 0)
            as numeric(18, 6)) as interaction_rate
    from departments
    left join headcount
        on departments.activity_type = headcount.activity_type
        and departments.week_start = headcount.week_start
        and departments.department = headcount.department
    left join participants
        on departments.activity_type = participants.activity_type
        and departments.week_start = participants.week_start
        and departments.department = participants.department

),

final as (

    select
        cast(current_run.activity_type as {{ dbt.type_string() }}) as activity_type,
        cast(current_run.department as {{ dbt.type_string() }}) as department,
        cast(current_run.week_start as date) as week_start,
        cast(runs_with_previous.activities as integer) as activities,
        cast(runs_with_previous.previous_week_start as date) as previous_week_start,
        cast(current_run.participants as integer) as participants,
        cast(previous_run.participants as integer) as previous_participants,
        cast(current_run.active_headcount as integer) as active_headcount,
        cast(previous_run.active_headcount as integer) as previous_active_headcount,
        cast(current_run.participation_rate as numeric(18, 6)) as participation_rate,
        cast(previous_run.participation_rate as numeric(18, 6)) as previous_participation_rate,
        cast((current_run.participation_rate - previous_run.participation_rate) * 100
            as numeric(18, 4)) as participation_change_points,
        cast(current_run.interaction_rate as numeric(18, 6)) as interaction_rate,
        cast(previous_run.interaction_rate as numeric(18, 6)) as previous_interaction_rate,
        cast(current_run.interaction_rate - previous_run.interaction_rate as numeric(18, 6)) as interaction_change
    from measured as current_run
    inner join runs_with_previous
        on current_run.activity_type = runs_with_previous.activity_type
        and current_run.week_start = runs_with_previous.week_start
    left join measured as previous_run
        on current_run.activity_type = previous_run.activity_type
        and current_run.department = previous_run.department
        and runs_with_previous.previous_week_start = previous_run.week_start

)

select * from final
