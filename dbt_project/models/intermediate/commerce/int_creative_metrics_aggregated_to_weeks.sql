{#-
  Promotion impressions and clicks per creative and week. GA4 restates recent days, so for each day the
  latest load wins.
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

final as (

    select
        creative_id,
        {{ week_start_of('report_date') }} as week_start,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        min(_source_ref) as example_source_ref
    from daily
    where version_rank = 1
    group by creative_id, {{ week_start_of('report_date') }}

)

select * from final
