"""Engagement activities and their events (seed 001), one set of five activities per week.

Participation differs by department as the seed describes (R&D joins technical challenges, customer success
shares stories, functional teams answer quizzes; R&D quiz participation jumps from ~30% to ~75% in the last
week, when the quiz turns technical). People keep personal habits (some join nearly every quiz, some hardly any).
Stories collect likes and comments from colleagues, a few authors like their own story, every challenge has a
winning team, and collaboration tasks pair people from different project groups. A challenge names the course
its joiners must have completed first (``prerequisite_course``; completions: ``sandbox/sample/training.py``). Each
event happens once here (unique ``event_id``): repeated deliveries are the inbox's business.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.config import SampleConfig
from sandbox.sample.contract import ACTIVITY_TYPES, DEPARTMENTS, EVENT_TYPES
from sandbox.sample.people import RD, People
from sandbox.sample.randomness import topic_rng

CHALLENGE, COLLABORATION, STORY, QUIZ, SURVEY = range(len(ACTIVITY_TYPES))
(
    CHALLENGE_JOINED, CHALLENGE_WON, COLLABORATION_COMPLETED, STORY_PUBLISHED, STORY_LIKED, STORY_COMMENTED,
    QUIZ_ANSWERED, SURVEY_ANSWERED,
) = range(len(EVENT_TYPES))  # fmt: skip

# Share of each department (contract.DEPARTMENTS order) taking part in a week's activity of that kind.
PARTICIPATION: dict[int, tuple[float, ...]] = {
    CHALLENGE: (0.45, 0.08, 0.05, 0.15, 0.08, 0.05),
    STORY: (0.04, 0.30, 0.08, 0.10, 0.10, 0.06),  # authors
    QUIZ: (0.30, 0.25, 0.20, 0.25, 0.25, 0.60),
    SURVEY: (0.35, 0.40, 0.30, 0.35, 0.35, 0.50),
}
RD_TECH_QUIZ_PARTICIPATION = 0.9  # before habits and the cap: ~75% on average
# Personal habits: each person's chance of joining an activity type is the department's share times a lognormal
# factor with mean 1 (drawn once per person and type), so people keep to their favourites week after week.
HABIT_SPREAD = 0.5
MAX_PARTICIPATION = 0.95
COLLABORATION_PAIR_SHARE = 0.03  # pairs per eligible project-group member per week
MEDIAN_STORY_LIKES, STORY_LIKES_SPREAD = 6.0, 0.8
MEAN_STORY_COMMENTS = 2.0
SAME_DEPARTMENT_REACTION_SHARE = 0.6
SELF_LIKE_SHARE = 0.05
REACTION_WINDOW_SECONDS = 48 * 3600
HOUR, DAY, WEEK = 3600, 86_400, 7 * 86_400

CHALLENGE_TOPICS = (
    "Flaky test hunt", "API latency sprint", "Cache invalidation", "Log pipeline clean-up", "Mobile crash triage",
    "SQL tuning", "Accessibility fixes", "Build time diet",
)  # fmt: skip
# The course each challenge topic asks its joiners to have completed first (sandbox/sample/training.py).
CHALLENGE_COURSES = tuple(f"ENG-{301 + n}" for n in range(len(CHALLENGE_TOPICS)))
STORY_THEMES = ("A customer we saved", "Onboarding done right", "Renewal against the odds", "The hardest ticket")
QUIZ_TOPICS = ("Company history", "Product knowledge", "Festival trivia", "Safety at work")
TECH_QUIZ_TOPIC = "Tech quiz: distributed systems"
# Events per week (alternating) for an activity missing from the calendar: scoring must refuse them.
UNLISTED_EVENTS_PER_WEEK = (1, 2)


@dataclass
class _Events:
    """Column arrays of events, appended to per activity."""

    kind: list[np.ndarray]
    activity: list[np.ndarray]
    employee: list[np.ndarray]
    counterpart: list[np.ndarray]
    story: list[np.ndarray]
    local_second: list[np.ndarray]

    def add(
        self,
        kind: int,
        activity: int,
        employee: np.ndarray,
        at: np.ndarray,
        counterpart: np.ndarray | None = None,
        story: np.ndarray | None = None,
    ) -> None:
        missing = np.full(len(employee), -1)
        self.kind.append(np.full(len(employee), kind))
        self.activity.append(np.full(len(employee), activity))
        self.employee.append(employee)
        self.counterpart.append(missing if counterpart is None else counterpart)
        self.story.append(missing if story is None else story)
        self.local_second.append(at)

    def arrays(self) -> dict[str, np.ndarray]:
        fields = ("kind", "activity", "employee", "counterpart", "story", "local_second")
        return {name: np.concatenate(getattr(self, name)).astype(np.int64) for name in fields}


def _daytime(rng: np.random.Generator, week_second: int, size: int, days: int) -> np.ndarray:
    """Random instants between 09:00 and 22:00 on one of the first ``days`` days of the week."""
    return week_second + rng.integers(0, days, size) * DAY + rng.integers(9 * HOUR, 22 * HOUR, size)


def _titles(config: SampleConfig) -> list[tuple[int, str]]:
    titles = []
    for week, monday in enumerate(config.week_starts):
        label = f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
        quiz = TECH_QUIZ_TOPIC if _is_tech_quiz_week(config, week) else f"Quiz: {QUIZ_TOPICS[week % len(QUIZ_TOPICS)]}"
        titles += [
            (week, f"Tech challenge: {CHALLENGE_TOPICS[week % len(CHALLENGE_TOPICS)]}"),
            (week, f"Cross-project help desk {label}"),
            (week, f"Story sharing: {STORY_THEMES[week % len(STORY_THEMES)]}"),
            (week, quiz),
            (week, f"Pulse survey {label}"),
        ]
    return titles


def _is_tech_quiz_week(config: SampleConfig, week: int) -> bool:
    return config.weeks >= 2 and week == config.weeks - 1


class _Week:
    """One week's activities for the employees active all week."""

    def __init__(
        self, config: SampleConfig, people: People, week: int, rng: np.random.Generator, habit: np.ndarray
    ) -> None:
        self.people, self.rng, self.habit = people, rng, habit
        self.first_activity = week * len(ACTIVITY_TYPES)
        self.start = week * WEEK
        self.eligible = np.flatnonzero(people.active_between(7 * week, 7 * week + 6))
        self.tech_quiz = _is_tech_quiz_week(config, week)

    def joiners(self, activity: int) -> np.ndarray:
        share = np.asarray(PARTICIPATION[activity])[self.people.department[self.eligible]]
        if activity == QUIZ and self.tech_quiz:
            share = np.where(self.people.department[self.eligible] == RD, RD_TECH_QUIZ_PARTICIPATION, share)
        share = np.minimum(share * self.habit[self.eligible, activity], MAX_PARTICIPATION)
        return self.eligible[self.rng.random(len(self.eligible)) < share]

    def colleagues(self, of: np.ndarray) -> np.ndarray:
        """A random active colleague per entry, from the same department more often than not."""
        department = self.people.department[self.eligible]
        by_department = self.eligible[np.argsort(department, kind="stable")]
        count = np.bincount(department, minlength=len(DEPARTMENTS))
        start = np.cumsum(count) - count
        own = self.people.department[of]
        same = (self.rng.random(len(of)) < SAME_DEPARTMENT_REACTION_SHARE) & (count[own] > 0)
        in_department = by_department[
            np.minimum(start[own] + (self.rng.random(len(of)) * count[own]).astype(np.int64), len(by_department) - 1)
        ]
        anyone = self.eligible[(self.rng.random(len(of)) * len(self.eligible)).astype(np.int64)]
        return np.where(same, in_department, anyone)

    def challenge(self, events: _Events) -> None:
        activity = self.first_activity + CHALLENGE
        joined = self.joiners(CHALLENGE)
        events.add(CHALLENGE_JOINED, activity, joined, _daytime(self.rng, self.start, len(joined), days=3))
        teams = np.unique(self.people.team[joined])
        if len(teams):
            winners = joined[self.people.team[joined] == teams[self.rng.integers(len(teams))]]
            events.add(CHALLENGE_WON, activity, winners, np.full(len(winners), self.start + 6 * DAY + 20 * HOUR))

    def collaboration(self, events: _Events) -> None:
        candidates = self.eligible[self.people.project_group[self.eligible] >= 0]
        if len(candidates) < 2:
            return
        pairs = max(1, round(COLLABORATION_PAIR_SHARE * len(candidates)))
        requester = candidates[self.rng.integers(0, len(candidates), pairs)]
        helper = candidates[self.rng.integers(0, len(candidates), pairs)]
        for _ in range(5):  # redraw helpers who sit in the requester's own project group
            clash = self.people.project_group[helper] == self.people.project_group[requester]
            helper = np.where(clash, candidates[self.rng.integers(0, len(candidates), pairs)], helper)
        keep = self.people.project_group[helper] != self.people.project_group[requester]
        requester, helper = requester[keep], helper[keep]
        done = _daytime(self.rng, self.start, len(requester), days=5)
        activity = self.first_activity + COLLABORATION
        events.add(COLLABORATION_COMPLETED, activity, requester, done, counterpart=helper)
        events.add(COLLABORATION_COMPLETED, activity, helper, done, counterpart=requester)

    def stories(self, events: _Events, first_story: int) -> int:
        activity = self.first_activity + STORY
        author = self.joiners(STORY)
        story = first_story + np.arange(len(author))
        published = _daytime(self.rng, self.start, len(author), days=5)
        events.add(STORY_PUBLISHED, activity, author, published, story=story)
        likes = self.rng.poisson(self.rng.lognormal(np.log(MEDIAN_STORY_LIKES), STORY_LIKES_SPREAD, len(author)))
        self._reactions(events, STORY_LIKED, activity, author, story, published, likes)
        self_like = self.rng.random(len(author)) < SELF_LIKE_SHARE
        events.add(
            STORY_LIKED,
            activity,
            author[self_like],
            published[self_like] + 600,
            counterpart=author[self_like],
            story=story[self_like],
        )
        comments = self.rng.poisson(MEAN_STORY_COMMENTS, len(author))
        self._reactions(events, STORY_COMMENTED, activity, author, story, published, comments)
        return first_story + len(author)

    def _reactions(
        self,
        events: _Events,
        kind: int,
        activity: int,
        author: np.ndarray,
        story: np.ndarray,
        published: np.ndarray,
        counts: np.ndarray,
    ) -> None:
        """Likes or comments from colleagues: at most one per person and story, never from the author."""
        on = np.repeat(np.arange(len(author)), counts)
        reactor = self.colleagues(author[on])
        unique = np.unique(on * self.people.size + reactor)  # sorted: deterministic, one per person and story
        on, reactor = unique // self.people.size, unique % self.people.size
        keep = reactor != author[on]
        on, reactor = on[keep], reactor[keep]
        window = np.minimum(REACTION_WINDOW_SECONDS, self.start + WEEK - 1 - published[on])
        at = published[on] + (self.rng.random(len(on)) * window).astype(np.int64)
        events.add(kind, activity, reactor, at, counterpart=author[on], story=story[on])

    def answers(self, events: _Events, activity_type: int, kind: int) -> None:
        joined = self.joiners(activity_type)
        events.add(
            kind, self.first_activity + activity_type, joined, _daytime(self.rng, self.start, len(joined), days=7)
        )


