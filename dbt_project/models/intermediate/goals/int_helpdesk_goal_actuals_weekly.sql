{#-
  The `tickets_resolved` actual per agent and week from the helpdesk: how many distinct tickets the agent solved in
  the ISO week (company time zone). Exports overlap and tickets change (reopened, reassigned, solved again), so
  each ticket counts once, as its latest version shows it: the latest load, then a solved version before an
  unsolved one, then the last file by name. A ticket solved and later reopened is not counted; one
  reassigned before it was solved counts for whoever solved it. `source_ref` lists the inbox files
  (`<week folder>/<file>`) the counted tickets were read from.
-#}
with

tickets as (

    select
        *,
        row_number() over (
            partition by ticket_id
            order by partition_week_start desc, solved_at_utc desc nulls last, _source_ref desc
        ) as version_rank
    from {{ ref('stg_helpdesk__tickets') }}

),

solved_tickets as (

    select
        ticket_id,
        employee_id,
        {{ week_start_of(utc_to_local('solved_at_utc', var('timezone'))) }} as week_start,
        {{ dbt.concat([
            "cast(partition_week_start as " ~ dbt.type_string() ~ ")",
            "'/'",
            dbt.split_part('_source_ref', "':'", 1),
        ]) }} as source_file
    from tickets
    where version_rank = 1
        and is_solved
        and employee_id is not null
        and solved_at_utc is not null

),

counted as (

    select
        employee_id,
        week_start,
        count(distinct ticket_id) as solved_tickets
    from solved_tickets
    group by employee_id, week_start

),

source_files as (

    select
        employee_id,
        week_start,
        {{ dbt.listagg('source_file', "','", 'order by source_file') }} as source_ref
    from (select distinct employee_id, week_start, source_file from solved_tickets) as files
    group by employee_id, week_start

),

final as (

    select
        cast(counted.employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(counted.week_start as date) as week_start,
        cast('tickets_resolved' as {{ dbt.type_string() }}) as metric,
        cast('tickets' as {{ dbt.type_string() }}) as unit,
        cast(counted.solved_tickets as numeric(18, 4)) as actual,
        cast(source_files.source_ref as {{ dbt.type_string() }}) as source_ref
    from counted
    inner join source_files
        on counted.employee_id = source_files.employee_id
        and counted.week_start = source_files.week_start

)

select * from final
