{#-
  Site configuration passed as list vars (config/attendance.yaml through orchestration) turned into small
  relations, so SQL joins to it like to any table. Portable: a union of single-row selects; an empty list
  gives an empty relation with the same typed columns.
-#}

{#- `attendance_devices`: [{device_sn, timezone, clock_offset_seconds}] -> device_sn, device_timezone, clock_offset_seconds. -#}
{% macro attendance_devices_relation() -%}
    {%- set devices = var('attendance_devices', []) -%}
    {%- for device in devices %}
    select
        cast('{{ dbt.escape_single_quotes(device["device_sn"] | string) }}' as {{ dbt.type_string() }}) as device_sn,
        cast({% if device.get("timezone") %}'{{ dbt.escape_single_quotes(device["timezone"] | string) }}'{% else %}null{% endif %} as {{ dbt.type_string() }}) as device_timezone,
        cast({{ device.get("clock_offset_seconds", 0) | int }} as integer) as clock_offset_seconds
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as device_sn,
        cast(null as {{ dbt.type_string() }}) as device_timezone,
        cast(null as integer) as clock_offset_seconds
    where 1 = 0
    {%- endfor %}
{%- endmacro %}

{#- `attendance_source_precedence`: sources, most trusted first -> source, source_rank (1 = kept first). -#}
{% macro source_precedence_relation() -%}
    {%- for source in var('attendance_source_precedence') %}
    select
        cast('{{ dbt.escape_single_quotes(source | string) }}' as {{ dbt.type_string() }}) as source,
        cast({{ loop.index }} as integer) as source_rank
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- True when `shift_code_expression` is a shift type paired as every valid in/out pair (plan `pairing`). -#}
{% macro is_every_valid_pair_shift(shift_code_expression) -%}
    {%- set codes = var('every_valid_pair_shift_codes', []) -%}
    {%- if codes -%}
    ({{ shift_code_expression }} in (
        {%- for code in codes -%}'{{ dbt.escape_single_quotes(code | string | upper) }}'{% if not loop.last %}, {% endif %}{%- endfor -%}
    ))
    {%- else -%}
    (1 = 0)
    {%- endif -%}
{%- endmacro %}
