"""A turn reads a window of the person's history, and every rule decides as on the whole of it.

Random histories (long ones, gaps, runs of days across the window's edge, scores and
places that stop before it, onsets before and inside it) are stored on SQLite; the rules
then take the whole profile (`store.profile(sender)`) and the turn's windowed one
(`store.profile(sender, today)`) and must return the same plan, progress summary, chart
inputs and check-in reply. The use cases run on copies of the database, so both read the
same state. A row count shows the windowed read stays bounded for a year-old person.
The clock is injected everywhere: every instant is a test value.
"""
from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

from bot import escalation
from bot.coaching import sessions_since
from bot.progress import render_progress, summarize_progress
from bot.records import (
    ACTIVITIES, BODY_PARTS, MOVEMENT_EFFECTS, MOVEMENTS, PAIN_DIRECTIONS, SLEEP_QUALITIES, SYMPTOMS,
    ActivityRecord, CheckinRecord, MovementNote, SleepRecord,
)
from bot.store import open_store
from bot.thresholds import PROFILE_WINDOW_DAYS
from bot.usecases import checkin
from bot.usecases.plan import plan_for, plan_inputs
from bot.usecases.progress import progress_report

TODAY = date(2026, 11, 30)
EXERCISES = ("prone_press_up", "bird_dog", "cat_cow", "bridge", None)


@st.composite
def histories(draw):
    """Days with a check-in (runs and gaps, some ending before the window), and logs."""
    length = draw(st.sampled_from([3, PROFILE_WINDOW_DAYS - 1, PROFILE_WINDOW_DAYS + 2, 90, 400]))
    days = []
    day = TODAY - timedelta(days=length)
    while day < TODAY:
        run = draw(st.integers(0, 40))
        days += [day + timedelta(days=i) for i in range(run) if day + timedelta(days=i) < TODAY]
        day += timedelta(days=run + draw(st.integers(1, 6)))
    # A run of days ending yesterday, shorter or longer than the window: a streak that
    # stops inside it, at its edge, or goes on before it.
    tail = draw(st.sampled_from([0, 1, PROFILE_WINDOW_DAYS - 1, PROFILE_WINDOW_DAYS,
                                 PROFILE_WINDOW_DAYS + 1, PROFILE_WINDOW_DAYS + 3, 60]))
    days = sorted(set(days) | {TODAY - timedelta(days=i) for i in range(1, min(tail, length) + 1)})
    stop_scores = draw(st.integers(0, length + 2))  # no score in the last n days
    stop_places = draw(st.integers(0, length + 2))
    checkins = []
    for d in days:
        ago = (TODAY - d).days
        at = datetime.combine(d, time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))))
        checkins.append(CheckinRecord(
            at=at, day=d,
            pain_score=None if ago < stop_scores or draw(st.booleans()) and draw(st.booleans())
            else float(draw(st.integers(0, 10))),
            location=None if ago < stop_places else draw(st.sampled_from(BODY_PARTS + (None,))),
            side=draw(st.sampled_from(("left", "right", "both", None))),
            symptoms=tuple(draw(st.lists(st.sampled_from(SYMPTOMS), max_size=2, unique=True))),
            trend=draw(st.sampled_from(("worse", "better", "same", None))),
            direction=draw(st.sampled_from(PAIN_DIRECTIONS))))
    def instants():
        return st.builds(lambda ago, minute: datetime.combine(TODAY, time(9)) - timedelta(
            days=ago, minutes=minute), st.integers(0, length), st.integers(0, 1440))
    activities = draw(st.lists(st.builds(
        lambda at, kind, minutes, ex: ActivityRecord(at=at, kind=kind, minutes=minutes, exercise_id=ex),
        instants(), st.sampled_from(ACTIVITIES), st.sampled_from([None, 5.0, 12.0, 25.0, 40.0]),
        st.sampled_from(EXERCISES)), max_size=60))
    sleeps = draw(st.lists(st.builds(lambda at, q: SleepRecord(at=at, quality=q), instants(),
                                     st.sampled_from(SLEEP_QUALITIES)), max_size=5))
    notes = draw(st.lists(st.builds(lambda at, e, mv: MovementNote(at, e, mv), instants(),
                                    st.sampled_from(MOVEMENT_EFFECTS),
                                    st.sampled_from(MOVEMENTS + ("prone_press_up",))), max_size=8))
    onset = draw(st.one_of(st.none(), st.builds(lambda ago: TODAY - timedelta(days=ago),
                                                st.integers(0, length + 30))))
    today_turn = draw(st.one_of(st.none(), st.builds(
        lambda score, place, trend, spread: checkin.CheckinTurn(
            score=score, locations=(place,) if place else (), trend=trend, spread=spread),
        st.one_of(st.none(), st.integers(0, 10).map(float)), st.sampled_from(BODY_PARTS + (None,)),
        st.sampled_from(("worse", "better", "same", None)),
        st.sampled_from(("further", "retreat", None)))))
    return checkins, activities, sleeps, notes, onset, today_turn