def build_activities(config: SampleConfig, people: People) -> dict[str, pd.DataFrame]:
    rng = topic_rng(config, "activities")
    # Its own stream, so the habits do not shift the draws of the activities' stream.
    habit = topic_rng(config, "activity_habits").lognormal(
        -(HABIT_SPREAD**2) / 2, HABIT_SPREAD, (people.size, len(ACTIVITY_TYPES))
    )
    events = _Events([], [], [], [], [], [])
    next_story = 0
    for week in range(config.weeks):
        current = _Week(config, people, week, rng, habit)
        current.challenge(events)
        current.collaboration(events)
        next_story = current.stories(events, next_story)
        current.answers(events, QUIZ, QUIZ_ANSWERED)
        current.answers(events, SURVEY, SURVEY_ANSWERED)

    titles = _titles(config)
    activity_number = np.arange(len(titles))
    activity_ids = text.numbered("ACT-", activity_number + 1, 4)
    title_weeks = np.array([week for week, _ in titles], dtype=np.int64)
    course = np.where(activity_number % len(ACTIVITY_TYPES) == CHALLENGE, title_weeks % len(CHALLENGE_COURSES), -1)
    activities = pd.DataFrame(
        {
            "activity_id": activity_ids,
            "activity_type": text.pick(text.labels(ACTIVITY_TYPES), activity_number % len(ACTIVITY_TYPES)),
            "title": text.labels([title for _, title in titles]),
            "week_start": text.day_timestamps(config.start_week, 7 * title_weeks),
            "prerequisite_course": text.pick(text.labels(CHALLENGE_COURSES), course),
        }
    )

    e = events.arrays()
    order = np.lexsort((e["story"], e["counterpart"], e["employee"], e["kind"], e["local_second"]))
    e = {name: values[order] for name, values in e.items()}
    local = np.datetime64(config.start_week, "s") + e["local_second"].astype("timedelta64[s]")
    story_ids = text.numbered("ST-", np.arange(1, next_story + 1), 6)
    activity_events = pd.DataFrame(
        {
            "event_id": text.numbered("EV-", np.arange(1, len(order) + 1), 8),
            "event_type": text.pick(text.labels(EVENT_TYPES), e["kind"]),
            "activity_id": text.pick(activity_ids, e["activity"]),
            "employee_id": text.pick(people.ids, e["employee"]),
            "counterpart_id": text.pick(people.ids, e["counterpart"]),
            "story_id": text.pick(story_ids, e["story"]),
            "team_id": text.pick(people.team_names, e["employee"]),
            "occurred_at_utc": text.local_to_utc(local, config.timezone).as_unit("s"),
        }
    )
    activity_events = pd.concat([activity_events, _unlisted_events(config, people, activity_events)], ignore_index=True)
    return {"activities": activities, "activity_events": activity_events}


