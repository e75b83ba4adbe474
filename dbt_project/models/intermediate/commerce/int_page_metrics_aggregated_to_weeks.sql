{#-
  Sessions, engagement seconds and wishlist adds (favourites) per product page and week; for each day the
  latest load wins. Two sources: GA4 (the web shop) and the Taobao store's 生意参谋 item export (visitors as
  sessions, visitors x average stay as engagement seconds, 收藏人数 as favourites). A Taobao item lands on its
  product's registry page (商家编码 = product_id), else on its own Taobao page path. When both sources report the
  same page and week, 生意参谋's numbers are kept and GA4's dropped, so no visit is counted twice; `source` says
  which one a row comes from.
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

ga4_weeks as (

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

),

taobao_item_daily as (

    select
        *,
        row_number() over (
            partition by report_date, item_id
            order by partition_week_start desc, _source_ref desc
        ) as version_rank
    from {{ ref('stg_taobao__item_metrics') }}

),

taobao_weeks as (

    select
        coalesce(products.page_path, taobao_item_daily.page_path) as page_path,
        {{ week_start_of('taobao_item_daily.report_date') }} as week_start,
        sum(taobao_item_daily.visitors) as sessions,
        sum(taobao_item_daily.page_views) as screen_page_views,
        sum(taobao_item_daily.engagement_seconds) as engagement_seconds,
        sum(taobao_item_daily.favorite_buyers) as wishlist_adds
    from taobao_item_daily
    left join {{ ref('int_products_deduplicated') }} as products
        on taobao_item_daily.outer_id = products.product_id
    where taobao_item_daily.version_rank = 1
    group by
        coalesce(products.page_path, taobao_item_daily.page_path),
        {{ week_start_of('taobao_item_daily.report_date') }}

),

final as (

    select
        page_path,
        week_start,
        sessions,
        screen_page_views,
        coalesce(engagement_seconds, 0) as engagement_seconds,
        coalesce(wishlist_adds, 0) as wishlist_adds,
        'taobao' as source
    from taobao_weeks
    union all
    select
        ga4_weeks.page_path,
        ga4_weeks.week_start,
        ga4_weeks.sessions,
        ga4_weeks.screen_page_views,
        ga4_weeks.engagement_seconds,
        ga4_weeks.wishlist_adds,
        'ga4' as source
    from ga4_weeks
    where not exists (
        select 1
        from taobao_weeks
        where taobao_weeks.page_path = ga4_weeks.page_path
            and taobao_weeks.week_start = ga4_weeks.week_start
    )

)

select * from final
