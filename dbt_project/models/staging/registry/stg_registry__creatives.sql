with

source as (

    select * from {{ source('registry', 'creative_registry') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('creative_id') }} as creative_id,
        {{ to_text('product_id') }} as product_id,
        {{ to_text('designer_id') }} as designer_id,

        ---------- numerics
        {{ to_integer('operator_rating') }} as operator_rating,

        ---------- dates (inclusive; an open `live_to` means still live)
        {{ to_date('live_from') }} as live_from,
        {{ to_date('live_to') }} as live_to,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
