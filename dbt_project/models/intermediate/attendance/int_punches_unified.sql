{#-
  Every punch from every attendance source in one shape, mapped to employee_id through the identity
  crosswalk valid on the punch's local date. Unmapped punches stay (employee_id null) and are counted in
  int_unmapped_source_ids.
-#}
with

zk_punches as (

    select
        'zk' as source,
        pin as external_id,
        device_sn as device,
        punch_at_utc,
        punch_local,
        punch_direction,
        _source_ref as source_ref,
        _batch_id as batch_id
    from {{ ref('stg_zk__punches') }}

),

wecom_punches as (

    select
        'wecom' as source,
        userid as external_id,
        group_name as device,
        checkin_at_utc as punch_at_utc,
        checkin_local as punch_local,
        punch_direction,
        _source_ref as source_ref,
        _batch_id as batch_id
    from {{ ref('stg_wecom__checkins') }}
    where is_recorded_punch

),

punches as (

    select * from zk_punches
    union all
    select * from wecom_punches

),

identities as (

    select * from {{ ref('int_employee_identities') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat(["punches.source", "'|'", "punches.source_ref", "'|'", "coalesce(punches.batch_id, '')"])) }}
            as punch_id,
        identities.employee_id,
        punches.punch_at_utc,
        punches.punch_local,
        punches.source,
        punches.device,
        punches.source_ref,
        punches.external_id,
        punches.punch_direction,
        punches.batch_id,
        {{ week_start_of('cast(punches.punch_local as date)') }} as punch_week_start

    from punches
    left join identities
        on identities.source_system = punches.source
        and identities.external_id = punches.external_id
        and cast(punches.punch_local as date) between identities.valid_from and identities.valid_to

)

select * from final
