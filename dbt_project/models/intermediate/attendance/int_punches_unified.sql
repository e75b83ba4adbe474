{#-
  Every punch from every attendance source in one shape, mapped to employee_id through the identity
  crosswalk valid on the punch's date. Unmapped punches stay (employee_id null) and are counted in
  int_unmapped_source_ids.

  Times: app sources send instants (Unix seconds or ms); devices send a naive clock reading. A device's reading
  is first corrected by its known clock offset (config `attendance_devices`: how far its clock runs ahead) and
  read in the device's time zone (default: the company's). Every instant is then shown in the employee's own
  time zone (`punch_local`), since rosters are written in local wall time where the person works.

  The same source record delivered again (a lookback re-fetch, a file dropped again in a later week, a line
  written twice) keeps its row here with `redelivery_of_source_ref` naming the first load, so nothing
  disappears and nothing counts twice.
-#}
{{ config(materialized='table') }}  {#- read by several models and tests: computed once per run -#}

with

device_readings as (

    select
        'zk' as source, 'zk' as identity_system, pin as external_id, device_sn as device,
        punch_local as device_local, punch_direction,
        {{ dbt.concat(["device_sn", "'|'", "pin", "'|'", "cast(punch_local as " ~ dbt.type_string() ~ ")"]) }}
            as record_key,
        partition_week_start, _source_ref as source_ref, _batch_id as batch_id
    from {{ ref('stg_zk__punches') }}

    union all

    select
        'zkbiotime' as source, 'zk' as identity_system, pin as external_id, device_sn as device,
        punch_local as device_local, punch_direction,
        {{ dbt.concat(["device_sn", "'|'", "pin", "'|'", "cast(punch_local as " ~ dbt.type_string() ~ ")"]) }}
            as record_key,
        partition_week_start, _source_ref as source_ref, _batch_id as batch_id
    from {{ ref('stg_zkbiotime__punches') }}

),

devices as (

    {{ attendance_devices_relation() }}

),

device_punches as (

    select
        device_readings.source,
        device_readings.identity_system,
        device_readings.external_id,
        device_readings.device,
        {{ local_to_utc_in_zone(
            dbt.dateadd('second', '-1 * coalesce(devices.clock_offset_seconds, 0)', 'device_readings.device_local'),
            "coalesce(devices.device_timezone, '" ~ var('timezone') ~ "')"
        ) }} as punch_at_utc,
        device_readings.punch_direction,
        coalesce(devices.clock_offset_seconds, 0) as clock_correction_seconds,
        device_readings.record_key,
        device_readings.partition_week_start,
        device_readings.source_ref,
        device_readings.batch_id
    from device_readings
    left join devices
        on device_readings.device = devices.device_sn

),

app_punches as (

    select
        'wecom' as source, 'wecom' as identity_system, userid as external_id, group_name as device,
        checkin_at_utc as punch_at_utc, punch_direction, 0 as clock_correction_seconds,
        {{ dbt.concat(["userid", "'|'", "cast(checkin_at_utc as " ~ dbt.type_string() ~ ")", "'|'", "checkin_type"]) }}
            as record_key,
        partition_week_start, _source_ref as source_ref, _batch_id as batch_id
    from {{ ref('stg_wecom__checkins') }}
    where is_recorded_punch

    union all

    select
        'dingtalk' as source, 'dingtalk' as identity_system, user_id as external_id, device_id as device,
        checked_at_utc as punch_at_utc, punch_direction, 0 as clock_correction_seconds,
        record_id as record_key,
        partition_week_start, _source_ref as source_ref, _batch_id as batch_id
    from {{ ref('stg_dingtalk__punches') }}
    where is_recorded_punch

    union all

    select
        'feishu' as source, 'feishu' as identity_system, user_id as external_id, device_id as device,
        checked_at_utc as punch_at_utc, cast(null as {{ dbt.type_string() }}) as punch_direction,
        0 as clock_correction_seconds,
        record_id as record_key,
        partition_week_start, _source_ref as source_ref, _batch_id as batch_id
    from {{ ref('stg_feishu__punches') }}

),

punches as (

    select * from device_punches
    union all
    select * from app_punches

),

loads as (

    select
        *,
        row_number() over (
            partition by source, record_key
            order by partition_week_start, batch_id, source_ref
        ) as load_rank,
        first_value(source_ref) over (
            partition by source, record_key
            order by partition_week_start, batch_id, source_ref
            rows between unbounded preceding and unbounded following
        ) as first_load_source_ref,
        {{ utc_to_local('punch_at_utc', var('timezone')) }} as company_local
    from punches

),

identities as (

    select * from {{ ref('int_employee_identities') }}

),

employee_zones as (

    select employee_id, timezone
    from {{ ref('stg_hris__employees') }}
    where partition_week_start = (select max(partition_week_start) from {{ ref('stg_hris__employees') }})

),

mapped as (

    select
        loads.*,
        identities.employee_id,
        coalesce(employee_zones.timezone, '{{ var("timezone") }}') as employee_timezone
    from loads
    left join identities
        on identities.source_system = loads.identity_system
        and identities.external_id = loads.external_id
        and cast(loads.company_local as date) between identities.valid_from and identities.valid_to
    left join employee_zones
        on identities.employee_id = employee_zones.employee_id

),

localized as (

    select
        *,
        {{ utc_to_local_in_zone('punch_at_utc', 'employee_timezone') }} as punch_local
    from mapped

),

final as (

    select
        {{ dbt.hash(dbt.concat(["source", "'|'", "source_ref", "'|'", "coalesce(batch_id, '')"])) }} as punch_id,
        employee_id,
        punch_at_utc,
        punch_local,
        source,
        device,
        source_ref,
        external_id,
        punch_direction,
        batch_id,
        {{ week_start_of('cast(punch_local as date)') }} as punch_week_start,
        clock_correction_seconds,
        case when load_rank > 1 then first_load_source_ref end as redelivery_of_source_ref
    from localized

)

select * from final
