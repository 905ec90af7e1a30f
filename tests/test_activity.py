"""Logging every activity a message names, each with its own minutes.

The reader (bot.usecases.activity.read_activities) gets parse results shaped like the real
ones: the text, the clinical reader's entities and its `clinical` key (tests/conftest.py,
clinical_parse). The use case runs against the store on SQLite and PostgreSQL; the action
runs as the action server runs it, and the stored rows are checked.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.logs import ActionRecordActivity
from actions.progress import ActionProgressSummary
from bot import coaching
from bot.parsing import parse_minutes
from bot.records import ActivityRecord, ActivityReport
from bot.store import open_store
from bot.usecases.activity import ActivityTurn, log_activities, read_activities
from tests.conftest import MONDAY, clinical_parse
from tests.test_actions import run, texts


def parse(text: str, intent: str = "report_activity") -> dict:
    return {"text": text, "intent": {"name": intent, "confidence": 1.0}, **clinical_parse(text, intent)}


def read(text: str):
    """(kind, minutes, exercise id) of each activity the reader finds, stop-and-go walks marked."""
    return [(r.kind, r.minutes, r.exercise_id) + (("stop-and-go",) if r.stop_and_go else ())
            for r in read_activities(parse(text)).reports]


def kinds_and_minutes(text: str):
    return [(r.kind, r.minutes) for r in read_activities(parse(text)).reports]


# --------------------------------------------------------------------------- the reader

@pytest.mark.parametrize("text,expected", [
    ("I walked 25 minutes this morning and did the child's pose",
     [("walking", 25.0, None), ("stretching", None, "childs_pose")]),
    ("swam for 20 min then walked 15 minutes", [("swimming", 20.0, None), ("walking", 15.0, None)]),
    ("walked 20 minutes", [("walking", 20.0, None)]),
    ("did my bird dogs and a 10 minute walk",
     [("stabilization", None, "bird_dog"), ("walking", 10.0, "continuous_walking")]),
    ("did 10 minutes of yoga and 30 minutes on the bike",
     [("stretching", 10.0, None), ("cycling", 30.0, "stationary_bike")]),
    ("walked the dog for 40 minutes and swam 20 minutes after lunch",
     [("walking", 40.0, None), ("swimming", 20.0, None)]),
    ("stretched for 10 mins and then walked for an hour", [("stretching", 10.0, None), ("walking", 60.0, None)]),
    ("did some yoga for 15 minutes then walked 1h 15m", [("stretching", 15.0, None), ("walking", 75.0, None)]),
    ("went for a 20 minute walk then did the cat cow",
     [("walking", 20.0, "continuous_walking"), ("stretching", None, "cat_cow")]),
    ("cycled 20 minutes then did some press ups", [("cycling", 20.0, None), ("mckenzie", None, "prone_press_up")]),
    ("walked 30 minutes and did my stretches", [("walking", 30.0, None), ("stretching", None, None)]),
    ("did glute bridges and dead bugs",
     [("stabilization", None, "glute_bridge"), ("stabilization", None, "dead_bug")]),
    # a duration in a clause that names no activity goes to the nearest one without minutes
    ("I walked this morning, about 25 minutes", [("walking", 25.0, None)]),
    ("did my stretches and a walk, about 25 minutes",
     [("stretching", None, None), ("walking", 25.0, "continuous_walking")]),
    ("stretched and then walked, 25 minutes", [("stretching", None, None), ("walking", 25.0, None)]),
    # a general word and the exercise it stands for are one session
    ("did my stretches: the child's pose", [("stretching", None, "childs_pose")]),
    ("did 10 minutes of stretching, the child's pose", [("stretching", 10.0, "childs_pose")]),
    # the exercise a general word names, as before ("the hamstring stretches")
    ("did the piriformis and hamstring stretches", [("stretching", None, "hamstring_stretch_supine")]),
    # distances and counts are not minutes
    ("did 3 sets of press ups and walked 2 miles", [("mckenzie", None, "prone_press_up"), ("walking", None, None)]),
])
def test_every_activity_is_read_with_its_own_minutes(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("walked 40 minutes doing errands", [("walking", 40.0, None, "stop-and-go")]),
    ("walked 20 minutes with a few stops", [("walking", 20.0, None, "stop-and-go")]),
    # the errands belong to the walk, not to the stretches named before or after it
    ("walked 40 minutes doing errands and did my stretches",
     [("walking", 40.0, None, "stop-and-go"), ("stretching", None, None)]),
    ("did my stretches and a 30 minute walk round the shops",
     [("stretching", None, None), ("walking", 30.0, "continuous_walking", "stop-and-go")]),
    ("swam 20 minutes, then walked 30 minutes without stopping",
     [("swimming", 20.0, None), ("walking", 30.0, None)]),
])
def test_a_stop_and_go_walk_is_marked_by_the_words_around_it(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("text", [
    "didn't walk today", "I didn't walk", "I did not swim today", "never cycled", "no walk today",
    "I wasn't able to walk today", "couldn't walk today", "I can't walk today, too sore",
    "I could not do my stretches", "cannot swim today", "couldn't go for a walk today",
])
def test_an_activity_not_done_is_not_read(text):
    assert read_activities(parse(text)) == ActivityTurn((), denied=True)


@pytest.mark.parametrize("text,expected", [
    ("I didn't do my bird dogs but walked 20 minutes", [("walking", 20.0, None)]),
    # the minutes of a walk not done are not given to the swim
    ("I didn't walk 20 minutes, I swam", [("swimming", None, None)]),
    ("my wife walked 30 minutes, I did my stretches", [("stretching", None, None)]),
    ("I didn't walk yesterday but I walked 20 minutes today", [("walking", 20.0, None)]),
    ("I couldn't do my bird dogs but walked 20 minutes", [("walking", 20.0, None)]),
    # how far, not whether: the walk was done
    ("I couldn't walk far, only 10 minutes", [("walking", 10.0, "continuous_walking")]),
    ("couldn't walk for long, about 15 minutes", [("walking", 15.0, "continuous_walking")]),
])
def test_only_what_was_done_is_read(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("text", ["done it", "thanks", "", "did 20 minutes"])
def test_a_message_naming_no_activity_reads_nothing(text):
    assert read_activities(parse(text)) == ActivityTurn(())


def test_entities_without_offsets_keep_the_first_minutes_for_the_first_activity():
    """A button payload or a hand-written parse: nothing to pair by."""
    payload = {"text": '/report_activity{"activity": "walking", "duration": "20"}',
               "entities": [{"entity": "activity", "value": "walking"}, {"entity": "duration", "value": "20"}]}
    assert [(r.kind, r.minutes) for r in read_activities(payload).reports] == [("walking", 20.0)]
    handmade = {**parse("walked 25 minutes without stopping"),
                "entities": [{"entity": "activity", "value": "walking"}]}
    assert [(r.kind, r.minutes) for r in read_activities(handmade).reports] == [("walking", 25.0)]


def test_without_the_clinical_key_the_lexicon_and_knowledge_base_fill_in():
    """An older model: entities from a statistical extractor only, or none."""
    assert [(r.kind, r.exercise_id) for r in read_activities({"text": "did my bird dogs"}).reports] == \
        [("stabilization", "bird_dog")]
    both = read_activities({"text": "walked 20 min and swam", "entities": []}).reports
    assert [(r.kind, r.minutes) for r in both] == [("walking", 20.0), ("swimming", None)]


@pytest.mark.parametrize("value", [None, {}, [], "walked 20 minutes", {"text": None}, {"entities": "x"},
                                   {"text": "walked", "entities": [None, 3, {"entity": "activity"}]},
                                   {"text": "walked", "entities": [{"entity": "activity", "value": "walking",
                                                                    "start": "0", "end": -1}]}])
def test_any_parse_is_read_without_error(value):
    turn = read_activities(value)
    assert isinstance(turn, ActivityTurn)


# --------------------------------------------------------------------------- properties

ACTIVITY_VERBS = [("walked", "walking"), ("swam", "swimming"), ("cycled", "cycling"),
                  ("stretched", "stretching"), ("went swimming", "swimming"), ("biked", "cycling")]
DURATIONS = [("20 minutes", 20.0), ("15 mins", 15.0), ("half an hour", 30.0), ("an hour", 60.0),
             ("twenty minutes", 20.0), ("1h 15m", 75.0), ("45 min", 45.0), ("10 minutes", 10.0)]
JOINERS = [" and ", " then ", ", then ", ". Then I ", ", and later ", " and after that I "]
FILLERS = ["", " this morning", " today", " at the park", " after lunch"]


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.integers(0, len(ACTIVITY_VERBS) - 1), min_size=1, max_size=3, unique_by=lambda i: ACTIVITY_VERBS[i][1]),
       st.data())
def test_each_activity_gets_the_duration_written_with_it(indexes, data):
    """'<verb> [for] <duration> [filler]' joined: each activity gets its own minutes, in order."""
    parts, expected = [], []
    for i in indexes:
        verb, kind = ACTIVITY_VERBS[i]
        said, minutes = data.draw(st.sampled_from(DURATIONS))
        link = data.draw(st.sampled_from([" ", " for "]))
        parts.append(verb + link + said + data.draw(st.sampled_from(FILLERS)))
        expected.append((kind, minutes))
    text = parts[0] + "".join(data.draw(st.sampled_from(JOINERS)) + part for part in parts[1:])
    assert kinds_and_minutes(text) == expected, text


@settings(max_examples=60, deadline=None, database=None)
@given(st.sampled_from(ACTIVITY_VERBS), st.sampled_from(DURATIONS), st.sampled_from(FILLERS),
       st.sampled_from(["", "I ", "Today I ", "Phew, ", "this morning I "]), st.booleans())
def test_one_activity_keeps_the_minutes_it_always_had(verb_kind, duration, filler, opening, later):
    """One activity named and one duration anywhere: that activity, with parse_minutes' minutes."""
    (verb, kind), (said, _) = verb_kind, duration
    text = f"{opening}{verb}{filler}, {said}" if later else f"{opening}{verb} for {said}{filler}"
    assert kinds_and_minutes(text) == [(kind, parse_minutes(text))], text


