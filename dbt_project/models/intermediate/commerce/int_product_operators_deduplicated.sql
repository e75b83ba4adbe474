{#- The operators responsible for each product, from the latest product-registry snapshot. -#}
with

registry as (

    select * from {{ ref('stg_registry__products') }}

),

latest_snapshot as (

    select max(partition_week_start) as snapshot_week_start
    from registry

),

final as (

    select distinct
        registry.product_id,
        registry.operator_id
    from registry
    inner join latest_snapshot
        on registry.partition_week_start = latest_snapshot.snapshot_week_start
    where registry.operator_id is not null

)

select * from final
