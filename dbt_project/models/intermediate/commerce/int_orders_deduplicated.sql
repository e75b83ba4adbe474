{#-
  The current version of each Shopify order (latest updated_at, then latest load), with its local order
  date and week, whether it counts (not REFUNDED, not cancelled) and whether its customer had ordered
  before (any earlier order in the data, whatever its status).
-#}
with

orders as (

    select
        *,
        row_number() over (
            partition by order_id
            order by updated_at_utc desc nulls last, partition_week_start desc, _source_ref desc
        ) as version_rank
    from {{ ref('stg_shopify__orders') }}

),

current_orders as (

    select
        *,
        cast({{ utc_to_local('created_at_utc', var('timezone')) }} as date) as order_date,
        min(created_at_utc) over (partition by customer_id) as customer_first_order_at_utc
    from orders
    where version_rank = 1

),

final as (

    select
        order_id,
        order_name,
        customer_id,
        financial_status,
        is_cancelled,
        financial_status <> 'REFUNDED' and not is_cancelled as is_valid,
        customer_id is not null and customer_first_order_at_utc < created_at_utc as is_repeat_customer,
        total_amount,
        currency,
        created_at_utc,
        updated_at_utc,
        order_date,
        {{ week_start_of('order_date') }} as week_start,
        partition_week_start,
        _source_ref
    from current_orders

)

select * from final
