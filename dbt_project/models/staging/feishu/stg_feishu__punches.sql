with

source as (

    select * from {{ source('feishu', 'feishu_punches') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('record_id') }} as record_id,
        {{ to_text('user_id') }} as user_id,
        {{ to_text('device_id') }} as device_id,

        ---------- codes: 0 self, 1 admin, 2 correction (补卡), 3 system, 5 machine, 7 imported
        {{ to_text('type') }} as record_type,

        ---------- timestamps: Unix seconds -> UTC
        {{ epoch_seconds_to_utc(to_integer('check_time')) }} as checked_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
