{#-
  Activity events, each counted once however often it arrived (the first arrival wins: earliest occurrence,
  then earliest load). The week is the ISO week of the local occurrence date.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

events as (

    select
        *,
        row_number() over (
            partition by event_id
            order by occurred_at_utc, partition_week_start, _source_ref
        ) as arrival_rank,
        count(*) over (partition by event_id) as times_received
    from {{ ref('stg_activities__events') }}

),

first_arrivals as (

    select
        *,
        cast({{ utc_to_local('occurred_at_utc', var('timezone')) }} as date) as occurred_local_date
    from events
    where arrival_rank = 1

),

final as (

    select
        cast(event_id as {{ dbt.type_string() }}) as event_id,
        {{ week_start_of('occurred_local_date') }} as week_start,
        cast(event_type as {{ dbt.type_string() }}) as event_type,
        cast(activity_id as {{ dbt.type_string() }}) as activity_id,
        cast(activity_type as {{ dbt.type_string() }}) as activity_type,
        cast(employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(counterpart_id as {{ dbt.type_string() }}) as counterpart_id,
        cast(story_id as {{ dbt.type_string() }}) as story_id,
        cast(team_id as {{ dbt.type_string() }}) as team_id,
        cast(prerequisite_course as {{ dbt.type_string() }}) as prerequisite_course,
        cast(partition_week_start as date) as received_week_start,
        cast(occurred_at_utc as timestamp) as occurred_at_utc,
        cast(occurred_local_date as date) as occurred_local_date,
        cast(times_received as integer) as times_received,
        cast(_source_ref as {{ dbt.type_string() }}) as source_ref
    from first_arrivals
    where {{ partition_window_filter(week_start_of('occurred_local_date')) }}

)

select * from final
