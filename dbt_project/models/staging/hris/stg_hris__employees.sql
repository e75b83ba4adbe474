with

source as (

    select * from {{ source('hris', 'hris_employees') }}

),

renamed as (

    select
        ---------- ids
        {{ to_text('employee_id') }} as employee_id,
        {{ to_text('manager_id') }} as manager_id,
        {{ to_text('payroll_id') }} as payroll_id,

        ---------- text
        {{ to_text('name') }} as employee_name,
        {{ to_text('department') }} as department,
        {{ to_text('team') }} as team,
        {{ to_text('project_group') }} as project_group,
        {{ to_text('city') }} as city,
        lower({{ to_text('role') }}) as role,
        coalesce({{ to_text('timezone') }}, '{{ var("timezone") }}') as timezone,

        ---------- numerics
        {{ to_decimal('variable_base', 18, 2) }} as variable_base,

        ---------- dates
        {{ to_date('hire_date') }} as hire_date,
        {{ to_date('termination_date') }} as termination_date,

        ---------- lineage
        cast(week_start as date) as partition_week_start,
        _source_ref,
        _batch_id

    from source

)

select * from renamed
