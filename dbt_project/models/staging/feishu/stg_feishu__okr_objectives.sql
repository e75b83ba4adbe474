with

source as (

    select * from {{ source('feishu', 'feishu_okr_objectives') }}

),

renamed as (

    select
        ---------- ids (19-digit numbers kept as text)
        {{ to_text('objective_id') }} as objective_id,
        {{ to_text('okr_id') }} as okr_id,
        {{ to_text('period_id') }} as period_id,
        {{ to_text('user_id') }} as user_id,
        {{ to_text('user_id_type') }} as user_id_type,
        -- the objectives this one aligns to, comma-separated; the first is its parent in the goal tree
        {{ to_text('aligned_objective_ids') }} as aligned_objective_ids,
        nullif({{ dbt.split_part(to_text('aligned_objective_ids'), "','", 1) }}, '') as parent_objective_id,

        ---------- objective
        {{ to_text('content') }} as content,
        {{ to_text('period_name') }} as period_name,
        {{ to_decimal('weight', 18, 4) }} as weight,
        {{ to_decimal('score', 18, 4) }} as score,
        {{ to_decimal('progress_percent', 18, 4) }} as progress_percent,
        {{ to_text('progress_status') }} as progress_status,

        ---------- timestamps: epoch ms -> UTC; the period's bounds as company-local dates; 0 = never updated
        {{ epoch_millis_to_utc(to_integer('period_start_ms')) }} as period_start_utc,
        {{ epoch_millis_to_utc(to_integer('period_end_ms')) }} as period_end_utc,
        cast({{ utc_to_local(epoch_millis_to_utc(to_integer('period_start_ms')), var('timezone')) }} as date)
            as period_start,
        cast({{ utc_to_local(epoch_millis_to_utc(to_integer('period_end_ms')), var('timezone')) }} as date)
            as period_end,
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
