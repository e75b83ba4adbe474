{#-
  Evening coverage per work date and team (domain section 1; seed 003: the 20:00-22:00 window had a 70%
  arrival rate). The window runs from var evening_window_start to var evening_window_end on each work date
  (an end at or before the start is on the next day).
  - rostered_staff: people whose shift that date overlaps the window (approved leave included: they were
    rostered, and the window lost them).
  - arrived_staff: those clocked in at or before the window start; arrival_share = arrived / rostered.
  - covered_minutes: per person, the part of the window inside their first-in / last-out session; a session
    without a checkout (missing_checkout) covers nothing, since nobody knows when it ended.
    coverage_share = covered minutes / (rostered staff x window minutes).
  Team and department come from dim_employee. Incremental by week_start like fct_attendance_daily.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

{%- set start_parts = var('evening_window_start').split(':') -%}
{%- set end_parts = var('evening_window_end').split(':') -%}
{%- set window_start_minute = (start_parts[0] | int) * 60 + (start_parts[1] | int) -%}
{%- set window_end_minute = (end_parts[0] | int) * 60 + (end_parts[1] | int) -%}
{%- if window_end_minute <= window_start_minute -%}
    {%- set window_end_minute = window_end_minute + 1440 -%}
{%- endif -%}
{%- set window_minutes = window_end_minute - window_start_minute %}

with

daily as (

    select * from {{ ref('fct_attendance_daily') }}
    where shift_code is not null
        and {{ partition_window_filter('week_start') }}

),

windowed as (

    select
        *,
        {{ dbt.dateadd('minute', window_start_minute, 'cast(work_date as timestamp)') }} as window_start_local,
        {{ dbt.dateadd('minute', window_end_minute, 'cast(work_date as timestamp)') }} as window_end_local
    from daily

),

rostered as (

    select * from windowed
    where scheduled_start_local < window_end_local
        and scheduled_end_local > window_start_local

),

people as (

    select employee_id, department, team from {{ ref('dim_employee') }}

),

measured as (

    select
        rostered.week_start,
        rostered.work_date,
        rostered.window_start_local,
        rostered.window_end_local,
        coalesce(people.department, 'unassigned') as department,
        coalesce(people.team, 'unassigned') as team,
        case when rostered.status = 'on_leave' then 1 else 0 end as on_leave,
        case
            when rostered.first_in_local is not null and rostered.first_in_local <= rostered.window_start_local
                then 1
            else 0
        end as arrived,
        case when rostered.status = 'missing_checkout' then 1 else 0 end as missing_checkout,
        case
            when rostered.status <> 'missing_checkout'
                and rostered.last_out_local is not null
                and rostered.first_in_local < rostered.window_end_local
                and rostered.last_out_local > rostered.window_start_local
                then {{ minutes_between(
                    'greatest(rostered.first_in_local, rostered.window_start_local)',
                    'least(rostered.last_out_local, rostered.window_end_local)'
                ) }}
            else 0
        end as covered_minutes
    from rostered
    left join people
        on rostered.employee_id = people.employee_id

),

per_team as (

    select
        week_start,
        work_date,
        department,
        team,
        min(window_start_local) as window_start_local,
        min(window_end_local) as window_end_local,
        count(*) as rostered_staff,
        sum(on_leave) as on_leave_staff,
        sum(arrived) as arrived_staff,
        sum(missing_checkout) as missing_checkout_staff,
        sum(covered_minutes) as covered_minutes
    from measured
    group by week_start, work_date, department, team

),

final as (

    select
        cast(week_start as date) as week_start,
        cast(work_date as date) as work_date,
        cast(department as {{ dbt.type_string() }}) as department,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(window_start_local as timestamp) as window_start_local,
        cast(window_end_local as timestamp) as window_end_local,
        cast(rostered_staff as integer) as rostered_staff,
        cast(on_leave_staff as integer) as on_leave_staff,
        cast(arrived_staff as integer) as arrived_staff,
        cast(arrived_staff * 1.0 / rostered_staff as numeric(18, 6)) as arrival_share,
        cast(missing_checkout_staff as integer) as missing_checkout_staff,
        cast(covered_minutes as integer) as covered_minutes,
        cast(rostered_staff * {{ window_minutes }} as integer) as rostered_window_minutes,
        cast(covered_minutes * 1.0 / (rostered_staff * {{ window_minutes }}) as numeric(18, 6)) as coverage_share,
        cast('{{ dbt.escape_single_quotes(var("plan_version") | string) }}' as {{ dbt.type_string() }}) as plan_version,
        cast('{{ dbt.escape_single_quotes(var("plan_hash") | string) }}' as {{ dbt.type_string() }}) as plan_hash
    from per_team

)

select * from final
