{#-
  Sessions, engagement seconds and wishlist adds (favourites) per product page and week; for each day the
  latest GA4 load wins.
-#}
with

page_daily as (

    select
        *,
        row_number() over (
            partition by report_date, page_path
            order by partition_week_start desc, _source_ref desc
        ) as version_rank
    from {{ ref('stg_ga4__daily_page_metrics') }}

),

event_daily as (

    select
        *,
        row_number() over (
            partition by report_date, page_path, event_name
            order by partition_week_start desc, _source_ref desc
        ) as version_rank
    from {{ ref('stg_ga4__daily_page_events') }}
    where event_name = 'add_to_wishlist'

),

page_weeks as (

    select
        page_path,
        {{ week_start_of('report_date') }} as week_start,
        sum(sessions) as sessions,
        sum(screen_page_views) as screen_page_views,
        sum(engagement_seconds) as engagement_seconds
    from page_daily
    where version_rank = 1
    group by page_path, {{ week_start_of('report_date') }}

),

wishlist_weeks as (

    select
        page_path,
        {{ week_start_of('report_date') }} as week_start,
        sum(event_count) as wishlist_adds
    from event_daily
    where version_rank = 1
    group by page_path, {{ week_start_of('report_date') }}

),

final as (

    select
        coalesce(page_weeks.page_path, wishlist_weeks.page_path) as page_path,
        coalesce(page_weeks.week_start, wishlist_weeks.week_start) as week_start,
        coalesce(page_weeks.sessions, 0) as sessions,
        coalesce(page_weeks.screen_page_views, 0) as screen_page_views,
        coalesce(page_weeks.engagement_seconds, 0) as engagement_seconds,
        coalesce(wishlist_weeks.wishlist_adds, 0) as wishlist_adds
    from page_weeks
    full outer join wishlist_weeks
        on page_weeks.page_path = wishlist_weeks.page_path
        and page_weeks.week_start = wishlist_weeks.week_start

)

select * from final
