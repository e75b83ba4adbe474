{#-
  The OKR objective tree that weekly goals align to: one row per Feishu OKR objective (its latest stored
  version), with its parent (the objective it aligns to) and its level by depth from the root: the root of a
  period (aligned to nothing) is the company objective, then department, team, and personal below that. An
  objective whose parent was never loaded reaches no root: its level is null (the tree test reports it).
  Department and team are the owner's (dim_employee); the company objective has neither.
-#}
with recursive

versions as (

    select
        *,
        row_number() over (
            partition by objective_id
            order by partition_week_start desc, progress_updated_at_utc desc nulls last, _source_ref desc
        ) as version_rank
    from {{ ref('stg_feishu__okr_objectives') }}

),

objectives as (

    select * from versions
    where version_rank = 1

),

tree as (

    select
        objective_id,
        0 as depth
    from objectives
    where parent_objective_id is null

    union all

    select
        child.objective_id,
        tree.depth + 1 as depth
    from objectives as child
    inner join tree
        on child.parent_objective_id = tree.objective_id
    where tree.depth < 10  -- a cycle of alignments stops here instead of running forever

),

depths as (

    select objective_id, min(depth) as depth
    from tree
    group by objective_id

),

identities as (

    select
        employee_id,
        source_system,
        external_id,
        row_number() over (
            partition by source_system, external_id
            order by valid_to desc, valid_from desc
        ) as identity_rank
    from {{ ref('int_employee_identities') }}
    where source_system in ('feishu', 'feishu_open_id')

),

employees as (

    select * from {{ ref('dim_employee') }}

),

leveled as (

    select
        objectives.*,
        case
            when depths.depth = 0 then 'company'
            when depths.depth = 1 then 'department'
            when depths.depth = 2 then 'team'
            when depths.depth >= 3 then 'personal'
        end as level,
        identities.employee_id as owner_employee_id
    from objectives
    left join depths
        on objectives.objective_id = depths.objective_id
    left join identities
        on objectives.user_id = identities.external_id
        and identities.identity_rank = 1
        and identities.source_system = case objectives.user_id_type
            when 'user_id' then 'feishu'
            when 'open_id' then 'feishu_open_id'
        end

),

final as (

    select
        cast(leveled.objective_id as {{ dbt.type_string() }}) as objective_id,
        cast(leveled.parent_objective_id as {{ dbt.type_string() }}) as parent_objective_id,
        cast(leveled.level as {{ dbt.type_string() }}) as level,
        cast(leveled.owner_employee_id as {{ dbt.type_string() }}) as owner_employee_id,
        cast(
            case when leveled.level <> 'company' then employees.department end as {{ dbt.type_string() }}
        ) as department,
        cast(
            case when leveled.level in ('team', 'personal') then employees.team end as {{ dbt.type_string() }}
        ) as team,
        cast(leveled.okr_id as {{ dbt.type_string() }}) as okr_id,
        cast(leveled.period_id as {{ dbt.type_string() }}) as period_id,
        cast(leveled.period_name as {{ dbt.type_string() }}) as period_name,
        cast(leveled.period_start as date) as period_start,
        cast(leveled.period_end as date) as period_end,
        cast(leveled.content as {{ dbt.type_string() }}) as content,
        cast(leveled.weight as numeric(18, 4)) as weight,
        cast(leveled.progress_percent as numeric(18, 4)) as progress_percent,
        cast(leveled.progress_updated_at_utc as timestamp) as progress_updated_at_utc,
        cast(leveled._source_ref as {{ dbt.type_string() }}) as source_ref
    from leveled
    left join employees
        on leveled.owner_employee_id = employees.employee_id

)

select * from final
