{#-
  Attendance per employee and work date (domain section 1) for every scheduled shift and every approved
  leave day. Status precedence: on_leave, absent (no punch), missing_checkout (one punch, or a session longer
  than max_session_hours: flagged, never paid), late (first in after the grace; minutes from shift start),
  early_leave, present. Worked minutes = last out - first in - the shift's unpaid break, never negative.
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
        coalesce(sessions.source_refs, '') as source_refs
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
        case
            when leave_hours is not null then 'on_leave'
            when punch_count = 0 then 'absent'
            when last_out_local is null or session_minutes > {{ var('max_session_hours') }} * 60
                then 'missing_checkout'
            when minutes_after_start > {{ var('late_grace_minutes') }} then 'late'
            when minutes_before_end > {{ var('early_leave_grace_minutes') }} then 'early_leave'
            else 'present'
        end as status,
        case
            when last_out_local is not null and session_minutes <= {{ var('max_session_hours') }} * 60
                then greatest(session_minutes - unpaid_break_minutes, 0)
            else 0
        end as paid_minutes
    from measured

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
        cast(source_refs as {{ dbt.type_string() }}) as source_refs,
        cast('{{ dbt.escape_single_quotes(var("plan_version") | string) }}' as {{ dbt.type_string() }}) as plan_version,
        cast('{{ dbt.escape_single_quotes(var("plan_hash") | string) }}' as {{ dbt.type_string() }}) as plan_hash
    from classified

)

select * from final