@settings(max_examples=40, deadline=None, database=None)
@given(st.sampled_from(ACTIVITY_VERBS), st.sampled_from(ACTIVITY_VERBS), st.sampled_from(DURATIONS),
       st.sampled_from(["didn't", "did not", "never"]))
def test_an_activity_said_not_done_is_never_read(done, not_done, duration, negation):
    """'<done> <duration> but I <negation> <other>': only the one done, with its minutes."""
    base = {"walked": "walk", "swam": "swim", "cycled": "cycle", "stretched": "stretch",
            "went swimming": "go swimming", "biked": "bike"}[not_done[0]]
    text = f"{done[0]} {duration[0]} but I {negation} {base}"
    assert kinds_and_minutes(text) == [(done[1], duration[1])], text


# --------------------------------------------------------------------------- the use case

def test_logging_stores_every_session_and_reads_the_week_in_one_transaction(any_db_url):
    store = open_store(any_db_url)
    store.add_activity("ann", ActivityRecord(at=MONDAY - timedelta(days=3), kind="cycling", minutes=15))
    store.add_activity("ann", ActivityRecord(at=MONDAY - timedelta(days=8), kind="walking", minutes=50))
    transactions = []
    sa.event.listen(store.engine, "begin", lambda conn: transactions.append(conn))
    reports = read_activities(parse("I walked 25 minutes this morning and did the child's pose")).reports
    log = log_activities(store, "ann", reports, MONDAY)
    assert len(transactions) == 1
    assert log.records == (ActivityRecord(at=MONDAY, kind="walking", minutes=25.0),
                           ActivityRecord(at=MONDAY, kind="stretching", exercise_id="childs_pose"))
    assert log.week == (ActivityRecord(at=MONDAY - timedelta(days=3), kind="cycling", minutes=15),
                        *log.records)
    assert store.activities_since("ann", MONDAY) == log.records
    assert log.lines == tuple(coaching.activities_feedback(reports, log.week))
    assert [line for line in log.lines if "this week" in line] == [
        "That brings you to 40 minutes of aerobic activity this week.",
        "That's 1 stretching session this week."]
    store.engine.dispose()


