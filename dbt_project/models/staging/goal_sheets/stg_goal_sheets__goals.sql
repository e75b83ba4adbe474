with

source as (

    select * from {{ source('goal_sheets', 'goal_sheet_rows') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('employee_id') }} as employee_id,
        {{ to_text('objective_id') }} as objective_id,

        ---------- goal item
        {{ to_text('metric') }} as metric,
        {{ to_text('unit') }} as unit,
        lower({{ to_text('direction') }}) as direction,
        {{ to_decimal('target', 18, 4) }} as target,
        {{ to_decimal('actual', 18, 4) }} as actual,
        {{ to_decimal('weight', 18, 4) }} as weight,

        ---------- dates
        {{ to_date('goal_week') }} as goal_week,

        ---------- timestamps: when the sheet file was last saved (orders re-sent corrections)
        {{ iso8601_to_utc(to_text('file_modified_at')) }} as file_modified_at_utc,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
