{#-
  Worked minutes are never negative, never longer than the first-in to last-out span, and zero whenever
  nothing may be paid (absent, or no checkout).
-#}
select *
from {{ ref('fct_attendance_daily') }}
where worked_minutes < 0
    or (status in ('absent', 'missing_checkout') and worked_minutes <> 0)
    or (
        last_out_local is not null
        and worked_minutes > {{ minutes_between('first_in_local', 'last_out_local') }}
    )