def _unlisted_events(config: SampleConfig, people: People, listed: pd.DataFrame) -> pd.DataFrame:
    """Answers to a pop-up quiz a team lead ran on the platform but nobody put on the activity calendar: 1 or 2 a
    week (alternating), from people who took part in the week anyway, so scoring's "unknown activity" refusal has
    something to show. Appended after the listed events (their ids continue the numbering) and drawn from their
    own stream, so the listed events and everything derived from them stay as they were."""
    rng = topic_rng(config, "unlisted_activities")
    local = pd.DatetimeIndex(listed["occurred_at_utc"]).tz_convert(config.timezone).tz_localize(None)
    week_of_event = np.asarray((local - pd.Timestamp(config.start_week)).days // 7)
    index_of = pd.Series(np.arange(people.size), index=people.ids.to_numpy())
    activity, employee, second = [], [], []
    for week, monday in enumerate(config.week_starts):
        actors = np.unique(listed["employee_id"].astype("string").to_numpy()[week_of_event == week])
        count = min(UNLISTED_EVENTS_PER_WEEK[week % len(UNLISTED_EVENTS_PER_WEEK)], len(actors))
        chosen = np.sort(rng.choice(len(actors), size=count, replace=False))
        iso = monday.isocalendar()
        activity += [f"POP-{iso.year}W{iso.week:02d}"] * count
        employee += index_of.loc[actors[chosen]].tolist()
        second += [week * WEEK + 2 * DAY + (12 + n) * HOUR for n in range(count)]
    first = len(listed) + 1
    local_at = np.datetime64(config.start_week, "s") + np.asarray(second, dtype=np.int64).astype("timedelta64[s]")
    codes, none = np.asarray(employee, dtype=np.int64), np.full(len(employee), -1)
    return pd.DataFrame(
        {
            "event_id": text.numbered("EV-", np.arange(first, first + len(employee)), 8),
            "event_type": text.pick(text.labels(EVENT_TYPES), np.full(len(employee), QUIZ_ANSWERED)),
            "activity_id": text.labels(activity),
            "employee_id": text.pick(people.ids, codes),
            "counterpart_id": text.pick(people.ids, none),
            "story_id": text.pick(text.labels(["-"]), none),
            "team_id": text.pick(people.team_names, codes),
            "occurred_at_utc": text.local_to_utc(local_at, config.timezone).as_unit("s"),
        }
    )
