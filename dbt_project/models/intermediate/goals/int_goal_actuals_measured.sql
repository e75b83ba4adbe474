{#-
  Goal actuals measured in the systems where the work happens, per employee, week and metric: story points and
  issues resolved and learning hours logged in Jira, tickets solved in the helpdesk. A goal whose metric is one
  of these takes the measured actual instead of the number typed into the goal (fct_goal_progress_weekly).
-#}
with

jira as (

    select employee_id, week_start, metric, unit, actual, 'jira' as measured_by, source_ref
    from {{ ref('int_jira_goal_actuals_weekly') }}

),

helpdesk as (

    select employee_id, week_start, metric, unit, actual, 'helpdesk' as measured_by, source_ref
    from {{ ref('int_helpdesk_goal_actuals_weekly') }}

),

final as (

    select * from jira
    union all
    select * from helpdesk

)

select * from final
