{#-
  Activity type x department x team x week (domain section 4 analytics; the project-group cut is
  rpt_activity_participation_by_group_weekly): participants (distinct employees who took part in any activity of
  the type that week), active headcount (employees employed on some day of the week), participation rate =
  participants / headcount and interaction rate = likes and comments given by participants / participants.
  Teams with headcount but no participant are kept (rate 0); participants no longer in an active team still count
  under their last known team.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

participation as (

    select * from {{ ref('fct_activity_participation_weekly') }}
    where {{ partition_window_filter('week_start') }}
        and activity_type is not null

),

employees as (

    select
        employee_id,
        coalesce(department, '(none)') as department,
        coalesce(team, '(none)') as team,
        hire_date,
        termination_date
    from {{ ref('dim_employee') }}

),

type_weeks as (

    select
        activity_type,
        week_start,
        count(distinct activity_id) as activities
    from participation
    group by activity_type, week_start

),

headcount as (

    select
        type_weeks.activity_type,
        type_weeks.week_start,
        employees.department,
        employees.team,
        count(*) as active_headcount
    from type_weeks
    cross join employees
    where (employees.hire_date is null
            or employees.hire_date < {{ dbt.dateadd('day', 7, 'type_weeks.week_start') }})
        and (employees.termination_date is null or employees.termination_date >= type_weeks.week_start)
    group by type_weeks.activity_type, type_weeks.week_start, employees.department, employees.team

),

participants as (

    select
        participation.activity_type,
        participation.week_start,
        coalesce(employees.department, '(unknown)') as department,
        coalesce(employees.team, '(unknown)') as team,
        count(distinct case when participation.participated then participation.employee_id end) as participants,
        sum(case when participation.participated then participation.likes_given + participation.comments_given
            else 0 end) as interactions
    from participation
    left join employees
        on participation.employee_id = employees.employee_id
    group by
        participation.activity_type,
        participation.week_start,
        coalesce(employees.department, '(unknown)'),
        coalesce(employees.team, '(unknown)')

),

team_keys as (

    select activity_type, week_start, department, team from headcount
    union
    select activity_type, week_start, department, team from participants

),

final as (

    select
        cast(team_keys.activity_type as {{ dbt.type_string() }}) as activity_type,
        cast(team_keys.department as {{ dbt.type_string() }}) as department,
        cast(team_keys.team as {{ dbt.type_string() }}) as team,
        cast(team_keys.week_start as date) as week_start,
        cast(type_weeks.activities as integer) as activities,
        cast(coalesce(participants.participants, 0) as integer) as participants,
        cast(coalesce(headcount.active_headcount, 0) as integer) as active_headcount,
        cast(coalesce(participants.interactions, 0) as integer) as interactions,
        cast(coalesce(participants.participants, 0) * 1.0 / nullif(headcount.active_headcount, 0)
            as numeric(18, 6)) as participation_rate,
        cast(participants.interactions * 1.0 / nullif(participants.participants, 0)
            as numeric(18, 6)) as interaction_rate
    from team_keys
    inner join type_weeks
        on team_keys.activity_type = type_weeks.activity_type
        and team_keys.week_start = type_weeks.week_start
    left join headcount
        on team_keys.activity_type = headcount.activity_type
        and team_keys.week_start = headcount.week_start
        and team_keys.department = headcount.department
        and team_keys.team = headcount.team
    left join participants
        on team_keys.activity_type = participants.activity_type
        and team_keys.week_start = participants.week_start
        and team_keys.department = participants.department
        and team_keys.team = participants.team

)

select * from final
