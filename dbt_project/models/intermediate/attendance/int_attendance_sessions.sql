{#-
  One session per shift instance that has punches. Two pairing modes, chosen per shift type by the plan
  (`every_valid_pair_shift_codes`):
  - first-in / last-out (default): the span from the first to the last punch; the shift's unpaid break is
    subtracted downstream. A single punch has no checkout (last_out_local is null): flagged, never paid.
    Punch states that contradict the order (the first punch keyed as a check-out, or the last as a check-in)
    are flagged, not trusted: device keypads are often pressed wrongly.
  - every valid pair: each check-in directly followed by a check-out is a pair and paired_minutes is their
    sum (real breaks are the gaps, so no unpaid break is subtracted). A punch without a state (Feishu flows)
    takes one by position: odd punches in, even punches out. Punches left unpaired are counted.
-#}
{{ config(materialized='table') }}  {#- read by several models and tests: computed once per run -#}

with

punches as (

    select * from {{ ref('int_punches_assigned_to_shifts') }}
    where is_assigned

),

shifts as (

    select employee_id, work_date, shift_code from {{ ref('int_shift_instances') }}

),

ordered as (

    select
        punches.employee_id,
        punches.work_date,
        punches.punch_local,
        punches.source_ref,
        punches.punch_direction,
        punches.clock_correction_seconds,
        {{ is_every_valid_pair_shift('shifts.shift_code') }} as pairs_every_valid,
        row_number() over (
            partition by punches.employee_id, punches.work_date order by punches.punch_local, punches.source_ref
        ) as punch_number,
        count(*) over (partition by punches.employee_id, punches.work_date) as punch_total
    from punches
    left join shifts
        on punches.employee_id = shifts.employee_id
        and punches.work_date = shifts.work_date

),

directed as (

    select
        *,
        coalesce(punch_direction, case when punch_number % 2 = 1 then 'in' else 'out' end) as effective_direction
    from ordered

),

with_next as (

    select
        *,
        lead(effective_direction) over (
            partition by employee_id, work_date order by punch_number
        ) as next_direction,
        lead(punch_local) over (
            partition by employee_id, work_date order by punch_number
        ) as next_punch_local,
        lag(effective_direction) over (
            partition by employee_id, work_date order by punch_number
        ) as previous_direction
    from directed

),

paired as (

    select
        *,
        effective_direction = 'in' and coalesce(next_direction, '') = 'out' as opens_pair,
        effective_direction = 'out' and coalesce(previous_direction, '') = 'in' as closes_pair
    from with_next

),

grouped as (

    select
        employee_id,
        work_date,
        max(case when pairs_every_valid then 1 else 0 end) = 1 as pairs_every_valid,
        min(punch_local) as first_punch_local,
        max(punch_local) as last_punch_local,
        count(*) as punch_count,
        sum(
            case when opens_pair then {{ minutes_between('punch_local', 'next_punch_local') }} else 0 end
        ) as paired_minutes,
        sum(case when opens_pair or closes_pair then 0 else 1 end) as unpaired_punch_count,
        max(
            case
                when punch_total >= 2 and punch_number = 1 and punch_direction = 'out' then 1
                when punch_total >= 2 and punch_number = punch_total and punch_direction = 'in' then 1
                else 0
            end
        ) = 1 as has_state_mismatch,
        max(case when clock_correction_seconds <> 0 then 1 else 0 end) = 1 as is_clock_corrected,
        {{ dbt.listagg('source_ref', "','", 'order by punch_local, source_ref') }} as source_refs
    from paired
    group by employee_id, work_date

),

final as (

    select
        employee_id,
        work_date,
        case when pairs_every_valid then 'every_valid_pair' else 'first_in_last_out' end as pairing_mode,
        first_punch_local as first_in_local,
        case when punch_count >= 2 then last_punch_local end as last_out_local,
        punch_count,
        case when pairs_every_valid then paired_minutes end as paired_minutes,
        case when pairs_every_valid then unpaired_punch_count else 0 end as unpaired_punch_count,
        case when pairs_every_valid then false else has_state_mismatch end as has_state_mismatch,
        is_clock_corrected,
        source_refs
    from grouped

)

select * from final
