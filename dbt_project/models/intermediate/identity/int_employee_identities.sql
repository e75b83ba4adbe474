{#-
  The identity crosswalk from the latest HR snapshot: each source system's person id mapped to our
  employee_id over a validity range (open ends filled so range joins need no null handling).
-#}
with

identities as (

    select * from {{ ref('stg_hris__identities') }}

),

latest_snapshot as (

    select max(partition_week_start) as snapshot_week_start
    from identities

),

final as (

    select
        identities.employee_id,
        identities.source_system,
        identities.external_id,
        coalesce(identities.valid_from, cast('1900-01-01' as date)) as valid_from,
        coalesce(identities.valid_to, cast('9999-12-31' as date)) as valid_to,
        identities.partition_week_start as snapshot_week_start,
        identities._source_ref

    from identities
    inner join latest_snapshot
        on identities.partition_week_start = latest_snapshot.snapshot_week_start

)

select * from final
