with

source as (

    select * from {{ source('hris', 'leave_requests') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('employee_id') }} as employee_id,

        ---------- text
        lower({{ to_text('leave_type') }}) as leave_type,
        lower({{ to_text('status') }}) as leave_status,

        ---------- numerics
        {{ to_decimal('hours', 18, 2) }} as leave_hours,

        ---------- dates
        {{ to_date('leave_date') }} as leave_date,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
