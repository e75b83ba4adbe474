{#-
  Raw tables keep values as the source sent them: the same column may arrive as text, integer or float
  depending on the connector. Going through trimmed text first makes every cast independent of that, and
  turns empty strings into nulls.
-#}

{% macro to_text(expression) -%}
    nullif(trim(cast({{ expression }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{% macro to_integer(expression) -%}
    {#- via numeric so that '3.0' (a float that went through pandas) is accepted on every engine -#}
    cast(round(cast({{ to_text(expression) }} as {{ dbt.type_numeric() }})) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro to_decimal(expression, precision=18, scale=4) -%}
    cast({{ to_text(expression) }} as numeric({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro to_date(expression) -%}
    {#- accepts DATE, TIMESTAMP or 'YYYY-MM-DD[ ...]' text -#}
    cast(substr({{ to_text(expression) }}, 1, 10) as date)
{%- endmacro %}

{% macro to_bool_flag(expression) -%}
    (lower({{ to_text(expression) }}) in ('1', 'true', 't', 'yes', 'y'))
{%- endmacro %}
