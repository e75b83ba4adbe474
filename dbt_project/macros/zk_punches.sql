{#-
  Staging of ZK punch rows, shared by the device files (`zk_punches`) and the ZKBioTime server database
  (`zkbiotime_punches`): both deliver the same device records, so they are typed the same way.
-#}
{% macro staged_zk_punches(source_relation) -%}
with

source as (

    select * from {{ source_relation }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('device_sn') }} as device_sn,
        -- kept as text: pins carry leading zeros
        {{ to_text('pin') }} as pin,

        ---------- codes (kept raw; firmware differs in what they mean)
        {{ to_integer('verify_type') }} as verify_type,
        {{ to_integer('punch_state') }} as punch_state,
        {{ to_text('work_code') }} as work_code,
        case {{ to_integer('punch_state') }}
            when 0 then 'in'
            when 4 then 'in'
            when 1 then 'out'
            when 5 then 'out'
        end as punch_direction,

        ---------- timestamps: the naive device clock reading (zone and clock corrections apply downstream)
        cast({{ to_text('punch_time_local') }} as timestamp) as punch_local,
        {{ local_to_utc(to_text('punch_time_local'), var('timezone')) }} as punch_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
{%- endmacro %}
