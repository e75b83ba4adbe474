from datetime import date, timedelta

import pytest

from orchestration.recommendation_eval import sample_history
from sandbox.sample.config import SampleConfig
from sandbox.sample.generate import generate_sample
from scoring.plan import ActivityRecommendationRules
from scoring.recommendations import OfferedActivity, Participation, hit_rate, recommend_week

RULES = ActivityRecommendationRules()
W1, W2, W3 = date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)
TARGET = date(2026, 3, 23)
ROSTER = {
    "E1": "R&D", "E2": "R&D", "E3": "R&D", "E4": "R&D",
    "C1": "Customer Success", "C2": "Customer Success",
    "NEW": "Customer Success",
}  # fmt: skip


def _history() -> list[Participation]:
    rows = []
    for week in (W1, W2, W3):
        for e in ("E1", "E2", "E3", "E4"):
            rows.append(Participation(e, "R&D", "challenge", week))
        for e in ("C1", "C2"):
            rows += [
                Participation(e, "Customer Success", "story", week),
                Participation(e, "Customer Success", "survey", week),
            ]
        rows.append(Participation("E1", "R&D", "quiz", week))
    # E4 is a quiz person: quizzes every week, and surveys
    rows += [Participation("E4", "R&D", t, w) for w in (W1, W2, W3) for t in ("quiz", "survey")]
    return rows


def _top(recommendations, employee_id):
    return [r for r in recommendations if r.employee_id == employee_id]


def test_reasons_name_the_numbers_behind_the_recommendation():
    recs = recommend_week(_history(), ROSTER, TARGET, RULES)
    first = _top(recs, "E1")[0]
    assert first.activity_type == "challenge" and first.rank == 1
    assert first.own_count == 3 and first.own_total == 6
    assert first.department_rate == 1.0  # every R&D person, every week
    assert first.reason == (
        "3 of your 6 activities in the last 3 weeks were challenges; each week 100% of R&D took part in "
        "challenges (company: 57%)"
    )


def test_strong_own_history_puts_the_personal_favourite_above_the_department_favourite():
    recs = _top(recommend_week(_history(), ROSTER, TARGET, RULES), "E4")
    assert [r.activity_type for r in recs] == ["challenge", "quiz", "survey"]
    # A person who only ever answers quizzes gets the quiz first, even in challenge-loving R&D.
    history = [p for p in _history() if not (p.employee_id == "E4" and p.activity_type != "quiz")]
    recs = _top(recommend_week(history, ROSTER, TARGET, RULES), "E4")
    assert recs[0].activity_type == "quiz"
    assert recs[0].reason.startswith("3 of your 3 activities in the last 3 weeks were quizzes")


def test_a_new_joiner_gets_the_department_favourites_and_says_so():
    recs = _top(recommend_week(_history(), ROSTER, TARGET, RULES), "NEW")
    # Department tie (both 67% of Customer Success each week): the company's rate decides, survey 43% > story 29%.
    assert [r.activity_type for r in recs][:2] == ["survey", "story"]
    assert recs[0].own_total == 0 and recs[1].department_rate == pytest.approx(2 / 3, abs=1e-6)
    assert recs[0].reason.startswith("no activities of yours in the last 3 weeks; each week 67% of Customer Success")


def test_top_n_ties_are_broken_alphabetically_and_reruns_agree():
    history = [Participation("A", "Ops", t, W1) for t in ("survey", "quiz", "challenge", "story")]
    recs = recommend_week(history, {"A": "Ops"}, W2, RULES)
    assert [r.activity_type for r in recs] == ["challenge", "quiz", "story"]
    assert recs == recommend_week(list(reversed(history)), {"A": "Ops"}, W2, RULES)


def test_only_history_before_the_week_and_inside_the_window_counts():
    history = [*_history(), Participation("C1", "Customer Success", "quiz", TARGET)]  # the future: ignored
    recs = recommend_week(history, ROSTER, TARGET, RULES)
    assert _top(recs, "C1")[0].own_total == 6
    later = TARGET + timedelta(weeks=RULES.history_weeks + 3)  # everything aged out of the window
    assert recommend_week(_history(), ROSTER, later, RULES) == []


def test_with_next_weeks_activities_only_offered_types_are_recommended_as_activities():
    offered = [
        OfferedActivity("A-9", "survey", "Pulse survey", TARGET),
        OfferedActivity("A-7", "quiz", "Quiz: trivia", TARGET),
        OfferedActivity("A-8", "quiz", "Quiz: safety", TARGET),
        OfferedActivity("A-1", "challenge", "Old challenge", W3),  # not next week
    ]
    recs = _top(recommend_week(_history(), ROSTER, TARGET, RULES, activities=offered), "E4")
    assert [(r.activity_id, r.title) for r in recs] == [
        ("A-7", "Quiz: trivia"), ("A-8", "Quiz: safety"), ("A-9", "Pulse survey"),
    ]  # fmt: skip


def test_hit_rate_counts_a_hit_when_a_joined_type_was_in_the_top_n():
    history = [
        *_history(),
        Participation("E4", "R&D", "quiz", TARGET),  # in E4's top 3 (challenge, quiz, survey): hit
        Participation("C1", "Customer Success", "quiz", TARGET),  # C1's top 3 (survey, story, challenge): miss
        Participation("C2", "Customer Success", "survey", TARGET),  # hit, and a top-1 hit
    ]
    result = hit_rate(history, [TARGET], RULES, ROSTER)
    assert (result.employee_weeks, result.hits, result.top1_hits) == (3, 2, 1)
    assert result.rate == pytest.approx(2 / 3)
    # Popularity alone ranks challenge, survey, quiz for everyone: three top-3 hits, no top-1 hit.
    assert (result.baseline_hits, result.baseline_top1_hits) == (3, 0)


def test_on_a_generated_sample_the_model_beats_popularity():
    config = SampleConfig(seed=7, employees=300, weeks=6, start_week=date(2026, 3, 2))
    history, roster = sample_history(generate_sample(config))
    result = hit_rate(history, config.week_starts[-2:], RULES, roster)
    assert result.employee_weeks > 200
    assert result.rate > result.baseline_rate
    assert result.top1_rate > result.baseline_top1_rate + 0.05


def test_the_evaluate_command_prints_model_and_baseline(capsys):
    from orchestration.cli import main

    argv = ["recommendations", "evaluate", "--employees", "150", "--weeks", "4", "--holdout", "1"]
    assert main([*argv, "--start-week", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    assert "held out the last 1: 2026-03-23" in out
    assert "hit rate, top 3: model " in out and "vs popularity baseline " in out


def test_evaluate_refuses_a_holdout_that_leaves_no_history():
    from orchestration.recommendation_eval import evaluate

    with pytest.raises(ValueError, match="holdout must be at least 1 and fewer than weeks"):
        evaluate(100, 2, 2, date(2026, 3, 2), RULES)
