{#-
  The extra shifts next week needs, one row per shift (code and start): the short hours of the staffing
  forecast grouped into shift-sized blocks by the rule in int_extra_shifts_assigned. extra_shifts is the
  largest shortfall among the hours the shift was given; short_hours and shortfall_agent_hours say how much of
  the gap it closes. Hours no shift of the table covers are not here (rpt_staffing_forecast_next_week keeps
  them as remaining_shortfall).
-#}
with

assigned as (

    select * from {{ ref('int_extra_shifts_assigned') }}
    where shift_code is not null

),

per_shift as (

    select
        week_start,
        work_date,
        shift_code,
        shift_start_local,
        shift_end_local,
        roster_basis,
        max(shortfall_agents) as extra_shifts,
        count(*) as short_hours,
        sum(shortfall_agents) as shortfall_agent_hours,
        min(hour_start_local) as first_short_hour_local,
        max({{ dbt.dateadd('hour', 1, 'hour_start_local') }}) as short_hours_end_local
    from assigned
    group by week_start, work_date, shift_code, shift_start_local, shift_end_local, roster_basis

),

final as (

    select
        cast(week_start as date) as week_start,
        cast(work_date as date) as work_date,
        cast(shift_code as {{ dbt.type_string() }}) as shift_code,
        cast(shift_start_local as timestamp) as shift_start_local,
        cast(shift_end_local as timestamp) as shift_end_local,
        cast(extra_shifts as integer) as extra_shifts,
        cast(short_hours as integer) as short_hours,
        cast(shortfall_agent_hours as integer) as shortfall_agent_hours,
        cast(roster_basis as {{ dbt.type_string() }}) as roster_basis,
        cast({{ dbt.concat([
            "'+'", "cast(extra_shifts as " ~ dbt.type_string() ~ ")", "' '", "shift_code",
            "' on '", "cast(work_date as " ~ dbt.type_string() ~ ")",
            "' ('", "substr(cast(shift_start_local as " ~ dbt.type_string() ~ "), 12, 5)", "'-'",
            "substr(cast(shift_end_local as " ~ dbt.type_string() ~ "), 12, 5)",
            "'): '", "cast(short_hours as " ~ dbt.type_string() ~ ")",
            "' short hour(s) between '",
            "substr(cast(first_short_hour_local as " ~ dbt.type_string() ~ "), 12, 5)",
            "' and '", "substr(cast(short_hours_end_local as " ~ dbt.type_string() ~ "), 12, 5)",
            "', up to '", "cast(extra_shifts as " ~ dbt.type_string() ~ ")", "' agent(s) short'",
        ]) }} as {{ dbt.type_string() }}) as detail,
        cast('{{ dbt.escape_single_quotes(var("plan_version") | string) }}' as {{ dbt.type_string() }}) as plan_version,
        cast('{{ dbt.escape_single_quotes(var("plan_hash") | string) }}' as {{ dbt.type_string() }}) as plan_hash
    from per_shift

)

select * from final
