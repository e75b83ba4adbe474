{#-
  No punch disappears between the sources and the sessions: every recorded punch is in the deduplicated
  model, and every kept punch of a mapped employee is in the assignment model exactly once (assigned to a
  shift or visibly not).
-#}
{{ config(meta={'dagster': {'ref': {'name': 'int_punches_assigned_to_shifts'}}}) }}

with

source_punches as (

    select count(*) as punches from {{ ref('stg_zk__punches') }}
    union all
    select count(*) as punches from {{ ref('stg_zkbiotime__punches') }}
    union all
    select count(*) as punches from {{ ref('stg_wecom__checkins') }} where is_recorded_punch
    union all
    select count(*) as punches from {{ ref('stg_dingtalk__punches') }} where is_recorded_punch
    union all
    select count(*) as punches from {{ ref('stg_feishu__punches') }}

),

counts as (

    select
        (select sum(punches) from source_punches) as source_punches,
        (select count(*) from {{ ref('int_punches_deduplicated') }}) as deduplicated_punches,
        (
            select count(*) from {{ ref('int_punches_deduplicated') }}
            where not is_duplicate and employee_id is not null
        ) as kept_mapped_punches,
        (select count(*) from {{ ref('int_punches_assigned_to_shifts') }}) as assignment_rows

)

select *
from counts
where source_punches <> deduplicated_punches
    or kept_mapped_punches <> assignment_rows
