{#-
  The current goal sheet rows: one per employee, week and metric. Managers re-send corrected sheets, so for the
  same employee-week-metric a later file replaces an earlier one: the latest file time (`file_modified_at`, when
  the sheet was saved into the inbox), then the later inbox week, then the last file by name. A metric left out of
  a corrected sheet keeps its earlier row. The sheet's 工号 is matched to the HR roster (any snapshot, ignoring
  case); `employee_id` is null when HR does not know it (`sheet_employee_id` keeps what the manager typed).
  `updated_at_utc` is the file time of the row kept. Numbers stay as typed (null when blank): scoring decides
  whether a goal can be scored.
-#}
with

sheet_rows as (

    select * from {{ ref('stg_goal_sheets__goals') }}

),

hr_employees as (

    select distinct employee_id from {{ ref('stg_hris__employees') }}

),

mapped as (

    select
        sheet_rows.*,
        hr_employees.employee_id as hr_employee_id,
        coalesce(hr_employees.employee_id, sheet_rows.employee_id) as goal_owner
    from sheet_rows
    left join hr_employees
        on upper(sheet_rows.employee_id) = upper(hr_employees.employee_id)

),

ranked as (

    select
        *,
        row_number() over (
            partition by goal_owner, goal_week, metric
            order by file_modified_at_utc desc nulls last, partition_week_start desc, _source_ref desc
        ) as version_rank
    from mapped

),

final as (

    select
        cast({{ dbt.concat([
            "'goal_sheet:'",
            "goal_owner",
            "':'",
            "cast(goal_week as " ~ dbt.type_string() ~ ")",
            "':'",
            "metric",
        ]) }} as {{ dbt.type_string() }}) as goal_id,
        cast(hr_employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(employee_id as {{ dbt.type_string() }}) as sheet_employee_id,
        cast(goal_week as date) as week_start,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(target as numeric(18, 4)) as target,
        cast(actual as numeric(18, 4)) as actual,
        cast(weight as numeric(18, 4)) as weight,
        cast(direction as {{ dbt.type_string() }}) as direction,
        cast(objective_id as {{ dbt.type_string() }}) as objective_id,
        cast(file_modified_at_utc as timestamp) as updated_at_utc,
        cast(_source_ref as {{ dbt.type_string() }}) as source_ref
    from ranked
    where version_rank = 1

)

select * from final
