{#-
  Next week's customer-service staffing forecast per hour (domain section 1): demand = mean of the same
  hour-of-week over the last var forecast_history_weeks weeks x (1 + the uplift of the promotions covering the
  hour); required agents = ceil(demand / var inquiries_per_agent_hour); rostered agents from next week's roster,
  or last week's pattern when next week is not rostered yet (roster_basis says which); the gap between them.
  The recommended extra shifts (rpt_extra_shifts_recommended_next_week) group the short hours into shift-sized
  blocks with the shift table: each short hour goes to the shift of the table (on a day of next week) that
  covers it and the most shortfall agent-hours (ties: shorter shift, earlier start, code), and a shift gets as
  many extra people as the largest shortfall among its hours (int_extra_shifts_assigned has the rule in full).
  Here, extra_agents_recommended counts the recommended shifts covering the hour and remaining_shortfall is
  what they leave uncovered (hours no shift of the table covers). Next week is the week from var week_end;
  the table is rebuilt by every run. Empty without inquiry history.
-#}
with

hours as (

    select * from {{ ref('int_staffing_hours_next_week') }}

),

assigned as (

    select * from {{ ref('int_extra_shifts_assigned') }}

),

recommended_shifts as (

    select
        shift_code,
        shift_start_local,
        shift_end_local,
        max(shortfall_agents) as extra_shifts
    from assigned
    where shift_code is not null
    group by shift_code, shift_start_local, shift_end_local

),

added as (

    select
        hours.hour_of_week,
        sum(recommended_shifts.extra_shifts) as extra_agents
    from hours
    inner join recommended_shifts
        on recommended_shifts.shift_start_local <= hours.hour_start_local
        and recommended_shifts.shift_end_local >= {{ dbt.dateadd('hour', 1, 'hours.hour_start_local') }}
    group by hours.hour_of_week

),

final as (

    select
        cast(hours.week_start as date) as week_start,
        cast(hours.hour_start_local as timestamp) as hour_start_local,
        cast(hours.hour_of_week as integer) as hour_of_week,
        cast(hours.history_weeks as integer) as history_weeks,
        cast(hours.mean_inquiries as numeric(18, 4)) as mean_inquiries,
        cast(hours.promotion_ids as {{ dbt.type_string() }}) as promotion_ids,
        cast(hours.promotion_uplift as numeric(18, 4)) as promotion_uplift,
        cast(hours.forecast_inquiries as numeric(18, 4)) as forecast_inquiries,
        cast({{ var('inquiries_per_agent_hour') }} as numeric(18, 4)) as inquiries_per_agent_hour,
        cast(hours.required_agents as integer) as required_agents,
        cast(hours.rostered_agents as integer) as rostered_agents,
        cast(hours.roster_basis as {{ dbt.type_string() }}) as roster_basis,
        cast(hours.agent_gap as integer) as agent_gap,
        cast(hours.shortfall_agents as integer) as shortfall_agents,
        cast(coalesce(added.extra_agents, 0) as integer) as extra_agents_recommended,
        cast(greatest(hours.shortfall_agents - coalesce(added.extra_agents, 0), 0) as integer) as remaining_shortfall,
        cast(
            case
                when assigned.shift_code is not null
                    then {{ dbt.concat([
                        "assigned.shift_code", "' '",
                        "substr(cast(assigned.shift_start_local as " ~ dbt.type_string() ~ "), 1, 16)",
                    ]) }}
            end as {{ dbt.type_string() }}
        ) as covered_by_shift,
        cast('{{ dbt.escape_single_quotes(var("plan_version") | string) }}' as {{ dbt.type_string() }}) as plan_version,
        cast('{{ dbt.escape_single_quotes(var("plan_hash") | string) }}' as {{ dbt.type_string() }}) as plan_hash
    from hours
    left join added
        on hours.hour_of_week = added.hour_of_week
    left join assigned
        on hours.hour_of_week = assigned.hour_of_week

)

select * from final
