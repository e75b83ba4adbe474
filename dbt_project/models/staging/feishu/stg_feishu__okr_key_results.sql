with

source as (

    select * from {{ source('feishu', 'feishu_okr_key_results') }}

),

renamed as (

    select
        ---------- ids (19-digit numbers kept as text)
        {{ to_text('kr_id') }} as kr_id,
        {{ to_text('objective_id') }} as objective_id,
        {{ to_text('okr_id') }} as okr_id,
        {{ to_text('period_id') }} as period_id,
        {{ to_text('user_id') }} as user_id,
        {{ to_text('user_id_type') }} as user_id_type,

        ---------- key result
        {{ to_text('content') }} as content,
        {{ to_decimal('kr_weight', 18, 4) }} as kr_weight,
        {{ to_decimal('progress_percent', 18, 4) }} as progress_percent,
        {{ to_text('progress_status') }} as progress_status,

        ---------- timestamps: epoch ms -> UTC; 0 = never updated
        case
            when {{ to_integer('last_updated_ms') }} > 0
                then {{ epoch_millis_to_utc(to_integer('last_updated_ms')) }}
        end as progress_updated_at_utc,

        ---------- lineage: the snapshot (week partition) this version was stored in
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
