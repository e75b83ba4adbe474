with

source as (

    select * from {{ source('dingtalk', 'dingtalk_punches') }}

),

typed as (

    select
        *,
        {{ to_integer('user_check_time') }} as check_epoch_ms
    from source

),

renamed as (

    select
        ---------- ids
        {{ to_text('record_id') }} as record_id,
        {{ to_text('user_id') }} as user_id,
        {{ to_text('device_id') }} as device_id,

        ---------- codes (DingTalk enums)
        {{ to_text('check_type') }} as check_type,
        {{ to_text('source_type') }} as source_type,
        {{ to_text('time_result') }} as time_result,
        case {{ to_text('check_type') }}
            when 'OnDuty' then 'in'
            when 'OffDuty' then 'out'
        end as punch_direction,
        -- isLegal = N marks a punch DingTalk itself rejected (outside the allowed place or device).
        coalesce({{ to_text('is_legal') }}, 'Y') <> 'N' as is_recorded_punch,

        ---------- timestamps: epoch milliseconds -> UTC
        {{ epoch_millis_to_utc('check_epoch_ms') }} as checked_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from typed

)

select * from renamed