def _seed(url, history):
    checkins, activities, sleeps, notes, onset, _ = history
    store = open_store(url)
    for c in checkins:
        store.save_checkin_day("p", c.day, c, c.at)
    for a in activities:
        store.add_activity("p", a)
    for sl in sleeps:
        store.add_sleep("p", sl)
    store.save_notes("p", notes)
    if onset is not None:
        store.set_onset("p", onset)
    store.mark_onset_asked("p", datetime(2020, 1, 1))  # any user row, even with no logs
    return store


def _chart_inputs(checkins, activities, today):
    """What bot.charts draws from (its 28-day window), without drawing it."""
    from bot.charts import WINDOW_DAYS, _daily_scores, _daily_walking

    start = today - timedelta(days=WINDOW_DAYS - 1)
    return _daily_scores(checkins, start, today), _daily_walking(activities, start, today)


def _decisions(store, today, windowed):
    """Every rule's decision on the profile a turn reads (windowed) or the whole history."""
    profile = store.profile("p", today) if windowed else store.profile("p")
    summary = summarize_progress(profile.checkins, profile.activities, today, profile.earlier)
    if windowed:  # the progress turn reads less still (no sleep, no notes): its use case
        report = progress_report(store, "p", today)
        summary, charted = report.summary, (report.checkins, report.activities)
    else:
        charted = (profile.checkins, profile.activities)
    scores = [c.pain_score for c in profile.checkins if c.pain_score is not None]
    return {
        "plan": plan_for(profile, today),
        "plan_score": (lambda i: (i.latest_score, i.score_on, i.direction, i.worse_with, i.better_with))(
            plan_inputs(profile, today)),
        "progress": summary,
        "progress_text": render_progress(summary),
        "chart": _chart_inputs(*charted, today),
        # A session start reads only its few facts (CoachStore.session_facts).
        "session": (lambda f: (f.latest_score, f.returning))(store.session_facts("p")) if windowed
        else (scores[-1] if scores else None, bool(profile.checkins or profile.activities or profile.sleeps)),
    }


def _outcome_decisions(outcome):
    if outcome is None:
        return None
    return (replace(outcome, history=(), activities=()), checkin.reply_lines(outcome),
            checkin.reply_lines(outcome, asked_again=True))


