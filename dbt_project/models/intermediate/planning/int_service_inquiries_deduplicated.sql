{#-
  Customer-service inquiries per local hour. Each hour is taken from the latest weekly load that holds it (a
  corrected file in a later week wins); rows of one load for the same hour are added up (exports split by
  channel list an hour once per channel).
-#}
with

inquiries as (

    select * from {{ ref('stg_planning__service_inquiries_hourly') }}

),

latest_load as (

    select
        hour_start_local,
        max(partition_week_start) as partition_week_start
    from inquiries
    group by hour_start_local

),

final as (

    select
        inquiries.hour_start_local,
        {{ week_start_of('cast(inquiries.hour_start_local as date)') }} as week_start,
        sum(inquiries.inquiries) as inquiries,
        count(*) as source_rows
    from inquiries
    inner join latest_load
        on inquiries.hour_start_local = latest_load.hour_start_local
        and inquiries.partition_week_start = latest_load.partition_week_start
    group by inquiries.hour_start_local

)

select * from final
