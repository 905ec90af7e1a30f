"""Reminder requests read from chat text (bot.reminder_parsing)."""
from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import pytest
import yaml

from bot.parsing import _tokens, clock_times, day_counts, parse_clock_time
from bot.reminder_parsing import (
    AFTERNOON, DAY_PART_TIMES, EVENING, LUNCHTIME, MORNING, NIGHT, TONIGHT, ReminderRequest,
    read_reminder_request,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "nlu.yml"
HOLDOUT = ROOT / "tests" / "nlu_holdout.yml"
WEDNESDAY = date(2024, 3, 20)
MONDAY = date(2024, 3, 25)
R = ReminderRequest


def read(text: str, today: date = WEDNESDAY) -> ReminderRequest:
    return read_reminder_request(text, today)


# --------------------------------------------------------------------------- asking for reminders

@pytest.mark.parametrize("text,expected", [
    ("remind me to go for a walk at 2pm every day", R(kinds=("walk",), at=time(14, 0))),
    ("remind me to check in at 8", R(kinds=("checkin",), at=time(8, 0))),
    ("a sleep reminder at 10:30pm", R(kinds=("sleep",), at=time(22, 30))),
    ("at lunchtime", R(at=time(12, 30))),
    ("every evening", R(at=time(19, 0))),
    ("every morning", R(at=time(8, 30))),
    ("remind me to check in tonight", R(kinds=("checkin",), at=time(20, 0))),  # tonight is not sleep
    ("bedtime reminder", R(kinds=("sleep",))),
    ("wind-down reminder", R(kinds=("sleep",))),
    ("walk reminder at 6 in the evening", R(kinds=("walk",), at=time(18, 0))),
    ("remind me to walk at noon", R(kinds=("walk",), at=time(12, 0))),
    ("check-in reminder at half past seven", R(kinds=("checkin",), at=time(7, 30))),
    ("text me at lunchtime to go for a walk", R(kinds=("walk",), at=time(12, 30))),
    ("nudge me every afternoon", R(at=time(15, 0))),
    ("remind me at night to wind down", R(kinds=("sleep",), at=time(21, 0))),
    ("remind me after dinner", R(at=time(19, 0))),
    ("remind me at 9 tonight", R(at=time(21, 0))),
    ("set daily reminder at 9", R(at=time(9, 0))),
    ("can my nudge be at 8:15 instead", R(at=time(8, 15))),
    ("good morning! remind me at 9", R(at=time(9, 0))),
    ("remind me to check in and walk at 7pm", R(kinds=("checkin", "walk"), at=time(19, 0))),
    ("sleep reminder please", R(kinds=("sleep",))),
    ("how about 9pm", R(at=time(21, 0))),
    ("make it 7.45am", R(at=time(7, 45))),
    ("every evening at 7", R(at=time(19, 0))),
    ("walk at 6 please", R(kinds=("walk",), at=time(6, 0))),
    ("remind me to stop and stretch at 3pm", R(at=time(15, 0))),  # "stop" is the task here
    ("please remind me to take a break every hour", R()),
])
def test_asking_for_a_reminder(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("remind me at 8am New York time",
     R(at=time(8, 0), zone="America/New_York", place="New York")),
    ("I live in Tokyo", R(zone="Asia/Tokyo", place="Tokyo")),
    ("remind me at 7.30am, I'm in London", R(at=time(7, 30), zone="Europe/London", place="London")),
    ("remind me 6pm my time, I'm based in Sydney",
     R(at=time(18, 0), zone="Australia/Sydney", place="Sydney")),
    ("remind me at 8am EST", R(at=time(8, 0), zone="America/New_York", place="EST")),
    ("walk reminder at 7 UTC+2", R(kinds=("walk",), at=time(7, 0), zone="Etc/GMT-2", place="UTC+2")),
    ("my time zone is Europe/Berlin", R(zone="Europe/Berlin", place="Europe/Berlin")),
])
def test_time_zones_inside_requests(text, expected):
    assert read(text) == expected


# --------------------------------------------------------------------------- quiet hours

@pytest.mark.parametrize("text,expected", [
    ("don't message me after 8pm", R(quiet_start=time(20, 0))),
    ("not before 9am", R(quiet_end=time(9, 0))),
    ("nothing before 9", R(quiet_end=time(9, 0))),
    ("no messages after 9", R(quiet_start=time(21, 0))),  # "after 9" without am/pm: 9pm
    ("remind me at 8 but nothing after 9", R(at=time(8, 0), quiet_start=time(21, 0))),
    ("no messages between 10pm and 7am", R(quiet_start=time(22, 0), quiet_end=time(7, 0))),
    ("quiet hours after 10pm", R(quiet_start=time(22, 0))),
    ("do not disturb before 8am", R(quiet_end=time(8, 0))),
    ("remind me to walk, but not after 8pm", R(kinds=("walk",), quiet_start=time(20, 0))),
])
def test_quiet_hours(text, expected):
    assert read(text) == expected


