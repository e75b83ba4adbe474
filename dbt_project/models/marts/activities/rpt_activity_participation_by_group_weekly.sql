{#-
  Activity x department x project group x week (domain section 4 analytics): participants, active headcount
  (employees employed during the week), participation rate = participants / headcount and interaction rate =
  likes and comments given by participants / participants. Groups with headcount but no participant are kept
  (rate 0); participants no longer in an active group still count under their last known group.
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

),

employees as (

    select
        employee_id,
        coalesce(department, '(none)') as department,
        coalesce(project_group, '(none)') as project_group,
        hire_date,
        termination_date
    from {{ ref('dim_employee') }}

),

activity_weeks as (

    select
        activity_id,
        week_start,
        max(activity_type) as activity_type
    from participation
    group by activity_id, week_start

),

headcount as (

    select
        activity_weeks.activity_id,
        activity_weeks.week_start,
        employees.department,
        employees.project_group,
        count(*) as active_headcount
    from activity_weeks
    cross join employees
    where (employees.hire_date is null
            or employees.hire_date < {{ dbt.dateadd('day', 7, 'activity_weeks.week_start') }})
        and (employees.termination_date is null or employees.termination_date >= activity_weeks.week_start)
    group by activity_weeks.activity_id, activity_weeks.week_start, employees.department, employees.project_group

),

participants as (

    select
        participation.activity_id,
        participation.week_start,
        coalesce(employees.department, '(unknown)') as department,
        coalesce(employees.project_group, '(unknown)') as project_group,
        count(distinct case when participation.participated then participation.employee_id end) as participants,
        sum(case when participation.participated then participation.likes_given + participation.comments_given
            else 0 end) as interactions
    from participation
    left join employees
        on participation.employee_id = employees.employee_id
    group by
        participation.activity_id,
        participation.week_start,
        coalesce(employees.department, '(unknown)'),
        coalesce(employees.project_group, '(unknown)')

),

group_keys as (

    select activity_id, week_start, department, project_group from headcount
    union
    select activity_id, week_start, department, project_group from participants

),

final as (

    select
        cast(group_keys.activity_id as {{ dbt.type_string() }}) as activity_id,
        cast(activity_weeks.activity_type as {{ dbt.type_string() }}) as activity_type,
        cast(group_keys.department as {{ dbt.type_string() }}) as department,
        cast(group_keys.project_group as {{ dbt.type_string() }}) as project_group,
        cast(group_keys.week_start as date) as week_start,
        cast(coalesce(participants.participants, 0) as integer) as participants,
        cast(coalesce(headcount.active_headcount, 0) as integer) as active_headcount,
        cast(coalesce(participants.interactions, 0) as integer) as interactions,
        cast(coalesce(participants.participants, 0) * 1.0 / nullif(headcount.active_headcount, 0)
            as numeric(18, 6)) as participation_rate,
        cast(participants.interactions * 1.0 / nullif(participants.participants, 0)
            as numeric(18, 6)) as interaction_rate
    from group_keys
    inner join activity_weeks
        on group_keys.activity_id = activity_weeks.activity_id
        and group_keys.week_start = activity_weeks.week_start
    left join headcount
        on group_keys.activity_id = headcount.activity_id
        and group_keys.week_start = headcount.week_start
        and group_keys.department = headcount.department
        and group_keys.project_group = headcount.project_group
    left join participants
        on group_keys.activity_id = participants.activity_id
        and group_keys.week_start = participants.week_start
        and group_keys.department = participants.department
        and group_keys.project_group = participants.project_group

)

select * from final
