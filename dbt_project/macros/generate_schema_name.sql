{#-
  Custom schema names are used as they are (`staging`, `intermediate`, `marts`), not prefixed with the
  target schema: the marts are a contract read by scoring and BI under the fixed name `marts`.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
