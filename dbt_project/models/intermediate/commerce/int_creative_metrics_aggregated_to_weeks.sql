{#-
  Promotion impressions and clicks per creative and week. GA4 restates recent days, so for each day the
  latest load wins. The Taobao store's designed pages (生意参谋 page export, named "<creative_id> ...") add their
  page views as impressions and their clicks; when both sources report a creative in a week, 生意参谋's numbers
  are kept and GA4's dropped (no impression counted twice). `source` says which one a row comes from.
-#}
with

daily as (

    select
        *,
        row_number() over (
            partition by report_date, creative_id
            order by partition_week_start desc, _source_ref desc
        ) as version_rank
    from {{ ref('stg_ga4__daily_creative_metrics') }}

),

ga4_weeks as (

    select
        creative_id,
        {{ week_start_of('report_date') }} as week_start,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        min(_source_ref) as example_source_ref
    from daily
    where version_rank = 1
    group by creative_id, {{ week_start_of('report_date') }}

),

taobao_daily as (

    select
        *,
        row_number() over (
            partition by report_date, page_id
            order by partition_week_start desc, _source_ref desc
        ) as version_rank
    from {{ ref('stg_taobao__page_metrics') }}

),

taobao_weeks as (

    select
        creative_id,
        {{ week_start_of('report_date') }} as week_start,
        sum(page_views) as impressions,
        sum(clicks) as clicks,
        min(_source_ref) as example_source_ref
    from taobao_daily
    where version_rank = 1
        and creative_id is not null
    group by creative_id, {{ week_start_of('report_date') }}

),

final as (

    select
        creative_id,
        week_start,
        impressions,
        clicks,
        example_source_ref,
        'taobao' as source
    from taobao_weeks
    union all
    select
        ga4_weeks.creative_id,
        ga4_weeks.week_start,
        ga4_weeks.impressions,
        ga4_weeks.clicks,
        ga4_weeks.example_source_ref,
        'ga4' as source
    from ga4_weeks
    where not exists (
        select 1
        from taobao_weeks
        where taobao_weeks.creative_id = ga4_weeks.creative_id
            and taobao_weeks.week_start = ga4_weeks.week_start
    )

)

select * from final
