with

source as (

    select * from {{ source('ingestion', 'quarantine') }}

),

renamed as (

    select
        ---------- where it came from
        {{ to_text('_source') }} as source_system,
        {{ to_text('table_name') }} as table_name,
        {{ to_text('source_ref') }} as source_ref,

        ---------- why it was refused
        {{ to_text('reason') }} as reason,
        {{ to_text('payload') }} as payload,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _batch_id

    from source

)

select * from renamed
