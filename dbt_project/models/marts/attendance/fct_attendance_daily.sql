{#-
  Attendance per employee and work date (domain section 1) for every scheduled shift and every approved
  leave day. Status precedence: not_employed (a rostered day before the hire date or after the termination date:
  reported, never paid or counted as absence), on_leave, absent (no punch), missing_checkout (one punch, no valid pair, or a
  session longer than max_session_hours: flagged, never paid), late (first in after the grace; minutes from
  shift start), early_leave, present. Worked minutes: first-in/last-out shifts = last out - first in - the
  shift's unpaid break; every-valid-pair shifts = the sum of their pairs; never negative.
  `reasons` lists what a reader should know about the day (comma-separated codes, empty when none):
  ROSTERED_OUTSIDE_EMPLOYMENT, SINGLE_PUNCH, NO_VALID_PAIR, SESSION_OVER_MAX_HOURS, PUNCH_STATE_MISMATCH (a check-out keyed before the
  check-in, or the reverse), UNPAIRED_PUNCHES, CLOCK_CORRECTED (a device clock offset was applied).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

shifts as (

    select * from {{ ref('int_shift_instances') }}
    where {{ partition_window_filter('week_start') }}

),

leave_days as (

    select * from {{ ref('int_leave_days_approved') }}
    where {{ partition_window_filter('week_start') }}

),

sessions as (

    select * from {{ ref('int_attendance_sessions') }}

),

employment as (

    select employee_id, hire_date, termination_date
    from {{ ref('stg_hris__employees') }}
    where partition_week_start = (select max(partition_week_start) from {{ ref('stg_hris__employees') }})

),

employee_days as (

    select employee_id, work_date from shifts
    union
    select employee_id, leave_date as work_date from leave_days

),

joined as (

    select
        employee_days.employee_id,
        employee_days.work_date,
        shifts.shift_code,
        shifts.scheduled_start_local,
        shifts.scheduled_end_local,
        coalesce(shifts.scheduled_minutes, 0) as scheduled_minutes,
        coalesce(shifts.unpaid_break_minutes, 0) as unpaid_break_minutes,
        leave_days.leave_hours,
        leave_days.leave_types,
        sessions.first_in_local,
        sessions.last_out_local,
        coalesce(sessions.punch_count, 0) as punch_count,
        coalesce(sessions.pairing_mode, 'first_in_last_out') as pairing_mode,
        sessions.paired_minutes,
        coalesce(sessions.unpaired_punch_count, 0) as unpaired_punch_count,
        coalesce(sessions.has_state_mismatch, false) as has_state_mismatch,
        coalesce(sessions.is_clock_corrected, false) as is_clock_corrected,
        coalesce(sessions.source_refs, '') as source_refs,
        employee_days.work_date < coalesce(employment.hire_date, employee_days.work_date)
            or employee_days.work_date > coalesce(employment.termination_date, employee_days.work_date)
            as is_outside_employment
    from employee_days
    left join shifts
        on employee_days.employee_id = shifts.employee_id
        and employee_days.work_date = shifts.work_date
    left join leave_days
        on employee_days.employee_id = leave_days.employee_id
        and employee_days.work_date = leave_days.leave_date
    left join sessions
        on employee_days.employee_id = sessions.employee_id
        and employee_days.work_date = sessions.work_date
    left join employment
        on employee_days.employee_id = employment.employee_id

),

measured as (

    select
        *,
        case
            when first_in_local is not null and scheduled_start_local is not null
                then greatest({{ minutes_between('scheduled_start_local', 'first_in_local') }}, 0)
            else 0
        end as minutes_after_start,
        case
            when last_out_local is not null and scheduled_end_local is not null
                then greatest({{ minutes_between('last_out_local', 'scheduled_end_local') }}, 0)
            else 0
        end as minutes_before_end,
        case
            when last_out_local is not null then {{ minutes_between('first_in_local', 'last_out_local') }}
        end as session_minutes
    from joined

),

classified as (

    select
        *,
        last_out_local is null
            or session_minutes > {{ var('max_session_hours') }} * 60
            or (pairing_mode = 'every_valid_pair' and coalesce(paired_minutes, 0) = 0) as lacks_checkout
    from measured

),

judged as (

    select
        *,
        case
            when is_outside_employment then 'not_employed'
            when leave_hours is not null then 'on_leave'
            when punch_count = 0 then 'absent'
            when lacks_checkout then 'missing_checkout'
            when minutes_after_start > {{ var('late_grace_minutes') }} then 'late'
            when minutes_before_end > {{ var('early_leave_grace_minutes') }} then 'early_leave'
            else 'present'
        end as status,
        case
            when is_outside_employment or lacks_checkout then 0
            when pairing_mode = 'every_valid_pair' then paired_minutes
            else greatest(session_minutes - unpaid_break_minutes, 0)
        end as paid_minutes,
        concat_ws(',',
            case when is_outside_employment then 'ROSTERED_OUTSIDE_EMPLOYMENT' end,
            case when punch_count = 1 then 'SINGLE_PUNCH' end,
            case when punch_count >= 2 and pairing_mode = 'every_valid_pair' and coalesce(paired_minutes, 0) = 0
                then 'NO_VALID_PAIR' end,
            case when session_minutes > {{ var('max_session_hours') }} * 60 then 'SESSION_OVER_MAX_HOURS' end,
            case when has_state_mismatch then 'PUNCH_STATE_MISMATCH' end,
            case when unpaired_punch_count > 0 then 'UNPAIRED_PUNCHES' end,
            case when is_clock_corrected then 'CLOCK_CORRECTED' end
        ) as reason_list
    from classified

),

final as (

    select
        cast(employee_id as {{ dbt.type_string() }}) as employee_id,
        {{ week_start_of('work_date') }} as week_start,
        cast(work_date as date) as work_date,
        cast(shift_code as {{ dbt.type_string() }}) as shift_code,
        cast(scheduled_start_local as timestamp) as scheduled_start_local,
        cast(scheduled_end_local as timestamp) as scheduled_end_local,
        cast(first_in_local as timestamp) as first_in_local,
        cast(last_out_local as timestamp) as last_out_local,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(
            case
                when status in ('late', 'early_leave') and minutes_after_start > {{ var('late_grace_minutes') }}
                    then minutes_after_start
                else 0
            end as integer
        ) as late_minutes,
        cast(
            case
                when status in ('late', 'early_leave')
                    and minutes_before_end > {{ var('early_leave_grace_minutes') }}
                    then minutes_before_end
                else 0
            end as integer
        ) as early_leave_minutes,
        cast(paid_minutes as integer) as worked_minutes,
        cast(
            case
                when shift_code is not null
                    then greatest(paid_minutes - (scheduled_minutes - unpaid_break_minutes), 0)
                else 0
            end as integer
        ) as overtime_minutes,
        cast(scheduled_minutes - unpaid_break_minutes as integer) as scheduled_work_minutes,
        cast(unpaid_break_minutes as integer) as unpaid_break_minutes,
        cast(leave_hours as numeric(18, 2)) as leave_hours,
        cast(leave_types as {{ dbt.type_string() }}) as leave_types,
        cast(punch_count as integer) as punch_count,
        cast(pairing_mode as {{ dbt.type_string() }}) as pairing_mode,
        cast(coalesce(reason_list, '') as {{ dbt.type_string() }}) as reasons,
        cast(source_refs as {{ dbt.type_string() }}) as source_refs,
        cast('{{ dbt.escape_single_quotes(var("plan_version") | string) }}' as {{ dbt.type_string() }}) as plan_version,
        cast('{{ dbt.escape_single_quotes(var("plan_hash") | string) }}' as {{ dbt.type_string() }}) as plan_hash
    from judged

)

select * from final
