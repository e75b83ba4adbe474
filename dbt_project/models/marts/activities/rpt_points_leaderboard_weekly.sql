{#-
  The weekly points leaderboard (issue 6 analytics), read from the scores the week's scoring step wrote: each
  scored employee's activity points with their rank in the company and in their department. Ties rank by
  employee id, so a rank is never shared and the order is reproducible. weekly_cap_hit says the weekly cap cut
  the employee's points (points_over_cap is how many it cut), so a leader at the cap is visible as such.
-#}
{{ config(materialized='table', tags=['reads_scores']) }}

with

scores as (

    select
        employee_id,
        week_start,
        points,
        points_before_cap,
        performance_points
    from {{ source('scoring', 'score_activity_points_weekly') }}

),

employees as (

    select employee_id, name, department, team
    from {{ ref('dim_employee') }}

),

scored as (

    select
        scores.employee_id,
        scores.week_start,
        employees.name,
        coalesce(employees.department, '(unknown)') as department,
        employees.team,
        scores.points,
        coalesce(scores.points_before_cap, scores.points) as points_before_cap,
        coalesce(scores.performance_points, 0) as performance_points
    from scores
    left join employees
        on scores.employee_id = employees.employee_id

),

ranked as (

    select
        *,
        row_number() over (partition by week_start order by points desc, employee_id) as company_rank,
        row_number() over (
            partition by week_start, department order by points desc, employee_id
        ) as department_rank,
        count(*) over (partition by week_start) as company_scored,
        count(*) over (partition by week_start, department) as department_scored
    from scored

),

final as (

    select
        cast(week_start as date) as week_start,
        cast(employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(name as {{ dbt.type_string() }}) as name,
        cast(department as {{ dbt.type_string() }}) as department,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(points as integer) as points,
        cast(points_before_cap as integer) as points_before_cap,
        cast(points_before_cap - points as integer) as points_over_cap,
        (points < points_before_cap) as weekly_cap_hit,
        cast(performance_points as integer) as performance_points,
        cast(company_rank as integer) as company_rank,
        cast(company_scored as integer) as company_scored,
        cast(department_rank as integer) as department_rank,
        cast(department_scored as integer) as department_scored
    from ranked

)

select * from final
