"""The session's events kept between turns (bot.rasa_ext.session_events) and the tracker
store reading through them: what a turn sees is always what is stored.

Each store test compares the coach's store with Rasa's own SQLTrackerStore reading the
same table, on SQLite and PostgreSQL, after writes by the store itself, by a second
store (a second Rasa instance), an erasure, and a new session.
"""
from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered,
                                     deserialise_events)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.session_events import SessionEvents
from bot.rasa_ext.stores import CoachTrackerStore
from bot.settings import PROJECT_ROOT

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _decode(data: str):
    return deserialise_events([json.loads(data)])


def _row(i: int, text: str = "hi"):
    return i, json.dumps(UserUttered(text, {"name": "greet"}, timestamp=float(i)).as_dict())


# --- SessionEvents on its own ------------------------------------------------------------

def test_kept_rows_are_not_decoded_again_and_new_rows_are_appended():
    kept = SessionEvents()
    decoded = []

    def counting(data):
        decoded.append(data)
        return _decode(data)

    first = kept.events("ann", 10.0, [_row(1, "a"), _row(2, "b")], counting)
    assert [e.text for e in first] == ["a", "b"] and len(decoded) == 2
    assert kept.seen_up_to("ann", 10.0) == 2
    second = kept.events("ann", 10.0, [(1, None), (2, None), _row(5, "c")], counting)
    assert [e.text for e in second] == ["a", "b", "c"] and len(decoded) == 3
    assert second[0] is first[0]  # the same Event objects, as Rasa's tracker.copy() shares them
    assert kept.seen_up_to("ann", 10.0) == 5


@pytest.mark.parametrize("rows", [
    [(1, None)],                        # a kept row is gone (erasure, or rows deleted)
    [(1, None), (3, None)],             # a row between the kept ones and no data for it
    [(1, None), _row(2), (4, None)],    # a row the caller has no data for
    [_row(0), (1, None), (2, None)],    # a row before the kept ones (an id out of order)
], ids=["gone", "unknown-id", "no-data", "earlier-id"])
def test_rows_that_differ_from_what_is_kept_are_refused_and_forgotten(rows):
    kept = SessionEvents()
    kept.events("bo", 1.0, [_row(1), _row(2)], _decode)
    assert kept.events("bo", 1.0, rows, _decode) is None
    assert kept.seen_up_to("bo", 1.0) == 0 and len(kept) == 0


def test_another_session_start_keeps_nothing_of_the_last():
    kept = SessionEvents()
    kept.events("cy", 1.0, [_row(1), _row(2)], _decode)
    assert kept.seen_up_to("cy", 2.0) == 0  # rows after 0: every row of the new session is read
    events = kept.events("cy", 2.0, [_row(3, "new session")], _decode)
    assert [e.text for e in events] == ["new session"]


def test_bounded_by_events_least_recently_used_conversation_first():
    kept = SessionEvents(max_events=5)
    kept.events("a", 1.0, [_row(1), _row(2)], _decode)
    kept.events("b", 1.0, [_row(3), _row(4)], _decode)
    kept.events("a", 1.0, [(1, None), (2, None)], _decode)  # "a" used again
    kept.events("c", 1.0, [_row(5), _row(6)], _decode)      # 6 events > 5: "b" goes
    assert kept.seen_up_to("b", 1.0) == 0
    assert kept.seen_up_to("a", 1.0) == 2 and kept.seen_up_to("c", 1.0) == 6
    assert kept.size == 4
    kept.events("d", 1.0, [_row(i) for i in range(10, 17)], _decode)  # larger than the bound
    assert kept.seen_up_to("d", 1.0) == 0 and kept.size <= 5


def test_a_session_with_entities_added_is_not_kept():
    """Applying EntitiesAdded changes the message it follows: such a session is decoded afresh."""
    from rasa.shared.core.events import EntitiesAdded

    kept = SessionEvents()
    added = (3, json.dumps(EntitiesAdded([{"entity": "place", "value": "calf"}], timestamp=3.0).as_dict()))
    events = kept.events("dee", 1.0, [_row(1), _row(2), added], _decode)
    assert len(events) == 3 and kept.seen_up_to("dee", 1.0) == 0 and len(kept) == 0


# --- the tracker store --------------------------------------------------------------------

@pytest.fixture
def stores(any_db_url):
    """The coach's store, a second instance of it, and Rasa's own, on one database."""
    made = (CoachTrackerStore(DOMAIN, host=any_db_url), CoachTrackerStore(DOMAIN, host=any_db_url),
            SQLTrackerStore(DOMAIN, host=any_db_url))
    yield made
    for store in made:
        store.engine.dispose()


def _statements(engine):
    seen = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    return seen


def _as_dicts(tracker):
    return [e.as_dict() for e in tracker.events] if tracker is not None else None


async def _same_as_rasa(ours, rasas, sender):
    mine, theirs = await ours.retrieve(sender), await rasas.retrieve(sender)
    assert _as_dicts(mine) == _as_dicts(theirs)
    if mine is not None:
        assert mine.current_slot_values() == theirs.current_slot_values()
        assert mine.latest_message.text == theirs.latest_message.text
    return mine