def test_a_stop_and_go_walk_is_stored_without_its_minutes_but_named_in_the_reply(any_db_url):
    store = open_store(any_db_url)
    reports = (ActivityReport("walking", 40.0, stop_and_go=True), ActivityReport("swimming", 20.0))
    log = log_activities(store, "bo", reports, MONDAY)
    assert [(r.kind, r.minutes) for r in store.activities_since("bo", None)] == [("walking", None),
                                                                                ("swimming", 20.0)]
    assert "40 minutes on your feet" in log.lines[0]
    assert log.lines[-1] == "That brings you to 20 minutes of aerobic activity this week."
    store.engine.dispose()


# --------------------------------------------------------------------------- the action

def stored(store, sender="tester"):
    return [(a.kind, a.minutes, a.exercise_id) for a in store.activities_since(sender, None)]


async def test_the_action_logs_both_activities_and_says_the_week_once(store, clock, tracker_factory, domain):
    tracker = tracker_factory("I walked 25 minutes this morning and did the child's pose", "report_activity")
    dispatcher, events = await run(ActionRecordActivity(), tracker, domain)
    assert events == []
    assert stored(store) == [("walking", 25.0, None), ("stretching", None, "childs_pose")]
    assert all(a.at == MONDAY for a in store.activities_since("tester", None))
    lines = [m["text"] for m in dispatcher.messages]
    assert lines[0].startswith("A 25-minute walk, brilliant!")
    assert lines[1].startswith("Stretching done, nice!")
    assert sum("aerobic activity this week" in line for line in lines) == 1
    assert lines[2:] == ["That brings you to 25 minutes of aerobic activity this week.",
                         "That's 1 stretching session this week."]


