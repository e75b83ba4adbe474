with

source as (

    select * from {{ source('feishu', 'feishu_shift_roster') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('user_id') }} as user_id,
        {{ to_text('shift_id') }} as shift_id,
        upper({{ to_text('shift_name') }}) as shift_code,

        ---------- dates and local clock times
        {{ to_date('work_date') }} as work_date,
        {{ clock_to_minutes(to_text('on_time')) }} as start_minute_of_day,
        {{ clock_to_minutes(to_text('off_time')) }} as end_minute_of_day,

        ---------- numerics
        {{ to_integer('rest_minutes') }} as break_minutes,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
