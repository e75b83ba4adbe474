{#-
  One row per employee: each employee's row from the most recent HR load that lists them. An employee the
  latest snapshot no longer lists, or whose termination date is before that snapshot's week, is inactive.
-#}
with

employees as (

    select
        *,
        row_number() over (
            partition by employee_id
            order by partition_week_start desc, _source_ref desc
        ) as version_rank
    from {{ ref('stg_hris__employees') }}

),

latest_snapshot as (

    select max(partition_week_start) as snapshot_week_start
    from employees

),

final as (

    select
        cast(employees.employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(employees.employee_name as {{ dbt.type_string() }}) as name,
        cast(employees.department as {{ dbt.type_string() }}) as department,
        cast(employees.team as {{ dbt.type_string() }}) as team,
        cast(employees.project_group as {{ dbt.type_string() }}) as project_group,
        cast(employees.city as {{ dbt.type_string() }}) as city,
        cast(employees.role as {{ dbt.type_string() }}) as role,
        cast(employees.manager_id as {{ dbt.type_string() }}) as manager_id,
        cast(employees.hire_date as date) as hire_date,
        cast(employees.termination_date as date) as termination_date,
        cast(employees.timezone as {{ dbt.type_string() }}) as timezone,
        cast(employees.payroll_id as {{ dbt.type_string() }}) as payroll_id,
        cast(employees.variable_base as numeric(18, 2)) as variable_base,
        (
            employees.partition_week_start = latest_snapshot.snapshot_week_start
            and (
                employees.termination_date is null
                or employees.termination_date >= latest_snapshot.snapshot_week_start
            )
        ) as is_active,
        cast(employees.partition_week_start as date) as snapshot_week_start
    from employees
    cross join latest_snapshot
    where employees.version_rank = 1

)

select * from final
