with

source as (

    select * from {{ source('planning', 'promotion_calendar') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('promotion_id') }} as promotion_id,

        ---------- text
        {{ to_text('name') }} as promotion_name,

        ---------- dates (inclusive, company-local calendar days)
        {{ to_date('start_date') }} as start_date,
        {{ to_date('end_date') }} as end_date,

        ---------- numerics (exact: 0.40 = +40% inquiries)
        {{ to_decimal('uplift', 18, 4) }} as uplift,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
