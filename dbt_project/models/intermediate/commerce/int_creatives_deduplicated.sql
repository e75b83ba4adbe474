{#- Creatives as the latest creative-registry snapshot lists them (one row per creative). -#}
with

creatives as (

    select * from {{ ref('stg_registry__creatives') }}

),

latest_snapshot as (

    select max(partition_week_start) as snapshot_week_start
    from creatives

),

final as (

    select
        creatives.creative_id,
        creatives.product_id,
        creatives.designer_id,
        creatives.operator_rating,
        creatives.live_from,
        creatives.live_to,
        creatives.partition_week_start as snapshot_week_start
    from creatives
    inner join latest_snapshot
        on creatives.partition_week_start = latest_snapshot.snapshot_week_start

)

select * from final
