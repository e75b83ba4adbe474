{#-
  Assigns each kept (non-duplicate, mapped) punch to the shift instance whose window contains it. When two
  windows overlap (a night shift's checkout window and the next morning's shift), the punch goes to the
  instance it is nearest to: 0 inside the shift, else the distance to its start or end. Punches outside every
  window stay here with is_assigned = false.
-#}
{{ config(materialized='table') }}  {#- read by several models and tests: computed once per run -#}

with

punches as (

    select * from {{ ref('int_punches_deduplicated') }}
    where not is_duplicate
        and employee_id is not null

),

shifts as (

    select * from {{ ref('int_shift_instances') }}

),

candidates as (

    select
        punches.punch_id,
        shifts.work_date,
        case
            when punches.punch_local between shifts.scheduled_start_local and shifts.scheduled_end_local then 0
            else least(
                abs({{ dbt.datediff('punches.punch_local', 'shifts.scheduled_start_local', 'second') }}),
                abs({{ dbt.datediff('punches.punch_local', 'shifts.scheduled_end_local', 'second') }})
            )
        end as seconds_from_shift
    from punches
    inner join shifts
        on punches.employee_id = shifts.employee_id
        and punches.punch_local >= shifts.window_start_local
        and punches.punch_local <= shifts.window_end_local

),

ranked as (

    select
        *,
        row_number() over (
            partition by punch_id
            order by seconds_from_shift, work_date
        ) as candidate_rank
    from candidates

),

final as (

    select
        punches.punch_id,
        punches.employee_id,
        punches.punch_at_utc,
        punches.punch_local,
        punches.source,
        punches.device,
        punches.source_ref,
        punches.punch_direction,
        punches.clock_correction_seconds,
        punches.punch_week_start,
        ranked.work_date,
        ranked.work_date is not null as is_assigned
    from punches
    left join ranked
        on punches.punch_id = ranked.punch_id
        and ranked.candidate_rank = 1

)

select * from final
