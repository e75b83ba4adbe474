{#-
  Approved leave per employee and day, from the HR export and (for people whose leave is approved in Feishu)
  Feishu approvals. The latest load that mentions an employee-day decides, so a request cancelled in a later
  file no longer counts.
-#}
with

hr_requests as (

    select employee_id, leave_date, leave_type, leave_status, leave_hours, partition_week_start, _source_ref
    from {{ ref('stg_hris__leave_requests') }}

),

feishu_requests as (

    select
        identities.employee_id, feishu.leave_date, feishu.leave_type, feishu.leave_status, feishu.leave_hours,
        feishu.partition_week_start, feishu._source_ref
    from {{ ref('stg_feishu__leave') }} as feishu
    inner join {{ ref('int_employee_identities') }} as identities
        on identities.source_system = 'feishu'
        and identities.external_id = feishu.user_id
        and feishu.leave_date between identities.valid_from and identities.valid_to

),

requests as (

    select * from hr_requests
    union all
    select * from feishu_requests

),

latest_load as (

    select
        employee_id,
        leave_date,
        max(partition_week_start) as partition_week_start
    from requests
    group by employee_id, leave_date

),

current_requests as (

    select requests.*
    from requests
    inner join latest_load
        on requests.employee_id = latest_load.employee_id
        and requests.leave_date = latest_load.leave_date
        and requests.partition_week_start = latest_load.partition_week_start

),

final as (

    select
        employee_id,
        leave_date,
        {{ week_start_of('leave_date') }} as week_start,
        sum(leave_hours) as leave_hours,
        {{ dbt.listagg('distinct leave_type', "','", 'order by leave_type') }} as leave_types,
        min(_source_ref) as example_source_ref
    from current_requests
    where leave_status = 'approved'
    group by employee_id, leave_date

)

select * from final
