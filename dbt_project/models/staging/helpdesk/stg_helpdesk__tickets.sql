with

source as (

    select * from {{ source('helpdesk', 'helpdesk_tickets') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('ticket_id') }} as ticket_id,
        -- the helpdesk's external id of the agent: the HR employee_id
        {{ to_text('assignee_employee_id') }} as employee_id,

        ---------- status (as of the export)
        lower({{ to_text('status') }}) as status,
        lower({{ to_text('status') }}) in ('solved', 'closed') as is_solved,

        ---------- timestamps
        {{ iso8601_to_utc(to_text('created_at')) }} as created_at_utc,
        {{ iso8601_to_utc(to_text('solved_at')) }} as solved_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
