with

source as (

    select * from {{ source('shopify', 'shopify_orders') }}

),

renamed as (

    select
        ---------- ids
        {{ gid_to_id(to_text('order_gid')) }} as order_id,
        {{ to_text('order_gid') }} as order_gid,
        {{ to_text('name') }} as order_name,
        {{ gid_to_id(to_text('customer_gid')) }} as customer_id,

        ---------- status
        upper({{ to_text('financial_status') }}) as financial_status,
        ({{ to_text('cancelled_at') }} is not null) as is_cancelled,

        ---------- money
        {{ to_decimal('total_amount', 18, 2) }} as total_amount,
        upper({{ to_text('currency') }}) as currency,

        ---------- timestamps
        {{ iso8601_to_utc(to_text('created_at')) }} as created_at_utc,
        {{ iso8601_to_utc(to_text('updated_at')) }} as updated_at_utc,
        {{ iso8601_to_utc(to_text('cancelled_at')) }} as cancelled_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
