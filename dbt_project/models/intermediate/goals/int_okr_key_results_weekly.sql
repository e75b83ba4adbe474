{#-
  Each Feishu OKR key result's progress as of the end of each ISO week of its period (up to the run's window
  end): the latest stored version whose progress was last updated before the week ended. Feishu keeps no
  history, so the versions are the snapshots ingestion stored when something changed; a week before the first
  known update of a key result has no row (its progress then is unknown). The owner (the user whose OKR holds
  the key result) is mapped to employee_id through the identity crosswalk valid in that week.
-#}
with

key_results as (

    select * from {{ ref('stg_feishu__okr_key_results') }}

),

periods as (

    select
        period_id,
        min(period_start) as period_start,
        max(period_end) as period_end
    from {{ ref('stg_feishu__okr_objectives') }}
    group by period_id

),

digits as (

    select digit from (
        values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)
    ) as numbers (digit)

),

week_offsets as (

    -- 0..59: enough weeks for a yearly period
    select tens.digit * 10 + units.digit as week_number
    from digits as tens
    cross join digits as units
    where tens.digit < 6

),

kr_periods as (

    select distinct
        key_results.kr_id,
        periods.period_start,
        periods.period_end
    from key_results
    inner join periods
        on key_results.period_id = periods.period_id

),

kr_weeks as (

    select
        kr_id,
        week_start,
        {{ local_to_utc('week_start', var('timezone')) }} as week_start_utc,
        {{ local_to_utc(dbt.dateadd('day', 7, 'week_start'), var('timezone')) }} as week_end_utc
    from (
        select
            kr_periods.kr_id,
            kr_periods.period_end,
            cast(
                {{ dbt.dateadd('day', 'week_offsets.week_number * 7', week_start_of('kr_periods.period_start')) }}
                as date
            ) as week_start
        from kr_periods
        cross join week_offsets
    ) as spine
    where week_start <= period_end
        and week_start < cast('{{ window_end() }}' as date)

),

versions_at_week_end as (

    select
        kr_weeks.kr_id,
        kr_weeks.week_start,
        kr_weeks.week_start_utc,
        kr_weeks.week_end_utc,
        key_results.objective_id,
        key_results.period_id,
        key_results.user_id,
        key_results.user_id_type,
        key_results.kr_weight,
        key_results.progress_percent,
        key_results.progress_updated_at_utc,
        key_results._source_ref,
        row_number() over (
            partition by kr_weeks.kr_id, kr_weeks.week_start
            order by
                key_results.progress_updated_at_utc desc nulls last,
                key_results.partition_week_start desc,
                key_results._source_ref desc
        ) as version_rank
    from kr_weeks
    inner join key_results
        on kr_weeks.kr_id = key_results.kr_id
        and (
            key_results.progress_updated_at_utc is null  -- never updated: 0 since the OKR was written
            or key_results.progress_updated_at_utc < kr_weeks.week_end_utc
        )

),

identities as (

    select * from {{ ref('int_employee_identities') }}
    where source_system in ('feishu', 'feishu_open_id')

),

final as (

    select
        versions.kr_id,
        versions.objective_id,
        versions.period_id,
        versions.week_start,
        versions.user_id,
        versions.user_id_type,
        identities.employee_id as owner_employee_id,
        versions.kr_weight,
        versions.progress_percent,
        versions.progress_updated_at_utc,
        coalesce(
            versions.progress_updated_at_utc >= versions.week_start_utc
            and versions.progress_updated_at_utc < versions.week_end_utc,
            false
        ) as changed_this_week,
        versions._source_ref
    from versions_at_week_end as versions
    left join identities
        on versions.user_id = identities.external_id
        and identities.source_system = case versions.user_id_type
            when 'user_id' then 'feishu'
            when 'open_id' then 'feishu_open_id'
        end
        and versions.week_start between identities.valid_from and identities.valid_to
    where versions.version_rank = 1

)

select * from final
