{#- The Monday of the ISO week holding a date: weeks are keyed by their Monday. -#}
{% macro week_start_of(date_expression) -%}
    cast({{ dbt.date_trunc('week', date_expression) }} as date)
{%- endmacro %}

{#- Whole minutes between two timestamps, floored (seconds count: 09:00:00 -> 09:07:40 is 7 minutes). -#}
{% macro minutes_between(start_expression, end_expression) -%}
    cast(floor({{ dbt.datediff(start_expression, end_expression, 'second') }} / 60.0) as integer)
{%- endmacro %}

{#- 'HH:MM' (or 'HH:MM:SS') -> minutes after midnight; '24:00' is 1440. -#}
{% macro clock_to_minutes(expression) -%}
    (cast({{ dbt.split_part(expression, "':'", 1) }} as integer) * 60
     + cast({{ dbt.split_part(expression, "':'", 2) }} as integer))
{%- endmacro %}

{#- Strip a Shopify global id ('gid://shopify/Order/5501') to its numeric id; plain ids pass through. -#}
{% macro gid_to_id(expression) -%}
    regexp_replace({{ expression }}, '^.*/', '')
{%- endmacro %}

{#- True for weeks inside the run's partition window [var week_start, var week_end). -#}
{% macro in_partition_window(week_column) -%}
    ({{ week_column }} >= cast('{{ window_start() }}' as date)
     and {{ week_column }} < cast('{{ window_end() }}' as date))
{%- endmacro %}

{#-
  Restrict an incremental model to the partition window. On a first or full-refresh build every week is
  built; on an incremental run only the window's weeks are recomputed (and replaced, see
  get_incremental_week_partition_sql).
-#}
{% macro partition_window_filter(week_column) -%}
    {%- if is_incremental() -%}
        {{ in_partition_window(week_column) }}
    {%- else -%}
        (1 = 1)
    {%- endif -%}
{%- endmacro %}

{#-
  The run's partition window [start, end): ISO dates of Mondays. Orchestration sets it per run in
  HRHUB_DBT_WINDOW_START / HRHUB_DBT_WINDOW_END rather than in --vars: new vars make dbt re-parse the whole project
  (about 5 s here), a changed environment variable only the files that read it. The vars `week_start` / `week_end`
  are the fallback, for ad-hoc runs and tests.
-#}
{% macro window_start() -%}
    {{ env_var('HRHUB_DBT_WINDOW_START', var('week_start')) }}
{%- endmacro %}

{% macro window_end() -%}
    {{ env_var('HRHUB_DBT_WINDOW_END', var('week_end')) }}
{%- endmacro %}
