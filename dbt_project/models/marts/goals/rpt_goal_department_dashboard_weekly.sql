{#-
  The weekly goal dashboard per department (seed 003): completion, band distribution, week over week, and the
  evidence behind a low number -- the weakest metrics of the department and how many of the people below target
  carry attendance reasons (absence, approved leave, lateness, missing check-outs). `summary` says it in one line,
  so "the technical department is at 70%: why?" is answered where HR reads the number.
-#}
{{ config(materialized='table', tags=['reads_scores']) }}

with

scores as (

    select
        scores.employee_id,
        scores.week_start,
        scores.attainment,
        scores.band,
        coalesce(scores.reason_codes, '') as reason_codes,
        employees.department
    from {{ source('scoring', 'score_goal_attainment_weekly') }} as scores
    inner join {{ ref('dim_employee') }} as employees
        on scores.employee_id = employees.employee_id

),

department_rollups as (

    select group_id as department, week_start, cast(attainment as numeric(18, 6)) as attainment
    from {{ source('scoring', 'score_goal_rollups_weekly') }}
    where level = 'department' and metric = '*'

),

metric_rollups as (

    select
        group_id as department,
        week_start,
        metric,
        cast(attainment as numeric(18, 6)) as attainment,
        row_number() over (
            partition by group_id, week_start order by cast(attainment as numeric(18, 6)), metric
        ) as weakness_rank
    from {{ source('scoring', 'score_goal_rollups_weekly') }}
    where level = 'department' and metric <> '*' and attainment is not null

),

bands as (

    select
        department,
        week_start,
        count(*) as members_scored,
        sum(case when band = 'high_performer' then 1 else 0 end) as high_performers,
        sum(case when band = 'exceeded' then 1 else 0 end) as exceeded,
        sum(case when band = 'on_track' then 1 else 0 end) as on_track,
        sum(case when band = 'improving' then 1 else 0 end) as improving,
        sum(case when band = 'at_risk' then 1 else 0 end) as at_risk,
        sum(case when band in ('improving', 'at_risk') then 1 else 0 end) as below_target,
        sum(case when band in ('improving', 'at_risk') and reason_codes <> '' then 1 else 0 end)
            as below_target_with_attendance_reasons,
        sum(case when band in ('improving', 'at_risk') and reason_codes like '%ABSENT%' then 1 else 0 end)
            as below_target_absent,
        sum(case when band in ('improving', 'at_risk') and reason_codes like '%LEAVE%' then 1 else 0 end)
            as below_target_on_leave,
        sum(case when band in ('improving', 'at_risk') and reason_codes like '%LATE%' then 1 else 0 end)
            as below_target_late,
        sum(case when band in ('improving', 'at_risk') and reason_codes like '%MISSING_CHECKOUT%' then 1 else 0 end)
            as below_target_missing_checkout
    from scores
    group by department, week_start

),

joined as (

    select
        bands.*,
        rollups.attainment,
        previous.attainment as previous_attainment,
        weakest.metric as weakest_metric,
        weakest.attainment as weakest_metric_attainment,
        second_weakest.metric as second_weakest_metric,
        second_weakest.attainment as second_weakest_metric_attainment
    from bands
    inner join department_rollups as rollups
        on bands.department = rollups.department and bands.week_start = rollups.week_start
    left join department_rollups as previous
        on bands.department = previous.department
        and previous.week_start = {{ dbt.dateadd('day', -7, 'bands.week_start') }}
    left join metric_rollups as weakest
        on bands.department = weakest.department and bands.week_start = weakest.week_start
        and weakest.weakness_rank = 1
    left join metric_rollups as second_weakest
        on bands.department = second_weakest.department and bands.week_start = second_weakest.week_start
        and second_weakest.weakness_rank = 2

),

final as (

    select
        cast(department as {{ dbt.type_string() }}) as department,
        cast(week_start as date) as week_start,
        cast(members_scored as integer) as members_scored,
        cast(attainment as numeric(18, 4)) as attainment,
        cast(previous_attainment as numeric(18, 4)) as previous_attainment,
        cast(attainment - previous_attainment as numeric(18, 4)) as attainment_change,
        cast(members_scored - below_target as integer) as members_on_track_or_better,
        cast(high_performers as integer) as high_performers,
        cast(exceeded as integer) as exceeded,
        cast(on_track as integer) as on_track,
        cast(improving as integer) as improving,
        cast(at_risk as integer) as at_risk,
        cast(weakest_metric as {{ dbt.type_string() }}) as weakest_metric,
        cast(weakest_metric_attainment as numeric(18, 4)) as weakest_metric_attainment,
        cast(second_weakest_metric as {{ dbt.type_string() }}) as second_weakest_metric,
        cast(second_weakest_metric_attainment as numeric(18, 4)) as second_weakest_metric_attainment,
        cast(below_target_with_attendance_reasons as integer) as below_target_with_attendance_reasons,
        cast(below_target_absent as integer) as below_target_absent,
        cast(below_target_on_leave as integer) as below_target_on_leave,
        cast(below_target_late as integer) as below_target_late,
        cast(below_target_missing_checkout as integer) as below_target_missing_checkout,
        cast({{ dbt.concat([
            "department", "' at '", "cast(round(attainment * 100, 1) as " ~ dbt.type_string() ~ ")", "'%'",
            "case when previous_attainment is null then '' else " ~ dbt.concat([
                "' ('",
                "case when attainment >= previous_attainment then '+' else '' end",
                "cast(round((attainment - previous_attainment) * 100, 1) as " ~ dbt.type_string() ~ ")",
                "' pts vs last week)'",
            ]) ~ " end",
            "': '", "cast(below_target as " ~ dbt.type_string() ~ ")", "' of '",
            "cast(members_scored as " ~ dbt.type_string() ~ ")", "' below on_track'",
            "case when weakest_metric is null then '' else " ~ dbt.concat([
                "'; weakest metric '", "weakest_metric", "' at '",
                "cast(round(weakest_metric_attainment * 100, 1) as " ~ dbt.type_string() ~ ")", "'%'",
            ]) ~ " end",
            "case when second_weakest_metric is null then '' else " ~ dbt.concat([
                "', then '", "second_weakest_metric", "' at '",
                "cast(round(second_weakest_metric_attainment * 100, 1) as " ~ dbt.type_string() ~ ")", "'%'",
            ]) ~ " end",
            "'; attendance explains '", "cast(below_target_with_attendance_reasons as " ~ dbt.type_string() ~ ")",
            "' of them ('",
            "cast(below_target_absent as " ~ dbt.type_string() ~ ")", "' absent, '",
            "cast(below_target_on_leave as " ~ dbt.type_string() ~ ")", "' on leave, '",
            "cast(below_target_late as " ~ dbt.type_string() ~ ")", "' late)'",
        ]) }} as {{ dbt.type_string() }}) as summary
    from joined

)

select * from final
