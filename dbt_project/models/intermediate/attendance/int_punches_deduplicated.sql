{#-
  Collapses repeated punches: a punch within `duplicate_window_seconds` of the person's previous punch
  (any source) is a duplicate of the first punch of that run. Every punch stays in this model; discarded
  ones carry is_duplicate = true and the source_ref of the punch that was kept.
-#}
with

punches as (

    select
        *,
        coalesce(employee_id, {{ dbt.concat(["source", "':'", "external_id"]) }}) as person_key
    from {{ ref('int_punches_unified') }}

),

with_previous as (

    select
        *,
        lag(punch_at_utc) over (
            partition by person_key
            order by punch_at_utc, source, source_ref, batch_id
        ) as previous_punch_at_utc
    from punches

),

flagged as (

    select
        *,
        coalesce(
            {{ dbt.datediff('previous_punch_at_utc', 'punch_at_utc', 'second') }}
                <= {{ var('duplicate_window_seconds') }},
            false
        ) as is_duplicate
    from with_previous

),

runs as (

    select
        *,
        sum(case when is_duplicate then 0 else 1 end) over (
            partition by person_key
            order by punch_at_utc, source, source_ref, batch_id
            rows between unbounded preceding and current row
        ) as run_number
    from flagged

),

final as (

    select
        punch_id,
        employee_id,
        person_key,
        punch_at_utc,
        punch_local,
        source,
        device,
        source_ref,
        external_id,
        punch_direction,
        batch_id,
        punch_week_start,
        is_duplicate,
        case
            when is_duplicate then first_value(source_ref) over (
                partition by person_key, run_number
                order by punch_at_utc, source, source_ref, batch_id
                rows between unbounded preceding and unbounded following
            )
        end as duplicate_of_source_ref
    from runs

)

select * from final
