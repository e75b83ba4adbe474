{#-
  One shift instance per employee and work date, with its local start/end and the window in which punches
  count for it. A shift whose end is not after its start runs overnight and belongs to its start date.
  The unpaid break applies to shifts longer than `break_applies_over_hours` (the roster's break minutes,
  else the plan's `unpaid_break_minutes`). Rosters come from the HR export and, for people scheduled in
  Feishu, from Feishu's 排班 (mapped through the `feishu` identities). The latest load of a roster row wins.
-#}

with

hr_roster as (

    select
        employee_id, work_date, shift_code, start_minute_of_day, end_minute_of_day, break_minutes,
        partition_week_start, _source_ref
    from {{ ref('stg_hris__roster_shifts') }}

),

feishu_roster as (

    select
        identities.employee_id, feishu.work_date, feishu.shift_code, feishu.start_minute_of_day,
        feishu.end_minute_of_day, feishu.break_minutes, feishu.partition_week_start, feishu._source_ref
    from {{ ref('stg_feishu__roster_shifts') }} as feishu
    inner join {{ ref('int_employee_identities') }} as identities
        on identities.source_system = 'feishu'
        and identities.external_id = feishu.user_id
        and feishu.work_date between identities.valid_from and identities.valid_to

),

all_rosters as (

    select * from hr_roster
    union all
    select * from feishu_roster

),

roster as (

    select
        *,
        row_number() over (
            partition by employee_id, work_date
            order by partition_week_start desc, _source_ref desc
        ) as version_rank
    from all_rosters

),

shifts as (

    select
        employee_id,
        work_date,
        shift_code,
        start_minute_of_day,
        end_minute_of_day,
        end_minute_of_day <= start_minute_of_day as is_overnight,
        break_minutes as rostered_break_minutes,
        _source_ref
    from roster
    where version_rank = 1

),

timed as (

    select
        *,
        {{ dbt.dateadd('minute', 'start_minute_of_day', 'cast(work_date as timestamp)') }} as scheduled_start_local,
        {{ dbt.dateadd(
            'minute',
            'end_minute_of_day + case when is_overnight then 1440 else 0 end',
            'cast(work_date as timestamp)'
        ) }} as scheduled_end_local
    from shifts

),

measured as (

    select
        *,
        {{ minutes_between('scheduled_start_local', 'scheduled_end_local') }} as scheduled_minutes
    from timed

),

final as (

    select
        employee_id,
        work_date,
        {{ week_start_of('work_date') }} as week_start,
        shift_code,
        is_overnight,
        scheduled_start_local,
        scheduled_end_local,
        scheduled_minutes,
        case
            when scheduled_minutes > {{ var('break_applies_over_hours') }} * 60
                then coalesce(rostered_break_minutes, {{ var('unpaid_break_minutes') }})
            else 0
        end as unpaid_break_minutes,
        {{ dbt.dateadd('minute', '(-1 * ' ~ var('punch_window_before_minutes') ~ ')', 'scheduled_start_local') }}
            as window_start_local,
        {{ dbt.dateadd('minute', var('punch_window_after_minutes'), 'scheduled_end_local') }}
            as window_end_local,
        _source_ref
    from measured

)

select * from final
