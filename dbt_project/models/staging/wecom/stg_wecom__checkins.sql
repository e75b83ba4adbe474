with

source as (

    select * from {{ source('wecom', 'wecom_checkins') }}

),

typed as (

    select
        *,
        {{ to_integer('checkin_time') }} as checkin_epoch,
        {{ to_integer('sch_checkin_time') }} as scheduled_epoch
    from source

),

renamed as (

    select
        ---------- ids
        {{ to_text('userid') }} as userid,
        {{ to_text('groupname') }} as group_name,

        ---------- codes (WeCom sends Chinese display strings)
        {{ to_text('checkin_type') }} as checkin_type,
        {{ to_text('exception_type') }} as exception_type,
        case {{ to_text('checkin_type') }}
            when '上班打卡' then 'in'
            when '下班打卡' then 'out'
        end as punch_direction,
        -- A "未打卡" (no punch) record is WeCom reporting an absence, not a punch.
        (
            checkin_epoch > 0
            and coalesce({{ to_text('exception_type') }}, '') not like '%未打卡%'
        ) as is_recorded_punch,

        ---------- timestamps: Unix seconds -> UTC, and local for shift matching
        {{ epoch_seconds_to_utc('nullif(checkin_epoch, 0)') }} as checkin_at_utc,
        {{ utc_to_local(epoch_seconds_to_utc('nullif(checkin_epoch, 0)'), var('timezone')) }} as checkin_local,
        {{ epoch_seconds_to_utc('nullif(scheduled_epoch, 0)') }} as scheduled_checkin_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from typed

)

select * from renamed
