{#-
  Activity x department x week feedback (domain section 4: "feedback score"): how many rated the activity, their
  mean 1-5 score, and the response rate among the activity's participants. A re-exported or changed rating counts
  once: each person's latest rating of an activity. A rating belongs to the ISO week of its local submission
  date; the department is the rater's (departments with participants but no rating are kept, mean null).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

ratings as (

    select
        activity_id,
        employee_id,
        score,
        cast({{ utc_to_local('submitted_at_utc', var('timezone')) }} as date) as submitted_local_date,
        row_number() over (
            partition by activity_id, employee_id
            order by submitted_at_utc desc, partition_week_start desc, _source_ref desc
        ) as rating_rank
    from {{ ref('stg_activities__feedback') }}

),

latest_ratings as (

    select
        activity_id,
        employee_id,
        score,
        {{ week_start_of('submitted_local_date') }} as week_start
    from ratings
    where rating_rank = 1

),

participation as (

    select activity_id, employee_id, week_start, activity_type
    from {{ ref('fct_activity_participation_weekly') }}
    where participated and {{ partition_window_filter('week_start') }}

),

activity_types as (

    select activity_id, max(activity_type) as activity_type
    from {{ ref('fct_activity_events') }}
    group by activity_id

),

employees as (

    select employee_id, coalesce(department, '(none)') as department
    from {{ ref('dim_employee') }}

),

participants as (

    select
        participation.activity_id,
        participation.week_start,
        coalesce(employees.department, '(unknown)') as department,
        count(distinct participation.employee_id) as participants
    from participation
    left join employees
        on participation.employee_id = employees.employee_id
    group by participation.activity_id, participation.week_start, coalesce(employees.department, '(unknown)')

),

responses as (

    select
        latest_ratings.activity_id,
        latest_ratings.week_start,
        coalesce(employees.department, '(unknown)') as department,
        count(*) as responses,
        sum(case when participation.employee_id is not null then 1 else 0 end) as responding_participants,
        sum(latest_ratings.score) as score_total
    from latest_ratings
    left join employees
        on latest_ratings.employee_id = employees.employee_id
    left join participation
        on latest_ratings.activity_id = participation.activity_id
        and latest_ratings.employee_id = participation.employee_id
        and latest_ratings.week_start = participation.week_start
    where {{ partition_window_filter('latest_ratings.week_start') }}
    group by latest_ratings.activity_id, latest_ratings.week_start, coalesce(employees.department, '(unknown)')

),

group_keys as (

    select activity_id, week_start, department from participants
    union
    select activity_id, week_start, department from responses

),

final as (

    select
        cast(group_keys.activity_id as {{ dbt.type_string() }}) as activity_id,
        cast(activity_types.activity_type as {{ dbt.type_string() }}) as activity_type,
        cast(group_keys.department as {{ dbt.type_string() }}) as department,
        cast(group_keys.week_start as date) as week_start,
        cast(coalesce(participants.participants, 0) as integer) as participants,
        cast(coalesce(responses.responses, 0) as integer) as responses,
        cast(coalesce(responses.responding_participants, 0) as integer) as responding_participants,
        cast(responses.score_total * 1.0 / nullif(responses.responses, 0) as numeric(18, 4)) as mean_score,
        cast(coalesce(responses.responding_participants, 0) * 1.0 / nullif(participants.participants, 0)
            as numeric(18, 6)) as response_rate
    from group_keys
    left join activity_types
        on group_keys.activity_id = activity_types.activity_id
    left join participants
        on group_keys.activity_id = participants.activity_id
        and group_keys.week_start = participants.week_start
        and group_keys.department = participants.department
    left join responses
        on group_keys.activity_id = responses.activity_id
        and group_keys.week_start = responses.week_start
        and group_keys.department = responses.department

)

select * from final
