"""The store layer on both databases: migrations, round trips and erasure."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from bot.nudges.records import Slot
from bot.store.outbox import NudgeOutbox
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.records import ActivityRecord, CheckinRecord, SleepRecord
from bot.store import open_store
from bot.store.db import VERSION_TABLE, make_engine, migrate
from bot.store.models import Base

T0 = datetime(2026, 11, 20, 8, 0)


def test_migrations_match_the_models(any_db_url):
    migrate(any_db_url)
    migrate(any_db_url)  # idempotent
    engine = make_engine(any_db_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        diff = [d for d in compare_metadata(ctx, Base.metadata)
                if not (d[0] == "remove_table" and not d[1].name.startswith("coach_"))]
        assert ctx.get_current_revision() == "0006"
    engine.dispose()
    assert diff == []


def test_round_trip_of_every_record(any_db_url):
    store = open_store(any_db_url)
    store.add_checkin("ann", CheckinRecord(at=T0, pain_score=6, location="calf", side="left",
                                           symptoms=("tingling", "ache"), trend="worse"), "peripheralizing")
    store.add_checkin("ann", CheckinRecord(at=T0 + timedelta(days=1), pain_score=4,
                                           location="thigh"), "centralizing")
    store.add_activity("ann", ActivityRecord(at=T0, kind="walking", minutes=25))
    store.add_activity("ann", ActivityRecord(at=T0, kind="stabilization", exercise_id="bird_dog"))
    store.add_sleep("ann", SleepRecord(at=T0, quality="bad", hours=5))
    store.set_onset("ann", date(2026, 11, 1))
    profile = store.profile("ann")
    assert profile.onset == store.onset("ann") == date(2026, 11, 1)
    assert store.onset("nobody") is None
    assert [c.pain_score for c in profile.checkins] == [6, 4]
    assert profile.checkins[0].symptoms == ("tingling", "ache")
    assert profile.checkins[0].side == "left"
    assert profile.activities[0] == ActivityRecord(at=T0, kind="walking", minutes=25)
    assert profile.activities[1].exercise_id == "bird_dog"
    assert profile.sleeps == (SleepRecord(at=T0, quality="bad", hours=5),)
    assert store.profile("nobody").checkins == ()
    store.engine.dispose()


def test_add_activities_logs_them_all_and_a_read_in_the_same_transaction_sees_them(any_db_url):
    store = open_store(any_db_url)
    store.add_activity("cy", ActivityRecord(at=T0 - timedelta(days=9), kind="walking", minutes=40))
    store.add_activity("cy", ActivityRecord(at=T0 - timedelta(days=2), kind="cycling", minutes=15))
    transactions = []
    sa.event.listen(store.engine, "begin", lambda conn: transactions.append(conn))
    now = [ActivityRecord(at=T0, kind="walking", minutes=25),
           ActivityRecord(at=T0, kind="stretching", exercise_id="childs_pose")]
    with store.transaction():
        store.add_activities("cy", now)
        week = store.activities_since("cy", T0 - timedelta(days=7))
    assert len(transactions) == 1
    assert week == (ActivityRecord(at=T0 - timedelta(days=2), kind="cycling", minutes=15), *now)
    store.add_activities("new person", now[:1])  # created on the way
    assert store.activities_since("new person", None) == tuple(now[:1])
    store.engine.dispose()


def test_escalations_open_and_resolve(any_db_url):
    store = open_store(any_db_url)
    assert store.open_escalation("bo") is None
    store.record_escalation("bo", 2, "fever", T0)
    store.record_escalation("bo", 1, "bladder_bowel", T0 + timedelta(minutes=1))
    assert store.open_escalation("bo") == (1, "bladder_bowel")
    assert store.resolve_escalations("bo", T0 + timedelta(days=1)) == 2
    assert store.open_escalation("bo") is None
    assert store.resolve_escalations("nobody", T0) == 0
    store.engine.dispose()


def test_checkin_direction_is_read_back(any_db_url):
    store = open_store(any_db_url)
    store.add_checkin("al", CheckinRecord(at=T0, pain_score=4, location="lower_back"), "unknown")
    store.add_checkin("al", CheckinRecord(at=T0 + timedelta(days=1), location="calf"), "peripheralizing")
    assert [c.direction for c in store.profile("al").checkins] == ["unknown", "peripheralizing"]
    store.engine.dispose()


def test_escalation_reasons_since_per_person_tier_and_time(any_db_url):
    store = open_store(any_db_url)
    since = T0 + timedelta(days=1)
    assert store.escalation_reasons_since("fay", since, 3) == set()
    store.record_escalation("fay", 3, "no_improvement_4_weeks", since - timedelta(seconds=1))
    store.record_escalation("fay", 3, "peripheralizing_repeated", since)  # at `since` counts
    store.record_escalation("fay", 3, "worsening_above_baseline", since + timedelta(days=3))
    store.record_escalation("fay", 3, "worsening_above_baseline", since + timedelta(days=4))
    store.record_escalation("fay", 2, "fever", since + timedelta(days=1))
    store.record_escalation("gus", 3, "peripheralizing_new_numbness", since + timedelta(days=1))
    assert store.escalation_reasons_since("fay", since, 3) == {
        "peripheralizing_repeated", "worsening_above_baseline"}
    assert store.escalation_reasons_since("fay", since, 2) == {"fever"}
    assert store.escalation_reasons_since("fay", T0, 3) == {
        "no_improvement_4_weeks", "peripheralizing_repeated", "worsening_above_baseline"}
    assert store.escalation_reasons_since("nobody", T0, 3) == set()
    store.engine.dispose()


def test_tier3_never_holds_and_stays_given_after_assessment(any_db_url):
    store = open_store(any_db_url)
    store.record_escalation("hal", 3, "no_improvement_4_weeks", T0)
    assert store.open_escalation("hal") is None  # advice, not a hold on exercise plans
    store.record_escalation("hal", 2, "fever", T0 + timedelta(minutes=1))
    store.record_escalation("hal", 3, "worsening_above_baseline", T0 + timedelta(minutes=2))
    assert store.open_escalation("hal") == (2, "fever")  # a newer tier 3 does not mask it
    assert store.resolve_escalations("hal", T0 + timedelta(days=1)) == 3
    assert store.open_escalation("hal") is None
    assert store.escalation_reasons_since("hal", T0, 3) == {
        "no_improvement_4_weeks", "worsening_above_baseline"}  # once per episode, even if assessed
    store.engine.dispose()


def test_escalations_saved_with_notes_are_at_the_callers_instant_never_the_real_clock(any_db_url):
    store = open_store(any_db_url)
    store.save_notes("ivy", escalations=[(3, "no_improvement_4_weeks")], at=T0)
    assert store.escalation_reasons_since("ivy", T0, 3) == {"no_improvement_4_weeks"}
    assert store.escalation_reasons_since("ivy", T0 + timedelta(seconds=1), 3) == set()
    with pytest.raises(ValueError, match="at="):
        store.save_notes("ivy", escalations=[(3, "worsening_above_baseline")])
    assert store.escalation_reasons_since("ivy", T0, 3) == {"no_improvement_4_weeks"}
    store.engine.dispose()


def test_reminders_upsert_and_stop(any_db_url):
    store = open_store(any_db_url)
    store.set_reminder("cy", "walk", time(8, 0), T0)
    store.set_reminder("cy", "walk", time(9, 30), T0)
    store.set_reminder("cy", "sleep", time(22, 0), T0)
    assert store.reminders("cy") == [("sleep", time(22, 0), True), ("walk", time(9, 30), True)]
    assert store.stop_reminders("cy") == ("sleep", "walk")
    assert all(not active for _, _, active in store.reminders("cy"))
    assert store.stop_reminders("cy") == ()  # nothing left on
    assert store.resume_reminders("cy", T0) == ("sleep", "walk")  # back on at the stored times
    assert store.reminders("cy") == [("sleep", time(22, 0), True), ("walk", time(9, 30), True)]
    assert store.stop_reminders("cy", ["walk"]) == ("walk",)
    assert store.reminders("cy") == [("sleep", time(22, 0), True), ("walk", time(9, 30), False)]
    store.engine.dispose()


def test_erase_user_removes_every_row_and_only_theirs(any_db_url):
    store = open_store(any_db_url)
    for who in ("dee", "eve"):
        store.add_checkin(who, CheckinRecord(at=T0, pain_score=3), "unknown")
        store.add_activity(who, ActivityRecord(at=T0, kind="walking", minutes=10))
        store.add_sleep(who, SleepRecord(at=T0, quality="good"))
        store.record_escalation(who, 2, "fever", T0)
        store.set_reminder(who, "walk", time(8), T0)
        store.set_contact(who, "telegram")
        store.save_chart(who, b"\x89PNG chart", T0)
    outbox = NudgeOutbox(store.engine)
    outbox.add_slots([(uid, Slot("walk", T0.date(), T0)) for uid, _, _ in outbox.people_with_reminders()], T0)
    assert store.erase_user("dee") is True
    assert store.erase_user("dee") is False
    with store.engine.connect() as conn:
        for table in ("coach_users", "coach_checkins", "coach_activities", "coach_sleep_logs",
                      "coach_escalations", "coach_reminders", "coach_nudges", "coach_progress_charts"):
            assert conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar() == 1, table
    assert store.profile("eve").checkins[0].pain_score == 3
    store.engine.dispose()


def test_no_free_text_column_exists():
    """Health data stays structured: the raw message never lands in the coach's tables."""
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, sa.String):
                assert column.type.length and column.type.length <= 255, (table.name, column.name)
            assert not isinstance(column.type, sa.Text), (table.name, column.name)


