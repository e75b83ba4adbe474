with

source as (

    select * from {{ source('jira', 'jira_goal_issues') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('issue_id') }} as issue_id,
        {{ to_text('issue_key') }} as issue_key,
        {{ to_text('account_id') }} as account_id,

        ---------- goal item
        {{ to_text('metric') }} as metric,
        {{ to_text('unit') }} as unit,
        lower({{ to_text('direction') }}) as direction,
        {{ to_decimal('target', 18, 4) }} as target,
        {{ to_decimal('actual', 18, 4) }} as actual,
        {{ to_decimal('weight', 18, 4) }} as weight,
        {{ to_text('objective_id') }} as objective_id,

        ---------- dates
        {{ to_date('goal_week') }} as goal_week,
        {{ iso8601_to_utc(to_text('updated')) }} as updated_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