# --------------------------------------------------------------------------- stop, pause, resume

@pytest.mark.parametrize("text,expected", [
    ("stop all my reminders", R(stop=True)),
    ("stop the walking ones", R(kinds=("walk",), stop=True)),
    ("no more nudges", R(stop=True)),
    ("stop", R(stop=True)),
    ("unsubscribe", R(stop=True)),
    ("turn off reminders", R(stop=True)),
    ("reminders off please", R(stop=True)),
    ("i don't want reminders anymore", R(stop=True)),
    ("don't remind me anymore", R(stop=True)),
    ("take me off the reminders", R(stop=True)),
    ("i'm done with reminders", R(stop=True)),
    ("enough reminders", R(stop=True)),
    ("stop reminding me to walk", R(kinds=("walk",), stop=True)),
    ("cancel the sleep reminder", R(kinds=("sleep",), stop=True)),
    ("cancel the 8am reminder", R(at=time(8, 0), stop=True)),
    ("hold the reminders while i'm on holiday", R(stop=True)),  # a pause with no end is a stop
    ("pause my reminders", R(stop=True)),
])
def test_stopping(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("pause for a week", R(pause_days=7)),
    ("for 3 days", R(pause_days=3)),
    ("for two weeks", R(pause_days=14)),
    ("for a fortnight", R(pause_days=14)),
    ("snooze reminders for 3 days", R(pause_days=3)),
    ("no reminders for a week", R(pause_days=7)),
    ("stop reminders for a week", R(pause_days=7)),  # a pause, not a stop
    ("pause everything for a few days", R(pause_days=3)),
    ("give the nudges a break for a month", R(pause_days=30)),
    ("pause my reminders until Monday", R(pause_until=MONDAY)),
    ("pause nudges till tomorrow", R(pause_until=date(2024, 3, 21))),
    ("till tomorrow", R(pause_until=date(2024, 3, 21))),
    ("pause until 5 December", R(pause_until=date(2024, 12, 5))),
    ("pause until the 5th of January", R(pause_until=date(2025, 1, 5))),
    ("pause until March 1st", R(pause_until=date(2025, 3, 1))),  # already past this year
    ("pause until the 25th", R(pause_until=date(2024, 3, 25))),
    ("pause until next week", R(pause_until=MONDAY)),
    ("pause until after the weekend", R(pause_until=MONDAY)),
    ("pause the walking reminders until friday", R(kinds=("walk",), pause_until=date(2024, 3, 22))),
])
def test_pausing(text, expected):
    assert read(text) == expected


def test_until_a_weekday_is_the_next_one_never_today():
    assert read("pause until monday", today=MONDAY).pause_until == date(2024, 4, 1)


def test_until_needs_today_to_be_dated_and_is_still_no_stop():
    assert read_reminder_request("pause my reminders until Monday") == R()


@pytest.mark.parametrize("text", [
    "turn my reminders back on", "unpause my nudges", "un-pause the reminders",
    "start the reminders again", "resume", "resume my reminders", "turn reminders on",
    "switch on my reminders", "can i have my reminders again", "bring my reminders back",
    "put my reminders on again", "reenable reminders", "i want the nudges again",
    "start sending reminders again",
])
def test_resuming(text):
    assert read(text) == R(resume=True)


def test_resuming_one_kind():
    assert read("turn the walk reminders back on") == R(kinds=("walk",), resume=True)


# --------------------------------------------------------------------------- not requests

@pytest.mark.parametrize("text", [
    "my back is a 3", "I walked 30 minutes", "slept badly last night", "I went for a walk at 2pm",
    "it was 7 this morning", "I had to stop walking because of the pain", "pain is 7 tonight",
    "my back hurt for 3 days", "hi", "thanks", "I'm in agony", "Reading a book", "had a bath",
    "I walked in the park", "sat in bed", "in the morning it is worse", "stop it hurts when I bend",
    "remind me every 2 hours to stand up",
])
def test_messages_that_ask_nothing(text):
    assert read(text) == R()


# --------------------------------------------------------------------------- constants, robustness

def test_day_part_times_have_one_home():
    assert (MORNING, LUNCHTIME, AFTERNOON, EVENING, TONIGHT, NIGHT) == (
        time(8, 30), time(12, 30), time(15, 0), time(19, 0), time(20, 0), time(21, 0))
    assert DAY_PART_TIMES["lunchtime"] is LUNCHTIME and DAY_PART_TIMES["evenings"] is EVENING


