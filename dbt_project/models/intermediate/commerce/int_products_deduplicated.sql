{#- Products as the latest product-registry snapshot lists them (one row per product). -#}
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
        registry.shopify_product_id,
        registry.page_path,
        registry.project_id,
        registry.partition_week_start as snapshot_week_start
    from registry
    inner join latest_snapshot
        on registry.partition_week_start = latest_snapshot.snapshot_week_start

)

select * from final
