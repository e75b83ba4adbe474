{#-
  Every weekly goal item, whatever tool it was set in: Jira `Goal` issues and managers' goal sheets, with one
  goal_id per item (`jira:<issue id>`,
  `goal_sheet:<employee>:<week>:<metric>`). Unmapped owners are left out here and counted in
  int_unmapped_source_ids. Actuals here are as reported; measured ones replace them in fct_goal_progress_weekly.
-#}
with

jira_goals as (

    select
        'jira' as goal_source,
        {{ dbt.concat(["'jira:'", "issue_id"]) }} as goal_id,
        issue_key,
        employee_id,
        week_start,
        metric,
        unit,
        target,
        actual,
        weight,
        direction,
        objective_id,
        updated_at_utc,
        _source_ref as source_ref
    from {{ ref('int_goal_issues_mapped') }}
    where employee_id is not null

),

sheet_goals as (

    select
        'goal_sheet' as goal_source,
        goal_id,
        cast(null as {{ dbt.type_string() }}) as issue_key,
        employee_id,
        week_start,
        metric,
        unit,
        target,
        actual,
        weight,
        direction,
        objective_id,
        updated_at_utc,
        source_ref
    from {{ ref('int_goal_sheet_items') }}
    where employee_id is not null

),

final as (

    select * from jira_goals
    union all
    select * from sheet_goals

)

select * from final