def test_windowed_profile_on_both_databases(any_db_url):
    """The window's facts in each dialect's SQL: the run of days before the window (gaps and
    islands), the count, older logs, and the landmark check-ins (one UNION ALL)."""
    from bot.records import Earlier
    from bot.thresholds import PROFILE_WINDOW_DAYS

    store = open_store(any_db_url)
    today = date(2026, 11, 30)
    since = today - timedelta(days=PROFILE_WINDOW_DAYS)
    # 50 days in a row ending yesterday, a gap, and 3 older days (one scored, before the onset).
    days = [today - timedelta(days=i) for i in range(1, 51)] + [today - timedelta(days=i) for i in (60, 61, 70)]
    for d in sorted(days):
        at = datetime.combine(d, time(23, 30))
        store.save_checkin_day("ann", d, CheckinRecord(at=at, pain_score=9.0 if d == today - timedelta(days=70)
                                                       else None, location=None, day=d), at)
    store.add_sleep("ann", SleepRecord(at=datetime(2026, 1, 1), quality="ok"))
    store.set_onset("ann", today - timedelta(days=65))
    profile = store.profile("ann", today)
    assert profile.earlier == Earlier(since=since, checkins=53 - PROFILE_WINDOW_DAYS,
                                      run=50 - PROFILE_WINDOW_DAYS, logs=True)
    assert profile.checkins[0].pain_score == 9.0  # the first (and first scored) check-in
    window = [c for c in profile.checkins if c.at >= datetime.combine(since, time.min)]
    assert len(window) == PROFILE_WINDOW_DAYS  # since .. yesterday
    assert profile.sleeps == ()
    assert store.profile("ann").earlier is None and len(store.profile("ann").checkins) == 53
    store.engine.dispose()