NASTY = [
    "", " ", "😀", "🤷‍♀️💥", "\n\t", "-", "/", ":", "...", "½", "²", "٣", "1e5", "nan", "inf",
    "9" * 500, "a" * 100_000, "1 " * 50_000, "😀" * 100_000, "half past " * 10_000,
    "until " * 20_000, "remind me at 8 " * 5_000, "don't message me after " * 5_000,
    "pause for a week " * 5_000, "until the 99th", "until 31 february", "until the 31st",
    "between 10 and", "no messages between", None, 42,
]


@pytest.mark.parametrize("text", NASTY, ids=lambda t: repr(t)[:30])
@pytest.mark.parametrize("today", [None, WEDNESDAY, date(2024, 12, 31), "not a date"])
def test_any_input_gives_a_request(text, today):
    found = read_reminder_request(text, today)
    assert isinstance(found, ReminderRequest)
    assert set(found.kinds) <= {"checkin", "walk", "sleep"}


def test_it_refers_to_reminders_only_when_switched():
    assert read("please turn it back on") == R(resume=True)
    assert read("could you switch it off please") == R(stop=True)


@pytest.mark.parametrize("text,expected", [
    ("give the nudges a break", R(stop=True)),
    ("i need a break from the reminders", R(stop=True)),
    ("ease off the nudges for a bit", R(stop=True)),
    ("skip reminders tomorrow", R(pause_until=date(2024, 3, 22))),
    ("skip today's reminder", R(pause_until=date(2024, 3, 21))),
    ("i'm off to bed, remind me at 7am", R(kinds=("sleep",), at=time(7, 0))),  # "off" alone is no stop
    ("i'd like the reminders back", R(resume=True)),
    ("you can message me again", R(resume=True)),
])
def test_breaks_skips_and_comebacks(text, expected):
    assert read(text) == expected


# --------------------------------------------------------------------------- the NLU examples

def _intent_examples(path: Path, intent: str):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [re.sub(r"\[([^\]]*)\](\{[^}]*\}|\([^)]*\))", r"\1", line.strip()[2:])
            for block in data["nlu"] if block.get("intent") == intent
            for line in block["examples"].splitlines() if line.strip().startswith("- ")]


def test_what_the_classifier_calls_stopping_reads_as_a_stop_or_a_pause():
    texts = _intent_examples(DATA, "stop_reminders") + _intent_examples(HOLDOUT, "stop_reminders")
    assert [t for t in texts if not (read(t).stop or read(t).pause_days or read(t).pause_until)] == []


def test_what_the_classifier_calls_resuming_reads_as_a_resume():
    texts = _intent_examples(DATA, "resume_reminders") + _intent_examples(HOLDOUT, "resume_reminders")
    assert len(texts) >= 20
    assert [t for t in texts if not read(t).resume or read(t).stop] == []


def test_what_the_classifier_calls_setting_never_reads_as_stop_pause_or_resume():
    found = {t: read(t) for t in _intent_examples(DATA, "set_reminder")}
    assert {t: q for t, q in found.items() if q.stop or q.resume or q.pause_days or q.pause_until} == {}


# --------------------------------------------------------------------------- bot.parsing helpers used here

def test_clock_times_lists_every_time_as_parse_clock_time_reads_the_first():
    text = "remind me at 8am but nothing after 9, or half past seven tonight"
    assert [(at, part) for _, _, at, part in clock_times(_tokens(text))] == [
        (time(8, 0), "am"), (time(9, 0), "am"), (time(19, 30), "pm")]  # 9 takes the nearest "am"
    assert parse_clock_time(text) == clock_times(_tokens(text))[0][2]


@pytest.mark.parametrize("text,days", [
    ("a week", 7), ("3 days", 3), ("two weeks", 14), ("a fortnight", 14), ("a couple of days", 2),
    ("a month", 30), ("a few days", 3), ("ten days", 10), ("a week and a half", 11),
])
def test_day_counts(text, days):
    assert [d for _, _, d in day_counts(_tokens(f"pause for {text}"))] == [days]


@pytest.mark.parametrize("text,expected", [
    ("remind me at 8am but nothing after 9", R(at=time(8, 0), quiet_start=time(21, 0))),
    ("no messages after 7am", R(quiet_start=time(7, 0))),
    ("nothing after 10 in the morning", R(quiet_start=time(10, 0))),
])
def test_a_quiet_start_is_evening_unless_the_time_itself_says_morning(text, expected):
    assert read(text) == expected
