with

source as (

    select * from {{ source('feishu', 'feishu_leave') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('user_id') }} as user_id,
        {{ to_text('approval_id') }} as approval_id,

        ---------- text
        -- Feishu sends the leave type's display name; the common ones map to hrhub's codes.
        case
            when {{ to_text('leave_type') }} in ('年假', 'Annual Leave', 'Annual') then 'annual'
            when {{ to_text('leave_type') }} in ('病假', 'Sick Leave', 'Sick') then 'sick'
            else lower({{ to_text('leave_type') }})
        end as leave_type,
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
