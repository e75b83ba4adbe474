{#-
  Employee x activity x week: what each employee did (events by type) and received (likes and comments on
  their stories from others, being the other side of a collaboration). An employee participated when they
  acted in the activity or completed a collaboration as its counterpart. Points are scoring's rule.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

events as (

    select * from {{ ref('fct_activity_events') }}
    where {{ partition_window_filter('week_start') }}

),

as_actor as (

    select
        employee_id,
        activity_id,
        week_start,
        max(activity_type) as activity_type,
        count(*) as events_total,
        sum(case when event_type = 'challenge_joined' then 1 else 0 end) as challenges_joined,
        sum(case when event_type = 'challenge_won' then 1 else 0 end) as challenges_won,
        sum(case when event_type = 'collaboration_completed' then 1 else 0 end) as collaborations_completed,
        sum(case when event_type = 'story_published' then 1 else 0 end) as stories_published,
        sum(case when event_type = 'story_liked' then 1 else 0 end) as likes_given,
        sum(case when event_type = 'story_commented' then 1 else 0 end) as comments_given,
        sum(case when event_type = 'quiz_answered' then 1 else 0 end) as quizzes_answered,
        sum(case when event_type = 'survey_answered' then 1 else 0 end) as surveys_answered
    from events
    group by employee_id, activity_id, week_start

),

as_counterpart as (

    select
        counterpart_id as employee_id,
        activity_id,
        week_start,
        max(activity_type) as activity_type,
        sum(case when event_type = 'story_liked' and counterpart_id <> employee_id then 1 else 0 end)
            as likes_received,
        sum(case when event_type = 'story_liked' and counterpart_id = employee_id then 1 else 0 end)
            as self_likes,
        sum(case when event_type = 'story_commented' and counterpart_id <> employee_id then 1 else 0 end)
            as comments_received,
        sum(case when event_type = 'collaboration_completed' then 1 else 0 end) as collaborations_as_counterpart
    from events
    where counterpart_id is not null
    group by counterpart_id, activity_id, week_start

),

employee_activity_weeks as (

    select employee_id, activity_id, week_start from as_actor
    union
    select employee_id, activity_id, week_start from as_counterpart

),

final as (

    select
        cast(keys.employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(keys.activity_id as {{ dbt.type_string() }}) as activity_id,
        cast(coalesce(as_actor.activity_type, as_counterpart.activity_type) as {{ dbt.type_string() }})
            as activity_type,
        cast(keys.week_start as date) as week_start,
        cast(coalesce(as_actor.events_total, 0) as integer) as events_total,
        cast(coalesce(as_actor.challenges_joined, 0) as integer) as challenges_joined,
        cast(coalesce(as_actor.challenges_won, 0) as integer) as challenges_won,
        cast(coalesce(as_actor.collaborations_completed, 0) as integer) as collaborations_completed,
        cast(coalesce(as_counterpart.collaborations_as_counterpart, 0) as integer) as collaborations_as_counterpart,
        cast(coalesce(as_actor.stories_published, 0) as integer) as stories_published,
        cast(coalesce(as_actor.likes_given, 0) as integer) as likes_given,
        cast(coalesce(as_actor.comments_given, 0) as integer) as comments_given,
        cast(coalesce(as_actor.quizzes_answered, 0) as integer) as quizzes_answered,
        cast(coalesce(as_actor.surveys_answered, 0) as integer) as surveys_answered,
        cast(coalesce(as_counterpart.likes_received, 0) as integer) as likes_received,
        cast(coalesce(as_counterpart.comments_received, 0) as integer) as comments_received,
        cast(coalesce(as_counterpart.self_likes, 0) as integer) as self_likes,
        (
            coalesce(as_actor.events_total, 0) > 0
            or coalesce(as_counterpart.collaborations_as_counterpart, 0) > 0
        ) as participated
    from employee_activity_weeks as keys
    left join as_actor
        on keys.employee_id = as_actor.employee_id
        and keys.activity_id = as_actor.activity_id
        and keys.week_start = as_actor.week_start
    left join as_counterpart
        on keys.employee_id = as_counterpart.employee_id
        and keys.activity_id = as_counterpart.activity_id
        and keys.week_start = as_counterpart.week_start

)

select * from final
