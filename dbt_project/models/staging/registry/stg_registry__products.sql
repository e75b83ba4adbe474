with

source as (

    select * from {{ source('registry', 'product_registry') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('product_id') }} as product_id,
        {{ gid_to_id(to_text('shopify_product_id')) }} as shopify_product_id,
        {{ to_text('project_id') }} as project_id,
        {{ to_text('operator_id') }} as operator_id,

        ---------- text
        {{ to_text('page_path') }} as page_path,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
