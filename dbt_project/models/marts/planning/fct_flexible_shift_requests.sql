{#-
  Flexible-shift requests (seed 003), one row per request: the latest load of a request wins (a request
  re-exported in a later week's file is the same request). Ranking them (high performers first) is scoring's
  job (scoring/flexible_shifts.py); this mart gives it the requests with the requester's team and role.
-#}
with

requests as (

    select
        *,
        row_number() over (
            partition by request_id
            order by partition_week_start desc, _source_ref desc
        ) as version_rank
    from {{ ref('stg_planning__shift_requests') }}

),

people as (

    select employee_id, department, team, role from {{ ref('dim_employee') }}

),

final as (

    select
        cast(requests.request_id as {{ dbt.type_string() }}) as request_id,
        cast(requests.employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(requests.requested_week_start as date) as requested_week_start,
        cast(requests.requested_shift_code as {{ dbt.type_string() }}) as requested_shift_code,
        cast(requests.submitted_at_utc as timestamp) as submitted_at_utc,
        cast(people.department as {{ dbt.type_string() }}) as department,
        cast(people.team as {{ dbt.type_string() }}) as team,
        cast(people.role as {{ dbt.type_string() }}) as role,
        cast(requests._source_ref as {{ dbt.type_string() }}) as source_ref
    from requests
    left join people
        on requests.employee_id = people.employee_id
    where requests.version_rank = 1

)

select * from final
