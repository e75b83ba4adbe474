{#-
  The current version of each Jira goal issue (latest `updated`, then latest load) with its assignee mapped
  to employee_id and its goal week normalised to the Monday. Unmapped assignees keep employee_id null and
  are counted in int_unmapped_source_ids.
-#}
with

issues as (

    select
        *,
        row_number() over (
            partition by issue_id
            order by updated_at_utc desc nulls last, partition_week_start desc, _source_ref desc
        ) as version_rank
    from {{ ref('stg_jira__goal_issues') }}

),

current_issues as (

    select
        *,
        {{ week_start_of('coalesce(goal_week, partition_week_start)') }} as week_start
    from issues
    where version_rank = 1

),

identities as (

    select * from {{ ref('int_employee_identities') }}
    where source_system = 'jira'

),

final as (

    select
        current_issues.issue_id,
        current_issues.issue_key,
        current_issues.account_id,
        identities.employee_id,
        current_issues.week_start,
        current_issues.metric,
        current_issues.unit,
        current_issues.target,
        current_issues.actual,
        current_issues.weight,
        current_issues.direction,
        current_issues.objective_id,
        current_issues.updated_at_utc,
        current_issues._source_ref
    from current_issues
    left join identities
        on current_issues.account_id = identities.external_id
        -- valid at any time in the goal's week: someone hired on a Friday has that week's goals
        and identities.valid_from < {{ dbt.dateadd('day', 7, 'current_issues.week_start') }}
        and identities.valid_to >= current_issues.week_start

)

select * from final
