with

source as (

    select * from {{ source('jira', 'jira_work_issues') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('issue_id') }} as issue_id,
        {{ to_text('issue_key') }} as issue_key,
        upper({{ to_text('project_key') }}) as project_key,
        {{ to_text('account_id') }} as account_id,

        ---------- issue
        {{ to_text('issue_type') }} as issue_type,
        {{ to_text('status') }} as status,
        {{ to_decimal('story_points', 18, 4) }} as story_points,

        ---------- timestamps
        {{ iso8601_to_utc(to_text('created')) }} as created_at_utc,
        {{ iso8601_to_utc(to_text('updated')) }} as updated_at_utc,
        {{ iso8601_to_utc(to_text('resolved')) }} as resolved_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
