{#-
  One session per shift instance that has punches: first-in / last-out. A single punch has no checkout
  (last_out_local is null); it is flagged downstream, never paid.
-#}
with

punches as (

    select * from {{ ref('int_punches_assigned_to_shifts') }}
    where is_assigned

),

grouped as (

    select
        employee_id,
        work_date,
        min(punch_local) as first_punch_local,
        max(punch_local) as last_punch_local,
        count(*) as punch_count,
        {{ dbt.listagg('source_ref', "','", 'order by punch_local, source_ref') }} as source_refs
    from punches
    group by employee_id, work_date

),

final as (

    select
        employee_id,
        work_date,
        first_punch_local as first_in_local,
        case when punch_count >= 2 then last_punch_local end as last_out_local,
        punch_count,
        source_refs
    from grouped

)

select * from final
