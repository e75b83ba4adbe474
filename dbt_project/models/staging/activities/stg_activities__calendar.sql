{#-
  The engagement team's activity calendar, one row per activity: each weekly file repeats what it lists, and the
  latest file's row wins (a moved date or renamed activity is a correction). The connector has already
  quarantined rows without an id, with an unknown type or ending before they start.
-#}
with

source as (

    select * from {{ source('activities', 'activity_calendar') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('activity_id') }} as activity_id,

        ---------- codes
        lower({{ to_text('activity_type') }}) as activity_type,
        upper({{ to_text('prerequisite_course') }}) as prerequisite_course,

        ---------- text
        {{ to_text('title') }} as activity_name,

        ---------- dates (inclusive, company-local calendar days)
        {{ to_date('start_date') }} as start_date,
        {{ to_date('end_date') }} as end_date,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by activity_id
            order by partition_week_start desc, _source_ref desc
        ) as recency_rank
    from renamed

)

select
    activity_id,
    activity_type,
    prerequisite_course,
    activity_name,
    start_date,
    end_date,
    partition_week_start,
    _source_ref,
    _batch_id
from ranked
where recency_rank = 1
