{#-
  Incremental strategy `week_partition`: delete + insert keyed on `week_start`, with the delete bounded by the
  run's window [var week_start, var week_end) instead of by the keys present in the new rows. A week whose
  rebuilt output is empty is therefore emptied too, and weeks outside the window are never touched. dbt runs
  the delete and the insert in one transaction.
-#}
{% macro get_incremental_week_partition_sql(arg_dict) -%}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set source = arg_dict["temp_relation"] -%}
    {%- set dest_columns = arg_dict["dest_columns"] -%}
    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute="name")) -%}

    delete from {{ target }}
    where {{ in_partition_window('week_start') }};

    insert into {{ target }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ source }}
        where {{ in_partition_window('week_start') }}
    )
{%- endmacro %}
