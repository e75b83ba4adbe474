{#-
  The current version of each Jira worklog. Loads overlap (Jira re-sends the changes at the cursor instant, a
  re-run reads its week again) and a worklog changes over time, so each worklog id keeps its latest change
  (`updated_time`; at the same instant a deletion wins, then the later load); worklogs whose latest change is a
  deletion are removed.
-#}
with

source as (

    select * from {{ source('jira', 'jira_worklogs') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('worklog_id') }} as worklog_id,
        {{ to_text('issue_id') }} as issue_id,
        {{ to_text('issue_key') }} as issue_key,
        upper({{ to_text('project_key') }}) as project_key,
        {{ to_text('account_id') }} as account_id,

        ---------- numerics
        {{ to_integer('time_spent_seconds') }} as time_spent_seconds,
        {{ to_integer('updated_time') }} as change_epoch_ms,
        {{ to_bool_flag('deleted') }} as is_deleted,

        ---------- timestamps
        {{ iso8601_to_utc(to_text('started')) }} as started_at_utc,
        {{ iso8601_to_utc(to_text('created')) }} as created_at_utc,
        {{ iso8601_to_utc(to_text('updated')) }} as updated_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

),

versions as (

    select
        *,
        row_number() over (
            partition by worklog_id
            order by
                change_epoch_ms desc nulls last,
                case when is_deleted then 0 else 1 end,
                partition_week_start desc,
                _source_ref desc
        ) as version_rank
    from renamed

),

final as (

    select
        worklog_id,
        issue_id,
        issue_key,
        project_key,
        account_id,
        time_spent_seconds,
        started_at_utc,
        created_at_utc,
        updated_at_utc,
        {{ epoch_millis_to_utc('change_epoch_ms') }} as changed_at_utc,
        partition_week_start,
        _source_ref,
        _batch_id
    from versions
    where version_rank = 1
        and not is_deleted

)

select * from final
