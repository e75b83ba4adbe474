{#-
  Instants are stored in UTC (naive TIMESTAMP, `*_utc`) and converted to the company time zone at the edge.
  Each conversion is dispatched: `default__` is PostgreSQL SQL, `duckdb__` uses DuckDB's functions.
-#}

{#- Naive local text/timestamp as a device recorded it, in time zone `tz` (a name) -> naive UTC timestamp. -#}
{% macro local_to_utc(expression, tz) -%}
    {{ local_to_utc_in_zone(expression, "'" ~ tz ~ "'") }}
{%- endmacro %}

{#- The same, with the zone given by a SQL expression (a column: per-device or per-employee zones). -#}
{% macro local_to_utc_in_zone(expression, zone_expression) -%}
    {{ return(adapter.dispatch('local_to_utc_in_zone', 'hrhub')(expression, zone_expression)) }}
{%- endmacro %}

{% macro default__local_to_utc_in_zone(expression, zone_expression) -%}
    ((cast({{ expression }} as timestamp) at time zone {{ zone_expression }}) at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__local_to_utc_in_zone(expression, zone_expression) -%}
    timezone('UTC', timezone({{ zone_expression }}, cast({{ expression }} as timestamp)))
{%- endmacro %}

{#- Naive UTC timestamp -> naive local timestamp in time zone `tz` (a name). -#}
{% macro utc_to_local(expression, tz) -%}
    {{ utc_to_local_in_zone(expression, "'" ~ tz ~ "'") }}
{%- endmacro %}

{#- The same, with the zone given by a SQL expression. -#}
{% macro utc_to_local_in_zone(expression, zone_expression) -%}
    {{ return(adapter.dispatch('utc_to_local_in_zone', 'hrhub')(expression, zone_expression)) }}
{%- endmacro %}

{% macro default__utc_to_local_in_zone(expression, zone_expression) -%}
    ((cast({{ expression }} as timestamp) at time zone 'UTC') at time zone {{ zone_expression }})
{%- endmacro %}

{% macro duckdb__utc_to_local_in_zone(expression, zone_expression) -%}
    timezone({{ zone_expression }}, timezone('UTC', cast({{ expression }} as timestamp)))
{%- endmacro %}

{#- Unix epoch milliseconds (DingTalk) -> naive UTC timestamp, to the millisecond. -#}
{% macro epoch_millis_to_utc(expression) -%}
    {{ epoch_seconds_to_utc('(' ~ expression ~ ') / 1000.0') }}
{%- endmacro %}

{#- Unix epoch seconds (WeCom, Feishu) -> naive UTC timestamp. -#}
{% macro epoch_seconds_to_utc(expression) -%}
    {{ return(adapter.dispatch('epoch_seconds_to_utc', 'hrhub')(expression)) }}
{%- endmacro %}

{% macro default__epoch_seconds_to_utc(expression) -%}
    (to_timestamp({{ expression }}) at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__epoch_seconds_to_utc(expression) -%}
    timezone('UTC', to_timestamp({{ expression }}))
{%- endmacro %}

{#-
  ISO-8601 text with an offset or `Z` (Shopify, Jira) -> naive UTC timestamp. Text without an offset is
  taken as UTC already, never as the session's time zone (which differs between machines).
-#}
{% macro iso8601_to_utc(expression) -%}
    {{ return(adapter.dispatch('iso8601_to_utc', 'hrhub')(expression)) }}
{%- endmacro %}

{% macro default__iso8601_to_utc(expression) -%}
    case
        when {{ expression }} ~ '[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$'
            then (cast({{ expression }} as timestamp with time zone) at time zone 'UTC')
        else cast(replace({{ expression }}, 'T', ' ') as timestamp)
    end
{%- endmacro %}

{% macro duckdb__iso8601_to_utc(expression) -%}
    case
        when regexp_matches({{ expression }}, '[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$')
            then timezone('UTC', cast({{ expression }} as timestamptz))
        else cast(replace({{ expression }}, 'T', ' ') as timestamp)
    end
{%- endmacro %}

{#- `YYYYMMDD` text (GA4 report dates) -> date; a `YYYY-MM-DD` value (already parsed upstream) works too. -#}
{% macro yyyymmdd_to_date(expression) -%}
    {{ return(adapter.dispatch('yyyymmdd_to_date', 'hrhub')(expression)) }}
{%- endmacro %}

{% macro default__yyyymmdd_to_date(expression) -%}
    to_date(replace({{ expression }}, '-', ''), 'YYYYMMDD')
{%- endmacro %}

{% macro duckdb__yyyymmdd_to_date(expression) -%}
    cast(strptime(replace({{ expression }}, '-', ''), '%Y%m%d') as date)
{%- endmacro %}
