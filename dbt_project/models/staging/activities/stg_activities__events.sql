with

source as (

    select * from {{ source('activities', 'activity_events') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('event_id') }} as event_id,
        {{ to_text('activity_id') }} as activity_id,
        {{ to_text('employee_id') }} as employee_id,
        {{ to_text('counterpart_id') }} as counterpart_id,
        {{ to_text('story_id') }} as story_id,
        {{ to_text('team_id') }} as team_id,

        ---------- codes
        lower({{ to_text('event_type') }}) as event_type,
        lower({{ to_text('activity_type') }}) as activity_type,
        upper({{ to_text('prerequisite_course') }}) as prerequisite_course,

        ---------- timestamps
        {{ iso8601_to_utc(to_text('occurred_at')) }} as occurred_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
