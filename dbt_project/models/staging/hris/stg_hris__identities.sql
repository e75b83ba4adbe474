with

source as (

    select * from {{ source('hris', 'hris_identities') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('employee_id') }} as employee_id,
        lower({{ to_text('system') }}) as source_system,
        -- kept as text: ZK pins carry leading zeros
        {{ to_text('external_id') }} as external_id,

        ---------- dates
        {{ to_date('valid_from') }} as valid_from,
        {{ to_date('valid_to') }} as valid_to,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
