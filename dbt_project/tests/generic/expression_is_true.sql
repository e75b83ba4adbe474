{#-
  Fails with every row for which `expression` is not true (null counts as a failure). On a column the
  expression is still written out in full, e.g. `quantity > 0`.
-#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
