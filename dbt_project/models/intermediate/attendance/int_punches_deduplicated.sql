{#-
  Collapses repeated punches. Two kinds, both kept visible here with is_duplicate = true:
  - a redelivery of the same source record (`duplicate_reason = 'redelivered'`), and
  - a near-duplicate: punches of one person within `duplicate_window_seconds` of the previous one (any
    source) form a run; the run keeps one punch, chosen by source precedence (config
    `attendance_source_precedence`: a device before an app), then the earliest; the others are
    `duplicate_reason = 'within_window'` and name the kept punch in duplicate_of_source_ref.
-#}
{{ config(materialized='table') }}  {#- read by several models and tests: computed once per run -#}

with

punches as (

    select
        unified.*,
        coalesce(unified.employee_id, {{ dbt.concat(["unified.source", "':'", "unified.external_id"]) }}) as person_key,
        coalesce(precedence.source_rank, 999) as source_rank
    from {{ ref('int_punches_unified') }} as unified
    left join ({{ source_precedence_relation() }}) as precedence
        on unified.source = precedence.source

),

first_deliveries as (

    select * from punches
    where redelivery_of_source_ref is null

),

with_previous as (

    select
        *,
        lag(punch_at_utc) over (
            partition by person_key
            order by punch_at_utc, source_rank, source, source_ref, batch_id
        ) as previous_punch_at_utc
    from first_deliveries

),

flagged as (

    select
        *,
        coalesce(
            {{ dbt.datediff('previous_punch_at_utc', 'punch_at_utc', 'second') }}
                <= {{ var('duplicate_window_seconds') }},
            false
        ) as continues_run
    from with_previous

),

runs as (

    select
        *,
        sum(case when continues_run then 0 else 1 end) over (
            partition by person_key
            order by punch_at_utc, source_rank, source, source_ref, batch_id
            rows between unbounded preceding and current row
        ) as run_number
    from flagged

),

ranked as (

    select
        *,
        row_number() over (
            partition by person_key, run_number
            order by source_rank, punch_at_utc, source, source_ref, batch_id
        ) as rank_in_run,
        first_value(source_ref) over (
            partition by person_key, run_number
            order by source_rank, punch_at_utc, source, source_ref, batch_id
            rows between unbounded preceding and unbounded following
        ) as kept_source_ref
    from runs

),

first_delivery_rows as (

    select
        punch_id, employee_id, person_key, punch_at_utc, punch_local, source, device, source_ref, external_id,
        punch_direction, batch_id, punch_week_start, clock_correction_seconds,
        rank_in_run > 1 as is_duplicate,
        case when rank_in_run > 1 then 'within_window' end as duplicate_reason,
        case when rank_in_run > 1 then kept_source_ref end as duplicate_of_source_ref
    from ranked

),

redelivered_rows as (

    select
        punch_id, employee_id, person_key, punch_at_utc, punch_local, source, device, source_ref, external_id,
        punch_direction, batch_id, punch_week_start, clock_correction_seconds,
        true as is_duplicate,
        'redelivered' as duplicate_reason,
        redelivery_of_source_ref as duplicate_of_source_ref
    from punches
    where redelivery_of_source_ref is not null

),

final as (

    select * from first_delivery_rows
    union all
    select * from redelivered_rows

)

select * from final
