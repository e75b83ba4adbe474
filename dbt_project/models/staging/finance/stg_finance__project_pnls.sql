with

source as (

    select * from {{ source('finance', 'project_pnl') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('project_id') }} as project_id,

        ---------- money
        {{ to_decimal('revenue', 18, 2) }} as revenue,
        {{ to_decimal('cost', 18, 2) }} as cost,
        {{ to_decimal('ad_spend', 18, 2) }} as ad_spend,
        upper({{ to_text('currency') }}) as currency,

        ---------- dates
        {{ to_date('week_start_reported') }} as reported_week_start,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
