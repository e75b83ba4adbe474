{#-
  Which attendance devices' clocks are off, estimated from the data (per device and week). People arrive at
  shift start the same way whichever entrance they use, so a device whose check-ins sit consistently later (or
  earlier) than the other devices' is running fast (or slow). Estimate = median(device check-in minus shift
  start) minus the median of the other devices' medians, on the device's own clock (any configured correction
  added back). `residual_offset_seconds` is what is left after the configured correction: a device is flagged
  when it exceeds `clock_drift_alert_seconds` and has at least `clock_drift_min_punches` check-ins.
  A clock hours off puts most punches outside every shift window, where no estimate is possible: a device is
  also flagged when half or more of its punches (of at least `clock_drift_min_punches`) fit no shift window.
  Fix: set the device's clock, and/or add it to config/attendance.yaml `devices` with clock_offset_seconds.
-#}
with

device_punches as (

    select
        device,
        {{ week_start_of('cast(punch_local as date)') }} as week_start,
        count(*) as punches,
        sum(case when is_assigned then 0 else 1 end) as unassigned_punches
    from {{ ref('int_punches_assigned_to_shifts') }}
    where source in ('zk', 'zkbiotime')
    group by device, {{ week_start_of('cast(punch_local as date)') }}

),

punches as (

    select * from {{ ref('int_punches_assigned_to_shifts') }}
    where is_assigned
        and source in ('zk', 'zkbiotime')
        and punch_direction = 'in'

),

shifts as (

    select employee_id, work_date, week_start, scheduled_start_local from {{ ref('int_shift_instances') }}

),

arrivals as (

    select
        punches.device,
        shifts.week_start,
        {{ dbt.datediff('shifts.scheduled_start_local', 'punches.punch_local', 'second') }}
            + punches.clock_correction_seconds as device_clock_arrival_seconds,
        punches.clock_correction_seconds
    from punches
    inner join shifts
        on punches.employee_id = shifts.employee_id
        and punches.work_date = shifts.work_date
    where abs({{ dbt.datediff('shifts.scheduled_start_local', 'punches.punch_local', 'second') }}) <= 3600

),

per_device as (

    select
        device,
        week_start,
        count(*) as check_ins,
        percentile_cont(0.5) within group (order by device_clock_arrival_seconds) as median_arrival_seconds,
        max(clock_correction_seconds) as configured_offset_seconds
    from arrivals
    group by device, week_start

),

fleet as (

    -- The typical device: the median of the other devices' medians (robust to one device being off, and to
    -- devices that see many more people than others).
    select
        per_device.device,
        per_device.week_start,
        percentile_cont(0.5) within group (order by others.median_arrival_seconds) as others_median_seconds
    from per_device
    inner join per_device as others
        on others.week_start = per_device.week_start
        and others.device <> per_device.device
    group by per_device.device, per_device.week_start

),

estimates as (

    select
        per_device.device,
        per_device.week_start,
        per_device.check_ins,
        per_device.configured_offset_seconds,
        round(per_device.median_arrival_seconds - fleet.others_median_seconds) as estimated_offset_seconds
    from per_device
    inner join fleet
        on per_device.device = fleet.device
        and per_device.week_start = fleet.week_start

),

final as (

    select
        cast(device_punches.device as {{ dbt.type_string() }}) as device_sn,
        cast(device_punches.week_start as date) as week_start,
        cast(device_punches.punches as integer) as punches,
        cast(device_punches.unassigned_punches as integer) as punches_outside_shift_windows,
        cast(coalesce(estimates.check_ins, 0) as integer) as check_ins,
        cast(estimates.estimated_offset_seconds as integer) as estimated_offset_seconds,
        cast(coalesce(estimates.configured_offset_seconds, 0) as integer) as configured_offset_seconds,
        cast(
            estimates.estimated_offset_seconds - estimates.configured_offset_seconds as integer
        ) as residual_offset_seconds,
        coalesce(
            abs(estimates.estimated_offset_seconds - estimates.configured_offset_seconds)
                > {{ var('clock_drift_alert_seconds') }}
            and estimates.check_ins >= {{ var('clock_drift_min_punches') }},
            false
        ) or (
            device_punches.punches >= {{ var('clock_drift_min_punches') }}
            and device_punches.unassigned_punches * 2 >= device_punches.punches
        ) as needs_correction
    from device_punches
    left join estimates
        on device_punches.device = estimates.device
        and device_punches.week_start = estimates.week_start

)

select * from final
