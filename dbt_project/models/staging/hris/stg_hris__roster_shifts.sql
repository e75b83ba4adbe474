with

source as (

    select * from {{ source('hris', 'roster_shifts') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('employee_id') }} as employee_id,
        upper({{ to_text('shift_code') }}) as shift_code,

        ---------- dates and local clock times ('HH:MM' in the company time zone)
        {{ to_date('work_date') }} as work_date,
        {{ to_text('start_time') }} as start_time,
        {{ to_text('end_time') }} as end_time,
        {{ clock_to_minutes(to_text('start_time')) }} as start_minute_of_day,
        {{ clock_to_minutes(to_text('end_time')) }} as end_minute_of_day,

        ---------- numerics
        {{ to_integer('break_minutes') }} as break_minutes,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
