{#-
  Next week's customer-service demand and roster, per hour (domain section 1, staffing forecast). Next week is
  the week starting var week_end, the Monday after the run's window.

  - mean_inquiries: inquiries of the same hour-of-week averaged over the var forecast_history_weeks weeks before
    next week. Weeks without any inquiry row are left out of the mean; an hour missing from a week that has data
    counts as 0 inquiries.
  - promotion_uplift: the uplifts of the promotions whose dates cover the hour, added up; the calendar is the
    latest snapshot loaded for a week before next week (so a recomputed window sees what was known then).
  - forecast_inquiries = mean_inquiries x (1 + promotion_uplift); required_agents = ceil(forecast_inquiries /
    var inquiries_per_agent_hour).
  - rostered_agents: staff whose dim_employee role is var staffing_forecast_role and whose shift covers the whole
    hour (breaks are not taken out), leaving out people whose last day is before next week. The shifts are next
    week's roster when any shift of that role is rostered for next week (roster_basis `next_week_roster`),
    otherwise last week's shifts moved on by seven days (`last_week_pattern`); a shift that starts the Sunday
    before and runs into Monday counts either way.
  Without any inquiry history there is no forecast: the model is empty.
-#}
{%- set next_week = "cast('" ~ window_end() ~ "' as date)" -%}
{%- set next_week_timestamp = "cast(" ~ next_week ~ " as timestamp)" -%}
{%- set history_weeks = var('forecast_history_weeks') | int -%}

with

hours_of_week as (

    select cast(generated_number - 1 as integer) as hour_of_week
    from ({{ dbt.generate_series(168) }}) as series

),

forecast_hours as (

    select
        hour_of_week,
        {{ dbt.dateadd('hour', 'hour_of_week', next_week_timestamp) }} as hour_start_local
    from hours_of_week

),

history as (

    select
        week_start,
        {{ dbt.datediff('cast(week_start as timestamp)', 'hour_start_local', 'hour') }} as hour_of_week,
        inquiries
    from {{ ref('int_service_inquiries_deduplicated') }}
    where week_start >= cast({{ dbt.dateadd('day', -7 * history_weeks, next_week) }} as date)
        and week_start < {{ next_week }}

),

history_weeks as (

    select count(distinct week_start) as weeks_with_data
    from history

),

demand_history as (

    select
        hour_of_week,
        sum(inquiries) as inquiries
    from history
    group by hour_of_week

),

promotion_snapshots as (

    select * from {{ ref('stg_planning__promotions') }}
    where partition_week_start < {{ next_week }}

),

promotions as (

    select
        promotion_id,
        start_date,
        end_date,
        uplift,
        row_number() over (partition by promotion_id order by _source_ref desc) as version_rank
    from promotion_snapshots
    where partition_week_start = (select max(partition_week_start) from promotion_snapshots)

),

hourly_uplift as (

    select
        forecast_hours.hour_of_week,
        sum(promotions.uplift) as uplift,
        {{ dbt.listagg('promotions.promotion_id', "','", 'order by promotions.promotion_id') }} as promotion_ids
    from forecast_hours
    inner join promotions
        on cast(forecast_hours.hour_start_local as date) between promotions.start_date and promotions.end_date
    where promotions.version_rank = 1
    group by forecast_hours.hour_of_week

),

agents as (

    select employee_id
    from {{ ref('dim_employee') }}
    where role = '{{ dbt.escape_single_quotes(var("staffing_forecast_role") | string) }}'
        and (termination_date is null or termination_date >= {{ next_week }})

),

agent_shifts as (

    select
        shifts.employee_id,
        shifts.work_date,
        shifts.scheduled_start_local,
        shifts.scheduled_end_local
    from {{ ref('int_shift_instances') }} as shifts
    inner join agents
        on shifts.employee_id = agents.employee_id
    where shifts.work_date >= cast({{ dbt.dateadd('day', -7, next_week) }} as date)
        and shifts.work_date < cast({{ dbt.dateadd('day', 7, next_week) }} as date)

),

roster_basis as (

    select
        case
            when sum(case when work_date >= {{ next_week }} then 1 else 0 end) > 0 then 'next_week_roster'
            else 'last_week_pattern'
        end as roster_basis
    from agent_shifts

),

planned_shifts as (

    select
        agent_shifts.employee_id,
        case
            when roster_basis.roster_basis = 'last_week_pattern'
                then {{ dbt.dateadd('day', 7, 'agent_shifts.scheduled_start_local') }}
            else agent_shifts.scheduled_start_local
        end as shift_start_local,
        case
            when roster_basis.roster_basis = 'last_week_pattern'
                then {{ dbt.dateadd('day', 7, 'agent_shifts.scheduled_end_local') }}
            else agent_shifts.scheduled_end_local
        end as shift_end_local
    from agent_shifts
    cross join roster_basis
    where (roster_basis.roster_basis = 'next_week_roster' and agent_shifts.work_date >= {{ next_week }})
        or (roster_basis.roster_basis = 'last_week_pattern' and agent_shifts.work_date < {{ next_week }})

    union all

    -- last week's shifts that run into next week's Monday
    select
        employee_id,
        scheduled_start_local as shift_start_local,
        scheduled_end_local as shift_end_local
    from agent_shifts
    where work_date < {{ next_week }}
        and scheduled_end_local > {{ next_week_timestamp }}

),

rostered as (

    select
        forecast_hours.hour_of_week,
        count(distinct planned_shifts.employee_id) as rostered_agents
    from forecast_hours
    inner join planned_shifts
        on planned_shifts.shift_start_local <= forecast_hours.hour_start_local
        and planned_shifts.shift_end_local >= {{ dbt.dateadd('hour', 1, 'forecast_hours.hour_start_local') }}
    group by forecast_hours.hour_of_week

),

demand as (

    select
        forecast_hours.hour_of_week,
        forecast_hours.hour_start_local,
        history_weeks.weeks_with_data,
        cast(
            round(cast(coalesce(demand_history.inquiries, 0) as numeric(18, 4)) / history_weeks.weeks_with_data, 4)
            as numeric(18, 4)
        ) as mean_inquiries,
        cast(coalesce(hourly_uplift.uplift, 0) as numeric(18, 4)) as promotion_uplift,
        hourly_uplift.promotion_ids
    from forecast_hours
    cross join history_weeks
    left join demand_history
        on forecast_hours.hour_of_week = demand_history.hour_of_week
    left join hourly_uplift
        on forecast_hours.hour_of_week = hourly_uplift.hour_of_week
    where history_weeks.weeks_with_data > 0

),

forecast as (

    select
        *,
        cast(mean_inquiries * (1 + promotion_uplift) as numeric(18, 4)) as forecast_inquiries
    from demand

),

staffed as (

    select
        forecast.*,
        cast(
            ceil(forecast.forecast_inquiries / cast({{ var('inquiries_per_agent_hour') }} as numeric(18, 4)))
            as integer
        ) as required_agents,
        cast(coalesce(rostered.rostered_agents, 0) as integer) as rostered_agents,
        roster_basis.roster_basis
    from forecast
    cross join roster_basis
    left join rostered
        on forecast.hour_of_week = rostered.hour_of_week

),

final as (

    select
        {{ next_week }} as week_start,
        hour_of_week,
        hour_start_local,
        weeks_with_data as history_weeks,
        mean_inquiries,
        promotion_ids,
        promotion_uplift,
        forecast_inquiries,
        required_agents,
        rostered_agents,
        roster_basis,
        required_agents - rostered_agents as agent_gap,
        greatest(required_agents - rostered_agents, 0) as shortfall_agents
    from staffed

)

select * from final
