{#-
  Data-quality finding: source ids that could not be mapped (punches, Feishu rosters and leave, and Jira goals
  without an identity row; goal sheet rows for people HR does not know; GA4 / Taobao creatives (by the source
  that reported them) and Shopify products missing from the registries). Their rows are kept upstream and
  counted here per week, never dropped silently.
-#}
with

unmapped_punches as (

    select
        source as source_system,
        external_id,
        punch_week_start as week_start,
        punch_at_utc as seen_at_utc,
        source_ref
    from {{ ref('int_punches_unified') }}
    where employee_id is null

),

unmapped_goal_assignees as (

    select
        'jira' as source_system,
        coalesce(account_id, '(unassigned)') as external_id,
        week_start,
        updated_at_utc as seen_at_utc,
        _source_ref as source_ref
    from {{ ref('int_goal_issues_mapped') }}
    where employee_id is null

),

unknown_goal_sheet_employees as (

    select
        'goal_sheet' as source_system,
        sheet_employee_id as external_id,
        week_start,
        updated_at_utc as seen_at_utc,
        source_ref
    from {{ ref('int_goal_sheet_items') }}
    where employee_id is null

),

unregistered_creatives as (

    select
        metrics.source as source_system,
        metrics.creative_id as external_id,
        metrics.week_start,
        cast(null as timestamp) as seen_at_utc,
        metrics.example_source_ref as source_ref
    from {{ ref('int_creative_metrics_aggregated_to_weeks') }} as metrics
    left join {{ ref('int_creatives_deduplicated') }} as creatives
        on metrics.creative_id = creatives.creative_id
    where creatives.creative_id is null

),

unregistered_products as (

    select
        'shopify' as source_system,
        shopify_product_id as external_id,
        week_start,
        created_at_utc as seen_at_utc,
        order_id as source_ref
    from {{ ref('int_order_lines_joined_to_products') }}
    where product_id is null

),

feishu_schedules as (

    select user_id, work_date as day, _source_ref from {{ ref('stg_feishu__roster_shifts') }}
    union all
    select user_id, leave_date as day, _source_ref from {{ ref('stg_feishu__leave') }}

),

unmapped_feishu_schedules as (

    select
        'feishu' as source_system,
        feishu_schedules.user_id as external_id,
        {{ week_start_of('feishu_schedules.day') }} as week_start,
        cast(null as timestamp) as seen_at_utc,
        feishu_schedules._source_ref as source_ref
    from feishu_schedules
    left join {{ ref('int_employee_identities') }} as identities
        on identities.source_system = 'feishu'
        and identities.external_id = feishu_schedules.user_id
        and feishu_schedules.day between identities.valid_from and identities.valid_to
    where identities.employee_id is null

),

all_unmapped as (

    select * from unmapped_punches
    union all
    select * from unmapped_goal_assignees
    union all
    select * from unknown_goal_sheet_employees
    union all
    select * from unregistered_creatives
    union all
    select * from unregistered_products
    union all
    select * from unmapped_feishu_schedules

),

final as (

    select
        source_system,
        external_id,
        week_start,
        count(*) as record_count,
        min(seen_at_utc) as first_seen_at_utc,
        max(seen_at_utc) as last_seen_at_utc,
        min(source_ref) as example_source_ref
    from all_unmapped
    group by source_system, external_id, week_start

)

select * from final