def test_a_message_is_noted_for_the_nudges_and_only_for_known_people(any_db_url):
    store = open_store(any_db_url)
    store.set_contact("fay", "socketio")
    NudgeOutbox(store.engine).mark_unreachable("fay", T0)
    assert store.nudge_settings("fay").unreachable is True

    def last_message(who):
        users = Base.metadata.tables["coach_users"]
        with store.engine.connect() as conn:  # typed column: SQLite stores the time as text
            return conn.execute(sa.select(users.c.last_message_at).where(users.c.sender_id == who)).scalar_one()

    store.note_message("fay", "rest", T0 + timedelta(hours=1))  # a channel that cannot carry nudges
    settings = store.nudge_settings("fay")
    assert settings.unreachable is False and settings.channel == "socketio"  # kept
    assert last_message("fay") == T0 + timedelta(hours=1)
    store.note_message("fay", "telegram", T0 + timedelta(hours=2))  # now reachable on Telegram
    settings = store.nudge_settings("fay")
    assert (settings.channel, settings.chat_id) == ("telegram", "fay")
    assert last_message("fay") == T0 + timedelta(hours=2)
    store.note_message("stranger", "telegram", T0)  # nobody the coach knows: no row appears
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM coach_users WHERE sender_id = 'stranger'")).scalar() == 0
    store.engine.dispose()