def _compare(work, history, said):
    url = f"sqlite:///{work / 'coach.sqlite3'}"
    store = _seed(url, history)
    for today in (TODAY, TODAY - timedelta(days=1), TODAY + timedelta(days=3)):
        first = _decisions(store, today, True)  # the day's first turn reads the older part...
        assert first == _decisions(store, today, False), today
        assert _decisions(store, today, True) == first, today  # ...the next ones reuse it
    store.engine.dispose()

    # The check-in turn: the same message on two copies of the database, one use case
    # reading the whole profile (as before), the other the windowed one.
    turn = history[5] or checkin.CheckinTurn(score=4.0)
    at = datetime.combine(TODAY, time(10))
    results = []
    for windowed in (True, False):
        copy = work / f"copy-{windowed}.sqlite3"
        shutil.copy(work / "coach.sqlite3", copy)
        s = open_store(f"sqlite:///{copy}")
        if not windowed:
            whole = s.profile
            s.profile = lambda sender, today=None, **parts: whole(sender)  # the use case as it read before
        noted = checkin.note_turn(s, "p", turn, at, TODAY)
        outcome = checkin.finish(s, "p", at, TODAY, said or None)
        given_now = s.escalation_reasons_since("p", datetime(2000, 1, 1), escalation.TIER)
        notes = type(s).profile(s, "p").movement_notes  # what the turn wrote: the whole store's
        results.append((noted, _outcome_decisions(outcome), given_now, notes))
        s.engine.dispose()
    assert results[0] == results[1]
    return results[0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(history=histories(), said=st.sampled_from([None, "centralizing", "peripheralizing", ""]))
def test_rules_decide_the_same_on_the_window_as_on_the_whole_history(tmp_path_factory, history, said):
    _compare(tmp_path_factory.mktemp("window"), history, said)


def _daily(first_ago, last_ago, score=lambda ago: 4.0, place="thigh"):
    return [CheckinRecord(at=datetime.combine(TODAY - timedelta(days=ago), time(8)), day=TODAY - timedelta(days=ago),
                          pain_score=score(ago), location=place, direction="stable")
            for ago in range(first_ago, last_ago - 1, -1)]


def test_a_streak_longer_than_the_window_counts_every_day(tmp_path):
    """45 days in a row: the streak goes on past the window's edge (Earlier.run)."""
    history = (_daily(45, 1), [], [], [], None, checkin.CheckinTurn(score=3.0))
    _compare(tmp_path, history, None)
    store = open_store(f"sqlite:///{tmp_path / 'coach.sqlite3'}")
    profile = store.profile("p", TODAY)
    assert profile.earlier.run == 45 - PROFILE_WINDOW_DAYS
    assert summarize_progress(profile.checkins, profile.activities, TODAY, profile.earlier).streak_days == 45
    store.engine.dispose()


def test_worsening_counts_from_the_episodes_baseline_before_the_window(tmp_path):
    """The onset 60 days ago; the first score since (2) is the baseline, not the first
    ever (9, before the onset): three scores of 5 since are worsening (a referral)."""
    scores = {70: 9.0, 59: 2.0, 40: 5.0, 35: 5.0}
    history = ([c for c in _daily(70, 35, lambda ago: scores.get(ago)) if c.pain_score is not None],
               [], [], [], TODAY - timedelta(days=60), checkin.CheckinTurn(score=5.0))
    noted, (outcome, lines, _), given, _ = _compare(tmp_path, history, None)
    assert escalation.WORSENING in outcome.referral


def test_walks_since_a_score_older_than_the_window_are_counted(tmp_path):
    """The last score 50 days ago, walks every day since: "with N walks since" counts them all."""
    walks = [ActivityRecord(at=datetime.combine(TODAY - timedelta(days=ago), time(12)), kind="walking",
                            minutes=20.0) for ago in range(1, 50)]
    history = (_daily(50, 50), walks, [], [], None, checkin.CheckinTurn(score=2.0))
    noted, (outcome, lines, _), _, _ = _compare(tmp_path, history, None)
    assert any("49 walks since" in line for line in lines)


def _year_of_history(store, sender, days):
    for i in range(days):
        day = TODAY - timedelta(days=days - i)
        at = datetime.combine(day, time(8))
        store.save_checkin_day(sender, day, CheckinRecord(at=at, pain_score=float(3 + i % 4),
                                                          location="thigh", day=day), at)
        store.add_activity(sender, ActivityRecord(at=at + timedelta(hours=3), kind="walking", minutes=20.0))
        store.add_sleep(sender, SleepRecord(at=at - timedelta(hours=1), quality="ok"))
    store.save_notes(sender, [MovementNote(datetime.combine(TODAY - timedelta(days=300), time(9)),
                                           "worse", "sitting")])


@pytest.mark.parametrize("days", [0, 40, 365, 730])
def test_the_turns_profile_loads_a_bounded_number_of_rows(sqlite_url, days):
    """A year (or two) of daily logs: the windowed read hands back the same number of rows
    as for someone 40 days in, however long the history; the whole profile grows with it."""
    store = open_store(sqlite_url)
    _year_of_history(store, "p", days)
    rows = {}
    for windowed in (True, False):
        loaded = []

        def count(conn, cursor, statement, parameters, context, executemany, loaded=loaded):
            loaded.append(statement)

        sa.event.listen(store.engine, "after_cursor_execute", count)
        profile = store.profile("p", TODAY) if windowed else store.profile("p")
        sa.event.remove(store.engine, "after_cursor_execute", count)
        records = (len(profile.checkins) + len(profile.activities) + len(profile.sleeps)
                   + len(profile.movement_notes))
        rows[windowed] = (records, len(loaded))
    store.engine.dispose()
    window_rows, statements = rows[True]
    # The window's days of logs, at most one check-in, walk and sleep a day, plus at most
    # eight landmark check-ins; one statement per table, plus the facts and the landmarks.
    assert window_rows <= 3 * (PROFILE_WINDOW_DAYS + 1) + 8
    assert statements <= 7
    if days == 365:
        assert rows[False][0] == 3 * 365 + 1  # the whole profile grows with the history


def _statements(store, read):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(store.engine, "after_cursor_execute", count)
    try:
        result = read()
    finally:
        sa.event.remove(store.engine, "after_cursor_execute", count)
    return result, seen


def test_later_turns_of_the_day_reuse_what_lies_before_the_window(sqlite_url):
    """The facts and landmarks before the window are read on the day's first turn only;
    a log stamped before the window (an import) makes the next turn read them again, and
    a transaction that wrote does not keep what it read."""
    store = open_store(sqlite_url)
    _year_of_history(store, "p", 60)
    first, statements = _statements(store, lambda: store.profile("p", TODAY))
    again, fewer = _statements(store, lambda: store.profile("p", TODAY))
    assert again == first and len(fewer) == len(statements) - 2
    assert first.earlier.checkins == 60 - PROFILE_WINDOW_DAYS
    old = datetime.combine(TODAY - timedelta(days=PROFILE_WINDOW_DAYS + 1), time(20))  # the newest before it
    store.add_checkin("p", CheckinRecord(at=old, pain_score=9.0), "unknown")
    after, statements = _statements(store, lambda: store.profile("p", TODAY))
    assert after.earlier.checkins == first.earlier.checkins + 1 and len(statements) == len(fewer) + 2
    assert 9.0 in [c.pain_score for c in after.checkins]  # the last scored before the window changed
    # A new day moves the window: read afresh.
    _, statements = _statements(store, lambda: store.profile("p", TODAY + timedelta(days=1)))
    assert len(statements) == len(fewer) + 2
    # Inside a transaction that has written, what is read is not kept.
    with store.transaction():
        store.add_sleep("p", SleepRecord(at=datetime.combine(TODAY, time(7)), quality="ok"))
        store.profile("p", TODAY + timedelta(days=2))
    _, statements = _statements(store, lambda: store.profile("p", TODAY + timedelta(days=2)))
    assert len(statements) == len(fewer) + 2
    store.engine.dispose()


def test_an_erased_persons_window_is_not_reused_for_someone_new(sqlite_url):
    """The key includes the person's row's creation time: an id SQLite hands out again
    after an erasure does not bring back the erased person's older history."""
    store = open_store(sqlite_url)
    _year_of_history(store, "p", 45)
    assert store.profile("p", TODAY).earlier.checkins == 45 - PROFILE_WINDOW_DAYS
    store.erase_user("p")
    store.set_onset("q", TODAY - timedelta(days=3))  # a new person, possibly on the same id
    profile = store.profile("q", TODAY)
    assert profile.earlier.checkins == 0 and profile.checkins == ()
    store.engine.dispose()
