with

source as (

    select * from {{ source('shopify', 'shopify_order_lines') }}

),

renamed as (

    select
        ---------- ids
        {{ gid_to_id(to_text('order_gid')) }} as order_id,
        {{ to_integer('line_no') }} as line_no,
        {{ to_text('sku') }} as sku,
        -- Shopify's numeric product id, from `gid://shopify/Product/<id>`
        {{ gid_to_id(to_text('product_gid')) }} as shopify_product_id,

        ---------- numerics
        {{ to_integer('quantity') }} as quantity,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
