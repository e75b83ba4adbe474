{#-
  Attendance per employee and ISO week: scheduled, worked and overtime hours (worked over the weekly cap),
  day counts per status and the reason codes that explain goal shortfalls
  (e.g. `ABSENT_2D,LATE_3X,LEAVE_1D,MISSING_CHECKOUT_1D`; empty when there is none).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='week_partition',
    on_schema_change='append_new_columns',
) }}

with

daily as (

    select * from {{ ref('fct_attendance_daily') }}
    where {{ partition_window_filter('week_start') }}
        and status <> 'not_employed'  -- rostered outside employment: reported on the day, not part of the week

),

weekly as (

    select
        employee_id,
        week_start,
        sum(case when shift_code is not null then 1 else 0 end) as days_scheduled,
        sum(scheduled_work_minutes) as scheduled_work_minutes,
        sum(worked_minutes) as worked_minutes,
        sum(late_minutes) as late_minutes,
        sum(early_leave_minutes) as early_leave_minutes,
        sum(case when status = 'present' then 1 else 0 end) as days_present,
        sum(case when status = 'absent' then 1 else 0 end) as days_absent,
        sum(case when status = 'late' then 1 else 0 end) as days_late,
        sum(case when status = 'early_leave' then 1 else 0 end) as days_early_leave,
        sum(case when status = 'on_leave' then 1 else 0 end) as days_on_leave,
        sum(case when status = 'missing_checkout' then 1 else 0 end) as days_missing_checkout
    from daily
    group by employee_id, week_start

),

final as (

    select
        cast(employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(week_start as date) as week_start,
        cast(days_scheduled as integer) as days_scheduled,
        cast(scheduled_work_minutes / 60.0 as numeric(18, 2)) as scheduled_hours,
        cast(worked_minutes / 60.0 as numeric(18, 2)) as worked_hours,
        cast(
            greatest(worked_minutes - {{ var('weekly_hours_cap') }} * 60, 0) / 60.0 as numeric(18, 2)
        ) as overtime_hours,
        scheduled_work_minutes > {{ var('weekly_hours_cap') }} * 60 as exceeds_weekly_hours_cap,
        cast(worked_minutes as integer) as worked_minutes,
        cast(late_minutes as integer) as late_minutes,
        cast(early_leave_minutes as integer) as early_leave_minutes,
        cast(days_present as integer) as days_present,
        cast(days_absent as integer) as days_absent,
        cast(days_late as integer) as days_late,
        cast(days_early_leave as integer) as days_early_leave,
        cast(days_on_leave as integer) as days_on_leave,
        cast(days_missing_checkout as integer) as days_missing_checkout,
        cast(coalesce(concat_ws(',',
            case when days_absent > 0
                then {{ dbt.concat(["'ABSENT_'", "cast(days_absent as " ~ dbt.type_string() ~ ")", "'D'"]) }} end,
            case when days_late > 0
                then {{ dbt.concat(["'LATE_'", "cast(days_late as " ~ dbt.type_string() ~ ")", "'X'"]) }} end,
            case when days_on_leave > 0
                then {{ dbt.concat(["'LEAVE_'", "cast(days_on_leave as " ~ dbt.type_string() ~ ")", "'D'"]) }} end,
            case when days_missing_checkout > 0
                then {{ dbt.concat(["'MISSING_CHECKOUT_'", "cast(days_missing_checkout as " ~ dbt.type_string() ~ ")", "'D'"]) }} end
        ), '') as {{ dbt.type_string() }}) as reason_codes,
        cast('{{ dbt.escape_single_quotes(var("plan_version") | string) }}' as {{ dbt.type_string() }}) as plan_version,
        cast('{{ dbt.escape_single_quotes(var("plan_hash") | string) }}' as {{ dbt.type_string() }}) as plan_hash
    from weekly

)

select * from final
