{#-
  Roster findings to fix before a roster is published (domain section 1), one row per finding, from the shift
  instances (an overnight shift belongs to its start date and counts its full length):
  - over_weekly_hours: the ISO week's scheduled hours net of unpaid breaks exceed var weekly_hours_cap;
    work_date is the shift that takes the week over the cap, measured_hours the week's hours.
  - overlapping_shifts: a shift starts before the person's previous shift has ended; measured_hours is the
    overlap.
  - short_rest: less than var min_rest_hours between the end of a shift and the start of the person's next one;
    measured_hours is the rest.
  Each shift is compared with the person's previous shift by start time; a pair finding belongs to the week of
  its later shift (the one to move). Rebuilt in full on every run: the roster is small and a finding can span a
  week edge.
-#}
{%- set hours_cap = var('weekly_hours_cap') -%}
{%- set min_rest_hours = var('min_rest_hours') -%}

with

instances as (

    select * from {{ ref('int_shift_instances') }}

),

shifts as (

    select
        employee_id,
        week_start,
        work_date,
        shift_code,
        scheduled_start_local,
        scheduled_end_local,
        scheduled_minutes - unpaid_break_minutes as paid_minutes,
        {{ dbt.concat([
            "cast(work_date as " ~ dbt.type_string() ~ ")", "' '", "shift_code", "' '",
            "substr(cast(scheduled_start_local as " ~ dbt.type_string() ~ "), 12, 5)", "'-'",
            "substr(cast(scheduled_end_local as " ~ dbt.type_string() ~ "), 12, 5)",
        ]) }} as shift_label
    from instances

),

sequenced as (

    select
        *,
        lag(work_date) over (
            partition by employee_id order by scheduled_start_local, work_date
        ) as previous_work_date,
        lag(shift_code) over (
            partition by employee_id order by scheduled_start_local, work_date
        ) as previous_shift_code,
        lag(scheduled_end_local) over (
            partition by employee_id order by scheduled_start_local, work_date
        ) as previous_end_local,
        lag(shift_label) over (
            partition by employee_id order by scheduled_start_local, work_date
        ) as previous_shift_label
    from shifts

),

pairs as (

    select
        *,
        case
            when previous_end_local > scheduled_start_local then 'overlapping_shifts'
            else 'short_rest'
        end as check_name,
        case
            when previous_end_local > scheduled_start_local
                then {{ minutes_between(
                    'scheduled_start_local',
                    'least(previous_end_local, scheduled_end_local)'
                ) }}
            else {{ minutes_between('previous_end_local', 'scheduled_start_local') }}
        end as measured_minutes
    from sequenced
    where previous_end_local is not null
        and previous_end_local > {{ dbt.dateadd('minute', -60 * min_rest_hours, 'scheduled_start_local') }}

),

pair_findings as (

    select
        employee_id,
        week_start,
        check_name,
        work_date,
        previous_work_date,
        {{ dbt.concat(["previous_shift_code", "','", "shift_code"]) }} as shift_codes,
        {{ dbt.concat(["previous_shift_label", "'; '", "shift_label"]) }} as shifts_involved,
        cast(measured_minutes / 60.0 as numeric(18, 2)) as measured_hours,
        cast(case when check_name = 'short_rest' then {{ min_rest_hours }} else 0 end as numeric(18, 2))
            as limit_hours,
        case
            when check_name = 'overlapping_shifts'
                then {{ dbt.concat([
                    "shift_label", "' starts '",
                    "cast(cast(measured_minutes / 60.0 as numeric(18, 1)) as " ~ dbt.type_string() ~ ")",
                    "' h before '", "previous_shift_label", "' ends'",
                ]) }}
            else {{ dbt.concat([
                "'only '",
                "cast(cast(measured_minutes / 60.0 as numeric(18, 1)) as " ~ dbt.type_string() ~ ")",
                "' h rest between '", "previous_shift_label", "' and '", "shift_label",
                "' (minimum " ~ min_rest_hours ~ " h)'",
            ]) }}
        end as detail
    from pairs

),

weekly_running as (

    select
        *,
        sum(paid_minutes) over (
            partition by employee_id, week_start
            order by scheduled_start_local, work_date
            rows between unbounded preceding and current row
        ) as running_minutes,
        sum(paid_minutes) over (partition by employee_id, week_start) as week_minutes,
        count(*) over (partition by employee_id, week_start) as week_shifts
    from shifts

),

week_shift_lists as (

    select
        employee_id,
        week_start,
        {{ dbt.listagg('shift_code', "','", 'order by scheduled_start_local') }} as shift_codes,
        {{ dbt.listagg('shift_label', "'; '", 'order by scheduled_start_local') }} as shifts_involved
    from shifts
    group by employee_id, week_start

),

weekly_findings as (

    select
        weekly_running.employee_id,
        weekly_running.week_start,
        'over_weekly_hours' as check_name,
        weekly_running.work_date,
        cast(null as date) as previous_work_date,
        week_shift_lists.shift_codes,
        week_shift_lists.shifts_involved,
        cast(weekly_running.week_minutes / 60.0 as numeric(18, 2)) as measured_hours,
        cast({{ hours_cap }} as numeric(18, 2)) as limit_hours,
        {{ dbt.concat([
            "'rostered '",
            "cast(cast(weekly_running.week_minutes / 60.0 as numeric(18, 1)) as " ~ dbt.type_string() ~ ")",
            "' h in the week of '", "cast(weekly_running.week_start as " ~ dbt.type_string() ~ ")",
            "' (cap " ~ hours_cap ~ " h) over '",
            "cast(weekly_running.week_shifts as " ~ dbt.type_string() ~ ")",
            "' shifts; '", "weekly_running.shift_label", "' takes it over the cap'",
        ]) }} as detail
    from weekly_running
    inner join week_shift_lists
        on weekly_running.employee_id = week_shift_lists.employee_id
        and weekly_running.week_start = week_shift_lists.week_start
    where weekly_running.week_minutes > {{ hours_cap }} * 60
        and weekly_running.running_minutes > {{ hours_cap }} * 60
        and weekly_running.running_minutes - weekly_running.paid_minutes <= {{ hours_cap }} * 60

),

findings as (

    select * from weekly_findings
    union all
    select * from pair_findings

),

final as (

    select
        cast(employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(week_start as date) as week_start,
        cast(check_name as {{ dbt.type_string() }}) as check_name,
        cast(work_date as date) as work_date,
        cast(previous_work_date as date) as previous_work_date,
        cast(shift_codes as {{ dbt.type_string() }}) as shift_codes,
        cast(shifts_involved as {{ dbt.type_string() }}) as shifts_involved,
        cast(measured_hours as numeric(18, 2)) as measured_hours,
        cast(limit_hours as numeric(18, 2)) as limit_hours,
        cast(detail as {{ dbt.type_string() }}) as detail,
        cast('{{ dbt.escape_single_quotes(var("plan_version") | string) }}' as {{ dbt.type_string() }}) as plan_version,
        cast('{{ dbt.escape_single_quotes(var("plan_hash") | string) }}' as {{ dbt.type_string() }}) as plan_hash
    from findings

)

select * from final
