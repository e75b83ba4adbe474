{#-
  Goal actuals measured in Jira, per employee, ISO week (company time zone) and metric:
  - `story_points_done`: the story points of the delivery projects' issues (var `jira_delivery_projects`, ENG)
    the employee resolved in the week, and `issues_resolved`: how many. Each issue counts once, as its latest
    version shows it (loads re-read a lookback; an issue resolved again later counts in the later week); an
    issue without story points counts as an issue with 0 points.
  - `learning_hours`: the hours of the worklogs on the learning projects' issues (var `jira_learning_projects`,
    LEARN) the employee started in the week: current versions only, deleted worklogs gone (stg_jira__worklogs).
  Jira accounts are mapped to employees through int_employee_identities on the day of the work. A metric without
  any work in a week has no row (nothing measured); unmapped accounts are left out. `source_ref` lists the issue
  keys or worklog ids counted.
-#}
{%- set delivery_projects -%}
    ({%- for project in var('jira_delivery_projects', ['ENG']) -%}
        '{{ dbt.escape_single_quotes(project | string | upper) }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%})
{%- endset -%}
{%- set learning_projects -%}
    ({%- for project in var('jira_learning_projects', ['LEARN']) -%}
        '{{ dbt.escape_single_quotes(project | string | upper) }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%})
{%- endset %}

with

issue_versions as (

    select
        *,
        row_number() over (
            partition by issue_id
            order by updated_at_utc desc nulls last, partition_week_start desc, _source_ref desc
        ) as version_rank
    from {{ ref('stg_jira__work_issues') }}

),

resolved_issues as (

    select
        issue_key,
        account_id,
        coalesce(story_points, 0) as story_points,
        cast({{ utc_to_local('resolved_at_utc', var('timezone')) }} as date) as work_date
    from issue_versions
    where version_rank = 1
        and resolved_at_utc is not null
        and project_key in {{ delivery_projects }}

),

learning_worklogs as (

    select
        worklog_id,
        account_id,
        time_spent_seconds,
        cast({{ utc_to_local('started_at_utc', var('timezone')) }} as date) as work_date
    from {{ ref('stg_jira__worklogs') }}
    where project_key in {{ learning_projects }}

),

identities as (

    select employee_id, external_id, valid_from, valid_to
    from {{ ref('int_employee_identities') }}
    where source_system = 'jira'

),

issue_work as (

    select
        identities.employee_id,
        {{ week_start_of('resolved_issues.work_date') }} as week_start,
        resolved_issues.issue_key,
        resolved_issues.story_points
    from resolved_issues
    inner join identities
        on resolved_issues.account_id = identities.external_id
        and resolved_issues.work_date between identities.valid_from and identities.valid_to

),

learning_work as (

    select
        identities.employee_id,
        {{ week_start_of('learning_worklogs.work_date') }} as week_start,
        learning_worklogs.worklog_id,
        learning_worklogs.time_spent_seconds
    from learning_worklogs
    inner join identities
        on learning_worklogs.account_id = identities.external_id
        and learning_worklogs.work_date between identities.valid_from and identities.valid_to

),

story_points as (

    select
        employee_id,
        week_start,
        'story_points_done' as metric,
        'points' as unit,
        sum(story_points) as actual,
        {{ dbt.listagg('issue_key', "','", 'order by issue_key') }} as source_ref
    from issue_work
    group by employee_id, week_start

),

issues_resolved as (

    select
        employee_id,
        week_start,
        'issues_resolved' as metric,
        'issues' as unit,
        count(*) as actual,
        {{ dbt.listagg('issue_key', "','", 'order by issue_key') }} as source_ref
    from issue_work
    group by employee_id, week_start

),

learning_hours as (

    select
        employee_id,
        week_start,
        'learning_hours' as metric,
        'hours' as unit,
        round(sum(time_spent_seconds) / 3600.0, 4) as actual,
        {{ dbt.listagg('worklog_id', "','", 'order by worklog_id') }} as source_ref
    from learning_work
    group by employee_id, week_start

),

measured as (

    select employee_id, week_start, metric, unit, cast(actual as numeric(18, 4)) as actual, source_ref
    from story_points
    union all
    select employee_id, week_start, metric, unit, cast(actual as numeric(18, 4)) as actual, source_ref
    from issues_resolved
    union all
    select employee_id, week_start, metric, unit, cast(actual as numeric(18, 4)) as actual, source_ref
    from learning_hours

),

final as (

    select
        cast(employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(week_start as date) as week_start,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(actual as numeric(18, 4)) as actual,
        cast({{ dbt.concat(["'jira:'", 'source_ref']) }} as {{ dbt.type_string() }}) as source_ref
    from measured

)

select * from final
