{#-
  The goal tree per week (seed 002's goal linkage graph): company -> department -> team objectives (Feishu OKR),
  their key results, and the weekly goals aligned to them, as one node list with parent ids. Each objective shows
  its OKR progress (its key results weighted by kr_weight) next to the weekly goal attainment of everything
  aligned under it (its own goals and those of the objectives below, weighted by goal weight, capped ratios as
  scored), so "is the work of this week moving the objective?" can be read at every level.
-#}
{{ config(materialized='table', tags=['reads_scores']) }}

with

objectives as (

    select * from {{ ref('dim_goal_objectives') }}

),

key_results as (

    select * from {{ ref('fct_okr_key_results_weekly') }}

),

key_result_labels as (

    select kr_id, content
    from (
        select
            kr_id,
            content,
            row_number() over (
                partition by kr_id order by progress_updated_at_utc desc nulls last, partition_week_start desc
            ) as version_rank
        from {{ ref('stg_feishu__okr_key_results') }}
    ) as versions
    where version_rank = 1

),

scored_goals as (

    select
        goals.week_start,
        goals.goal_id,
        goals.employee_id,
        goals.metric,
        goals.objective_id,
        cast(items.weight as numeric(18, 6)) as weight,
        cast(items.capped_ratio as numeric(18, 6)) as capped_ratio
    from {{ ref('fct_goal_progress_weekly') }} as goals
    inner join {{ source('scoring', 'score_goal_items_weekly') }} as items
        on goals.employee_id = items.employee_id
        and goals.week_start = items.week_start
        and goals.metric = items.metric

),

{#- Each objective with itself and every objective above it (the tree is at most four levels deep). -#}
ancestors as (

    select objective_id, objective_id as ancestor_id from objectives
    union all
    select objective_id, parent_objective_id
    from objectives
    where parent_objective_id is not null
    union all
    select child.objective_id, parent.parent_objective_id
    from objectives as child
    inner join objectives as parent on child.parent_objective_id = parent.objective_id
    where parent.parent_objective_id is not null
    union all
    select child.objective_id, grandparent.parent_objective_id
    from objectives as child
    inner join objectives as parent on child.parent_objective_id = parent.objective_id
    inner join objectives as grandparent on parent.parent_objective_id = grandparent.objective_id
    where grandparent.parent_objective_id is not null

),

aligned_goals as (

    select
        ancestors.ancestor_id as objective_id,
        scored_goals.week_start,
        count(*) as goals_aligned,
        count(distinct scored_goals.employee_id) as people_aligned,
        sum(scored_goals.weight * scored_goals.capped_ratio) / nullif(sum(scored_goals.weight), 0)
            as goal_attainment
    from scored_goals
    inner join ancestors on scored_goals.objective_id = ancestors.objective_id
    group by ancestors.ancestor_id, scored_goals.week_start

),

okr_progress as (

    select
        objective_id,
        week_start,
        sum(kr_weight * progress_percent) / nullif(sum(kr_weight), 0) as progress_percent
    from key_results
    group by objective_id, week_start

),

objective_nodes as (

    select
        okr_progress.week_start,
        objectives.objective_id as node_id,
        'objective' as node_type,
        objectives.parent_objective_id as parent_node_id,
        objectives.level,
        objectives.owner_employee_id,
        objectives.department,
        objectives.team,
        objectives.content as label,
        okr_progress.progress_percent as okr_progress_percent,
        aligned_goals.goal_attainment,
        coalesce(aligned_goals.goals_aligned, 0) as goals_aligned,
        coalesce(aligned_goals.people_aligned, 0) as people_aligned
    from objectives
    inner join okr_progress on objectives.objective_id = okr_progress.objective_id
    left join aligned_goals
        on objectives.objective_id = aligned_goals.objective_id
        and okr_progress.week_start = aligned_goals.week_start

),

key_result_nodes as (

    select
        key_results.week_start,
        key_results.kr_id as node_id,
        'key_result' as node_type,
        key_results.objective_id as parent_node_id,
        'key_result' as level,
        key_results.owner_employee_id,
        objectives.department,
        objectives.team,
        key_result_labels.content as label,
        key_results.progress_percent as okr_progress_percent,
        cast(null as numeric(18, 6)) as goal_attainment,
        0 as goals_aligned,
        0 as people_aligned
    from key_results
    left join objectives on key_results.objective_id = objectives.objective_id
    left join key_result_labels on key_results.kr_id = key_result_labels.kr_id

),

goal_nodes as (

    select
        scored_goals.week_start,
        scored_goals.goal_id as node_id,
        'weekly_goal' as node_type,
        scored_goals.objective_id as parent_node_id,
        'weekly_goal' as level,
        scored_goals.employee_id as owner_employee_id,
        employees.department,
        employees.team,
        scored_goals.metric as label,
        cast(null as numeric(18, 6)) as okr_progress_percent,
        scored_goals.capped_ratio as goal_attainment,
        1 as goals_aligned,
        1 as people_aligned
    from scored_goals
    left join {{ ref('dim_employee') }} as employees on scored_goals.employee_id = employees.employee_id

),

nodes as (

    select * from objective_nodes
    union all
    select * from key_result_nodes
    union all
    select * from goal_nodes

),

final as (

    select
        cast(week_start as date) as week_start,
        cast(node_id as {{ dbt.type_string() }}) as node_id,
        cast(node_type as {{ dbt.type_string() }}) as node_type,
        cast(parent_node_id as {{ dbt.type_string() }}) as parent_node_id,
        cast(level as {{ dbt.type_string() }}) as level,
        cast(owner_employee_id as {{ dbt.type_string() }}) as owner_employee_id,
        cast(department as {{ dbt.type_string() }}) as department,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(label as {{ dbt.type_string() }}) as label,
        cast(okr_progress_percent as numeric(18, 2)) as okr_progress_percent,
        cast(goal_attainment as numeric(18, 4)) as goal_attainment,
        cast(goals_aligned as integer) as goals_aligned,
        cast(people_aligned as integer) as people_aligned
    from nodes

)

select * from final
