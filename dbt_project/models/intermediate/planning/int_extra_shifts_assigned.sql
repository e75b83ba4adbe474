{#-
  Next week's short hours (required agents above the rostered ones) grouped into shift-sized blocks with the
  shift table. A simple rule a planner can follow by hand, not an optimiser:
  1. Candidates: each shift definition the forecast role worked in the history weeks or is rostered on next
     week (code, start time, length; the latest definition of a code), on each day of next week.
  2. Each short hour goes to the candidate that covers the whole hour and, of those, covers the most shortfall
     agent-hours of the week; ties go to the shorter shift (less idle time), then the earlier start, then the
     code.
  3. A candidate then needs as many extra shifts as the largest shortfall among the hours it was given, so every
     short hour some shift can cover is covered. An hour no shift covers keeps a null shift_code.
  One row per short hour.
-#}
{%- set next_week = "cast('" ~ window_end() ~ "' as date)" -%}
{%- set next_week_timestamp = "cast(" ~ next_week ~ " as timestamp)" -%}
{%- set history_weeks = var('forecast_history_weeks') | int -%}

with

short_hours as (

    select * from {{ ref('int_staffing_hours_next_week') }}
    where shortfall_agents > 0

),

agents as (

    select employee_id
    from {{ ref('dim_employee') }}
    where role = '{{ dbt.escape_single_quotes(var("staffing_forecast_role") | string) }}'

),

shift_versions as (

    select
        shifts.shift_code,
        {{ dbt.datediff('cast(shifts.work_date as timestamp)', 'shifts.scheduled_start_local', 'minute') }}
            as start_offset_minutes,
        shifts.scheduled_minutes,
        row_number() over (
            partition by shifts.shift_code
            order by shifts.work_date desc, shifts.employee_id
        ) as version_rank
    from {{ ref('int_shift_instances') }} as shifts
    inner join agents
        on shifts.employee_id = agents.employee_id
    where shifts.work_date >= cast({{ dbt.dateadd('day', -7 * history_weeks, next_week) }} as date)
        and shifts.work_date < cast({{ dbt.dateadd('day', 7, next_week) }} as date)

),

shift_definitions as (

    select shift_code, start_offset_minutes, scheduled_minutes
    from shift_versions
    where version_rank = 1

),

days as (

    select cast(generated_number - 1 as integer) as day_offset
    from ({{ dbt.generate_series(7) }}) as series

),

candidates as (

    select
        shift_definitions.shift_code,
        shift_definitions.scheduled_minutes,
        cast({{ dbt.dateadd('day', 'days.day_offset', next_week) }} as date) as work_date,
        {{ dbt.dateadd(
            'minute',
            'days.day_offset * 1440 + shift_definitions.start_offset_minutes',
            next_week_timestamp
        ) }} as shift_start_local,
        {{ dbt.dateadd(
            'minute',
            'days.day_offset * 1440 + shift_definitions.start_offset_minutes + shift_definitions.scheduled_minutes',
            next_week_timestamp
        ) }} as shift_end_local
    from shift_definitions
    cross join days

),

covering as (

    select
        short_hours.hour_of_week,
        short_hours.shortfall_agents,
        candidates.work_date,
        candidates.shift_code,
        candidates.scheduled_minutes,
        candidates.shift_start_local,
        candidates.shift_end_local
    from short_hours
    inner join candidates
        on candidates.shift_start_local <= short_hours.hour_start_local
        and candidates.shift_end_local >= {{ dbt.dateadd('hour', 1, 'short_hours.hour_start_local') }}

),

candidate_scores as (

    select
        work_date,
        shift_code,
        sum(shortfall_agents) as covered_shortfall
    from covering
    group by work_date, shift_code

),

ranked as (

    select
        covering.*,
        row_number() over (
            partition by covering.hour_of_week
            order by
                candidate_scores.covered_shortfall desc,
                covering.scheduled_minutes,
                covering.shift_start_local,
                covering.shift_code
        ) as preference
    from covering
    inner join candidate_scores
        on covering.work_date = candidate_scores.work_date
        and covering.shift_code = candidate_scores.shift_code

),

final as (

    select
        short_hours.week_start,
        short_hours.hour_of_week,
        short_hours.hour_start_local,
        short_hours.shortfall_agents,
        short_hours.roster_basis,
        ranked.work_date,
        ranked.shift_code,
        ranked.shift_start_local,
        ranked.shift_end_local
    from short_hours
    left join ranked
        on short_hours.hour_of_week = ranked.hour_of_week
        and ranked.preference = 1

)

select * from final