async def test_the_action_logs_a_swim_and_a_walk_each_with_its_minutes(store, clock, tracker_factory, domain):
    dispatcher, _ = await run(ActionRecordActivity(), tracker_factory(
        "swam for 20 min then walked 15 minutes", "report_activity"), domain)
    assert stored(store) == [("swimming", 20.0, None), ("walking", 15.0, None)]
    assert texts(dispatcher).count("this week") == 1
    assert "That brings you to 35 minutes of aerobic activity this week." in texts(dispatcher)


async def test_a_walk_not_done_is_not_logged_and_not_praised(store, clock, tracker_factory, domain):
    dispatcher, _ = await run(ActionRecordActivity(), tracker_factory("didn't walk today", "report_activity"),
                              domain)
    assert stored(store) == []
    assert texts(dispatcher) == coaching.NOTHING_LOGGED


async def test_a_message_naming_nothing_is_asked_what_it_was(store, clock, tracker_factory, domain):
    dispatcher, _ = await run(ActionRecordActivity(), tracker_factory("done it", "report_activity"), domain)
    assert stored(store) == []
    assert texts(dispatcher) == coaching.ASK_WHICH_ACTIVITY


async def test_the_walk_logged_with_a_stretch_is_in_the_progress_summary(talk, store):
    """The bug: the walk said with a stretch was lost, so progress said no walks were logged."""
    await talk.say("I walked 25 minutes this morning and did the child's pose", "report_activity",
                   action=ActionRecordActivity())
    reply = await talk.say("how am I doing?", "ask_progress", action=ActionProgressSummary())
    assert "You've walked 25 minutes in the last 7 days" in reply
    assert "No walks logged" not in reply
