{#-
  One row per activity on the engagement team's calendar. Activity scoring refuses an event whose activity is
  not here by the end of its week (orchestration/defs/scoring/marts.py: known_activities); the analytics marts
  can take the activity's name from here.
-#}
with

calendar as (

    select * from {{ ref('stg_activities__calendar') }}

),

final as (

    select
        cast(activity_id as {{ dbt.type_string() }}) as activity_id,
        cast(activity_type as {{ dbt.type_string() }}) as activity_type,
        cast(activity_name as {{ dbt.type_string() }}) as activity_name,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        {{ week_start_of('start_date') }} as start_week,
        cast(prerequisite_course as {{ dbt.type_string() }}) as prerequisite_course,
        cast(partition_week_start as date) as listed_in_week_start,
        cast(_source_ref as {{ dbt.type_string() }}) as source_ref
    from calendar

)

select * from final