def _message(text: str, at: float):
    return [UserUttered(text, {"name": "report_symptoms"}, timestamp=at),
            SlotSet("pain_score", float(len(text) % 10), timestamp=at + 0.1),
            ActionExecuted("action_record_checkin", timestamp=at + 0.2),
            BotUttered(f"noted: {text}", timestamp=at + 0.3),
            ActionExecuted("action_listen", timestamp=at + 0.4)]


def _session_start(at: float):
    return [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at + 0.01),
            ActionExecuted("action_listen", timestamp=at + 0.02)]


async def _first_turn(store, sender: str, at: float) -> None:
    """A session started at `at` and its first message ("a 3"), saved through `store`."""
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for e in _session_start(at) + _message("a 3", at + 1):
        tracker.update(e)
    await store.save(tracker)


def test_a_turn_reads_only_the_new_rows_data(stores):
    ours, other, rasas = stores
    sender = f"s-{uuid.uuid4().hex}"

    async def scenario():
        await _first_turn(ours, sender, 1_700_000_000.0)
        await _same_as_rasa(ours, rasas, sender)  # first read: every row
        tracker = await ours.retrieve(sender)
        for e in _message("worse, a 6", 1_700_000_010.0):
            tracker.update(e)
        await ours.save(tracker)
        seen = _statements(ours.engine)
        again = await ours.retrieve(sender)
        reads = [p for s, p in seen if "CASE WHEN id >" in s]
        assert len(reads) == 1  # the kept rows matched: no second, whole read
        assert again.latest_message.text == "worse, a 6"
        await _same_as_rasa(ours, rasas, sender)

    asyncio.run(scenario())


def test_changes_to_a_turns_tracker_that_were_not_saved_do_not_reach_the_next_turn(stores):
    ours, other, rasas = stores
    sender = f"s-{uuid.uuid4().hex}"

    async def scenario():
        await _first_turn(ours, sender, 1_700_000_000.0)
        first = await ours.retrieve(sender)
        first.update(SlotSet("pain_score", 9.0))  # a turn that failed before its save
        first.update(UserUttered("never stored", {"name": "greet"}))
        second = await _same_as_rasa(ours, rasas, sender)
        assert second.get_slot("pain_score") == float(len("a 3") % 10)
        assert second.latest_message.text == "a 3"

    asyncio.run(scenario())


def test_rows_another_instance_wrote_an_erasure_and_a_new_session_are_all_seen(stores):
    ours, other, rasas = stores
    sender = f"s-{uuid.uuid4().hex}"

    async def scenario():
        t0 = 1_700_000_000.0
        await _first_turn(ours, sender, t0)
        await _same_as_rasa(ours, rasas, sender)
        # the next turn on the other instance
        tracker = await other.retrieve(sender)
        for e in _message("other instance", t0 + 20):
            tracker.update(e)
        await other.save(tracker)
        assert (await _same_as_rasa(ours, rasas, sender)).latest_message.text == "other instance"
        # a new session, started on the other instance
        tracker = await other.retrieve(sender)
        for e in _session_start(t0 + 86_400) + _message("next day", t0 + 86_401):
            tracker.update(e)
        await other.save(tracker)
        today = await _same_as_rasa(ours, rasas, sender)
        assert len(today.events) == 7 and today.latest_message.text == "next day"  # from SessionStarted on
        # erasure on the other instance, then the person writes again
        tracker = await other.retrieve(sender)
        tracker.update(SlotSet("data_erased", True))
        await other.save(tracker)
        assert await ours.retrieve(sender) is None
        fresh = DialogueStateTracker(sender, DOMAIN.slots)
        for e in _session_start(t0 + 90_000) + _message("hello again", t0 + 90_001):
            fresh.update(e)
        await other.save(fresh)
        again = await _same_as_rasa(ours, rasas, sender)
        assert [e.as_dict() for e in again.events] == [e.as_dict() for e in list(fresh.events)[1:]]

    asyncio.run(scenario())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["ours", "other", "rasa"]),
                          st.sampled_from(["message", "session", "erase", "read"])),
                min_size=1, max_size=14))
def test_random_turns_on_several_instances_read_as_rasas_store_reads(stores, steps):
    """Each example is a new person on the same stores (the fixture is made once per
    database, so the examples share it)."""
    ours, other, rasas = stores
    writers = {"ours": ours, "other": other, "rasa": rasas}
    sender = f"s-{uuid.uuid4().hex}"

    async def scenario():
        at = 1_700_000_000.0
        for who, what in steps:
            at += 100.0
            store = writers[who]
            tracker = await store.retrieve(sender) or DialogueStateTracker(sender, DOMAIN.slots)
            if what == "message":
                events = _message(f"{who} {at}", at)
            elif what == "session":
                events = _session_start(at) + _message(f"{who} new day", at + 1)
            elif what == "erase":
                events = [SlotSet("data_erased", True, timestamp=at)]
            else:
                events = []
            for e in events:
                tracker.update(e)
            if what == "erase" and who == "rasa":
                with rasas.engine.begin() as conn:  # Rasa's store has no erasure: do it by hand
                    conn.execute(sa.text("DELETE FROM events WHERE sender_id = :s"), {"s": sender})
            else:
                await store.save(tracker)
            for reader in (ours, other):
                await _same_as_rasa(reader, rasas, sender)

    asyncio.run(scenario())
