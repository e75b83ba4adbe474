{#-
  The OKR goal tree is one tree per period: exactly one root (the company objective), and every objective
  reaches it. A team objective must sit two alignments below its own period's company objective (team ->
  department -> company). Returns one row per problem.
-#}
with

objectives as (

    select * from {{ ref('dim_goal_objectives') }}

),

roots_per_period as (

    select
        period_id,
        sum(case when parent_objective_id is null then 1 else 0 end) as roots
    from objectives
    group by period_id

),

period_problems as (

    select
        period_id,
        cast(null as {{ dbt.type_string() }}) as objective_id,
        'period has ' || cast(roots as {{ dbt.type_string() }}) || ' roots, not 1' as problem
    from roots_per_period
    where roots <> 1

),

unplaced as (

    select
        period_id,
        objective_id,
        'objective reaches no root (its parent was never loaded, or alignments form a cycle)' as problem
    from objectives
    where level is null

),

teams_off_the_tree as (

    select
        team.period_id,
        team.objective_id,
        'team objective is not two alignments below its period''s company objective' as problem
    from objectives as team
    left join objectives as department
        on team.parent_objective_id = department.objective_id
    left join objectives as company
        on department.parent_objective_id = company.objective_id
    where team.level = 'team'
        and not coalesce(
            department.level = 'department'
            and company.level = 'company'
            and company.parent_objective_id is null
            and company.period_id = team.period_id,
            false
        )

)

select * from period_problems
union all
select * from unplaced
union all
select * from teams_off_the_tree