def test_session_facts_on_both_databases(any_db_url):
    """What a session start carries over, from a few indexed reads (CoachStore.session_facts)."""
    from bot.records import SessionFacts

    store = open_store(any_db_url)
    assert store.session_facts("nobody") == SessionFacts()
    store.add_sleep("sam", SleepRecord(at=T0, quality="bad"))
    assert store.session_facts("sam") == SessionFacts(latest_score=None, returning=True, red_flag_open=False)
    store.add_checkin("sam", CheckinRecord(at=T0, pain_score=6), "unknown")
    store.add_checkin("sam", CheckinRecord(at=T0 + timedelta(days=1), pain_score=4), "unknown")
    store.add_checkin("sam", CheckinRecord(at=T0 + timedelta(days=2), location="calf"), "unknown")  # no score
    assert store.session_facts("sam").latest_score == 4.0
    store.record_escalation("sam", 3, "no_improvement", T0)  # advice, not a hold
    assert store.session_facts("sam").red_flag_open is False
    store.record_escalation("sam", 1, "saddle_numbness", T0 + timedelta(hours=1))
    assert store.session_facts("sam").red_flag_open is True
    store.resolve_escalations("sam", T0 + timedelta(days=1))
    assert store.session_facts("sam").red_flag_open is False
    store.set_onset("kim", date(2026, 11, 1))  # a user row with nothing logged
    assert store.session_facts("kim") == SessionFacts()
    store.engine.dispose()


def test_a_transaction_holds_every_call_inside_it_and_rolls_back_together(any_db_url):
    """store.transaction(): the calls inside share one connection and commit once; an
    exception undoes all of them; a call outside one still commits on its own."""
    store = open_store(any_db_url)
    begins = []
    sa.event.listen(store.engine, "begin", lambda conn: begins.append(conn))
    with store.transaction():
        store.add_activity("lee", ActivityRecord(at=T0, kind="walking", minutes=20))
        store.add_sleep("lee", SleepRecord(at=T0, quality="ok"))
        with store.transaction():  # nested: joins the outer one
            store.add_activity("lee", ActivityRecord(at=T0, kind="cycling", minutes=10))
        assert len(store.profile("lee").activities) == 2  # its own writes are visible inside
    assert len(begins) == 1
    try:
        with store.transaction():
            store.add_activity("lee", ActivityRecord(at=T0 + timedelta(hours=1), kind="walking", minutes=5))
            store.add_sleep("lee", SleepRecord(at=T0 + timedelta(hours=1), quality="bad"))
            raise RuntimeError("the turn failed")
    except RuntimeError:
        pass
    profile = store.profile("lee")
    assert [a.minutes for a in profile.activities] == [20, 10] and len(profile.sleeps) == 1
    store.add_activity("lee", ActivityRecord(at=T0 + timedelta(hours=2), kind="walking", minutes=30))
    assert len(store.profile("lee").activities) == 3
    store.engine.dispose()


def test_charts_are_kept_by_token_only_the_newest_per_person_and_erased_with_them(any_db_url):
    from bot import chart_links
    from bot.store.repository import CHARTS_KEPT

    store = open_store(any_db_url)
    tokens = [store.save_chart("ivy", f"png {i}".encode(), T0 + timedelta(days=i)) for i in range(CHARTS_KEPT + 2)]
    other = store.save_chart("jon", b"jon's png", T0)
    assert len(set(tokens)) == len(tokens) and all(chart_links.chart_token(chart_links.chart_url(t)) == t
                                                    for t in tokens)
    assert [store.chart_png(t) for t in tokens] == [None, None] + [f"png {i}".encode() for i in range(2, CHARTS_KEPT + 2)]
    assert store.chart_png(other) == b"jon's png"  # another person's newest are theirs
    assert store.chart_png("x" * 24) is None
    assert store.erase_user("ivy") is True
    assert all(store.chart_png(t) is None for t in tokens) and store.chart_png(other) == b"jon's png"
    store.engine.dispose()
