"""Time zones named in chat text (bot.timezones)."""
from __future__ import annotations

import re
import time as clock
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.timezones import _MINUTE_OFFSETS, warm_up, zone_from_text

ROOT = Path(__file__).resolve().parents[1]

NASTY = [
    "", " ", "😀", "🤷‍♀️💥", "\n\t", "-", "/", ":", "...", "½", "٣", "+", "utc+", "utc+99", "gmt-",
    "utc + + 2", "europe/", "/berlin", "america/////", "9" * 500, "a" * 100_000, "in " * 30_000,
    "i live in " * 10_000, "😀" * 100_000, "utc+2 " * 20_000, "new york time " * 5_000, "time " * 20_000,
    None, 42, b"bytes",
]


@pytest.fixture(scope="module", autouse=True)
def index():
    warm_up()


# --------------------------------------------------------------------------- places with a cue

@pytest.mark.parametrize("text,expected", [
    ("I live in Tokyo", ("Asia/Tokyo", "Tokyo")),
    ("I'm in London", ("Europe/London", "London")),  # London UK, not London, Ontario
    ("im in london", ("Europe/London", "London")),
    ("I am in Berlin right now", ("Europe/Berlin", "Berlin")),
    ("I'm based in Sydney", ("Australia/Sydney", "Sydney")),
    ("we're from Toronto", ("America/Toronto", "Toronto")),
    ("I moved to Lisbon last year", ("Europe/Lisbon", "Lisbon")),
    ("I live in Los Angeles", ("America/Los_Angeles", "Los Angeles")),
    ("I'm in San Francisco this week", ("America/Los_Angeles", "San Francisco")),
    ("I live in rio de janeiro", ("America/Sao_Paulo", "Rio de Janeiro")),
    ("living in sao paulo", ("America/Sao_Paulo", "São Paulo")),
    ("I'm from Zurich", ("Europe/Zurich", "Zürich")),
    ("I'm in Germany", ("Europe/Berlin", "Germany")),
    ("I live in the UK", ("Europe/London", "UK")),
    ("I'm in the Netherlands", ("Europe/Amsterdam", "Netherlands")),
    ("I live in Texas", ("America/Chicago", "Texas")),
    ("I live in Reading", ("Europe/London", "Reading")),  # ordinary words count after a strong cue
    ("I'm from Bath", ("Europe/London", "Bath")),
    ("I live in Nice", ("Europe/Paris", "Nice")),
    ("I live in Bombay", ("Asia/Kolkata", "Bombay")),  # an old name, after a strong cue
    ("I'm in Cologne", ("Europe/Berlin", "Cologne")),
    ("i'm in NYC", ("America/New_York", "NYC")),
    ("I'm from Victoria", ("Australia/Melbourne", "Victoria")),
    ("my time zone is Tokyo", ("Asia/Tokyo", "Tokyo")),
    ("timezone: Madrid", ("Europe/Madrid", "Madrid")),
    ("originally from Dublin", ("Europe/Dublin", "Dublin")),
    ("I'm in Paris, Texas", ("America/Chicago", "Paris")),
    ("I live in Portland, Maine", ("America/New_York", "Portland")),
])
def test_places_after_a_cue(text, expected):
    assert zone_from_text(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Tokyo", ("Asia/Tokyo", "Tokyo")),
    ("Berlin", ("Europe/Berlin", "Berlin")),
    ("New York", ("America/New_York", "New York")),
    ("new york", ("America/New_York", "New York")),
    ("Japan", ("Asia/Tokyo", "Japan")),
    ("in Sydney", ("Australia/Sydney", "Sydney")),
    ("Rio de Janeiro!", ("America/Sao_Paulo", "Rio de Janeiro")),
    ("Los Angeles", ("America/Los_Angeles", "Los Angeles")),
    ("Paris, France", ("Europe/Paris", "Paris")),
    ("London, Canada", ("America/Toronto", "London")),
    ("Portland Oregon", ("America/Los_Angeles", "Portland")),
    ("Reading, UK", ("Europe/London", "Reading")),  # an ordinary word with its country is a place
    ("germany", ("Europe/Berlin", "Germany")),
])
def test_a_message_that_is_only_a_place(text, expected):
    assert zone_from_text(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("New York time", ("America/New_York", "New York")),
    ("remind me at 8am New York time", ("America/New_York", "New York")),
    ("9pm tokyo time please", ("Asia/Tokyo", "Tokyo")),
    ("UK time", ("Europe/London", "UK")),
    ("Berlin timezone", ("Europe/Berlin", "Berlin")),
    ("central european time", ("Europe/Berlin", "Central European")),
    ("I'm on pacific time", ("America/Los_Angeles", "Pacific")),
    ("eastern standard time", ("America/New_York", "Eastern")),
    ("british summer time", ("Europe/London", "UK")),
    ("indian standard time", ("Asia/Kolkata", "India")),
])
def test_a_place_or_zone_before_time(text, expected):
    assert zone_from_text(text) == expected


# --------------------------------------------------------------------------- zone names and offsets

@pytest.mark.parametrize("text,expected", [
    ("my time zone is Europe/Berlin", ("Europe/Berlin", "Europe/Berlin")),
    ("europe/berlin", ("Europe/Berlin", "Europe/Berlin")),
    ("AMERICA/NEW_YORK", ("America/New_York", "America/New_York")),
    ("america/new york", ("America/New_York", "America/New_York")),
    ("tz America/Argentina/Buenos_Aires", ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires")),
    ("Etc/GMT-2", ("Etc/GMT-2", "Etc/GMT-2")),
])
def test_iana_names(text, expected):
    assert zone_from_text(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("UTC+2", ("Etc/GMT-2", "UTC+2")),  # the Etc sign is inverted
    ("GMT-5", ("Etc/GMT+5", "GMT-5")),
    ("utc -3", ("Etc/GMT+3", "UTC-3")),
    ("I'm on UTC+10", ("Etc/GMT-10", "UTC+10")),
    ("utc plus 1", ("Etc/GMT-1", "UTC+1")),
    ("utc+14", ("Etc/GMT-14", "UTC+14")),
    ("utc-12", ("Etc/GMT+12", "UTC-12")),
    ("utc +5:30", ("Asia/Kolkata", "UTC+5:30")),
    ("UTC+05:30", ("Asia/Kolkata", "UTC+5:30")),
    ("utc+5.5", ("Asia/Kolkata", "UTC+5:30")),
    ("GMT+0530", ("Asia/Kolkata", "GMT+5:30")),
    ("gmt+5:45", ("Asia/Kathmandu", "GMT+5:45")),
    ("utc-3:30", ("America/St_Johns", "UTC-3:30")),
    ("utc+0", ("UTC", "UTC+0")),
    ("UTC", ("UTC", "UTC")),
    ("GMT", ("UTC", "GMT")),
    ("my timezone is utc", ("UTC", "UTC")),
])
def test_offsets(text, expected):
    assert zone_from_text(text) == expected


@pytest.mark.parametrize("text", ["utc+15", "utc-13", "utc+5:20", "gmt+3:15", "utc+99"])
def test_offsets_that_name_no_zone(text):
    assert zone_from_text(text) is None


@pytest.mark.parametrize("hours", range(-12, 15))
def test_every_whole_hour_offset_is_that_offset(hours):
    zone, _ = zone_from_text(f"UTC{'+' if hours >= 0 else '-'}{abs(hours)}")
    assert ZoneInfo(zone).utcoffset(datetime(2025, 1, 15)) == timedelta(hours=hours)


@pytest.mark.parametrize("minutes,zone", sorted(_MINUTE_OFFSETS.items()))
def test_minute_offsets_map_to_a_zone_with_that_standard_offset(minutes, zone):
    offsets = [ZoneInfo(zone).utcoffset(datetime(2025, m, 15)) for m in (1, 7)]
    assert min(offsets) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text,expected", [
    ("EST", "America/New_York"), ("8am est", "America/New_York"), ("PST", "America/Los_Angeles"),
    ("CET", "Europe/Berlin"), ("cest", "Europe/Berlin"), ("BST", "Europe/London"),
    ("IST", "Asia/Kolkata"), ("JST", "Asia/Tokyo"), ("AEST", "Australia/Sydney"),
    ("8am PT", "America/Los_Angeles"), ("at 9 ET", "America/New_York"),
])
def test_abbreviations(text, expected):
    assert zone_from_text(text)[0] == expected


# --------------------------------------------------------------------------- what is not a zone

@pytest.mark.parametrize("text", [
    "I walked in the park", "my back is a 3", "sat in bed", "in pain", "I'm in agony",
    "in the morning", "Reading a book", "Bath", "had a bath", "Nice", "nice walk", "Mobile",
    "Split", "Of", "Orange", "Reading", "I'm in so much pain", "I'm in much less pain today",
    "I'm in bed", "I'm in a lot of pain", "I'm in luck", "i'm in university", "I'm in shock",
    "i'm in remission from lymphoma", "the dark thoughts have passed, i'm in a much better place now",
    "what time is it in tokyo", "same time tomorrow", "bed time", "lunch time", "bath time",
    "normal time", "spring time", "the best time to walk", "at the same time", "most of the time",
    "from time to time", "from reading too much", "pain from sitting", "sore from lifting",
    "my pt said to rest", "pt today", "hi", "ok", "yes", "fine", "better", "worse", "thanks",
    "Georgia", "Victoria", "Jersey", "Turkey", "I live in the US", "I'm in Russia", "Australia",
    "Canada", "I live in america", "stop", "resume", "walk", "every evening", "at lunchtime",
    "remind me at 8", "I'm in the garden", "I moved to the sofa", "I come from a family of nurses",
    "eat", "cat", "wet", "I'm from time to time stiff",
])
def test_ordinary_messages_name_no_zone(text):
    assert zone_from_text(text) is None


def _examples(path: Path, skip=()):
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = []
    for block in data.get("nlu", []) if isinstance(data, dict) else []:
        if block.get("intent") in skip or "examples" not in block:
            continue
        for line in str(block["examples"]).splitlines():
            line = line.strip()
            if line.startswith("- "):
                found.append(re.sub(r"\[([^\]]*)\](\{[^}]*\}|\([^)]*\))", r"\1", line[2:]))
    for item in data.get("items", []) if isinstance(data, dict) else []:
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            found.append(item["text"])
    return found


def test_no_training_or_safety_message_of_other_intents_names_a_zone():
    texts = _examples(ROOT / "data" / "nlu.yml", skip=("tell_timezone", "set_reminder", "out_of_scope"))
    texts += _examples(ROOT / "tests" / "nlu_holdout.yml", skip=("tell_timezone", "set_reminder"))
    for name in ("safety_set.yml", "safety_blind.yml"):
        if (ROOT / "tests" / name).exists():
            texts += _examples(ROOT / "tests" / name)
    assert len(texts) > 1000
    assert {t: zone_from_text(t) for t in texts if zone_from_text(t)} == {}


def test_every_tell_timezone_example_names_a_zone():
    data = yaml.safe_load((ROOT / "data" / "nlu.yml").read_text(encoding="utf-8"))
    blocks = [b for b in data["nlu"] if b.get("intent") == "tell_timezone"]
    texts = [line.strip()[2:] for b in blocks for line in b["examples"].splitlines() if line.strip().startswith("- ")]
    assert len(texts) >= 12
    assert [t for t in texts if zone_from_text(t) is None] == []


# --------------------------------------------------------------------------- robustness and speed

@pytest.mark.parametrize("text", NASTY, ids=lambda t: repr(t)[:30])
def test_any_input_is_read_without_raising(text):
    found = zone_from_text(text)
    assert found is None or (isinstance(found, tuple) and ZoneInfo(found[0]))


def test_every_zone_it_returns_exists():
    for text in ["I live in Tokyo", "UTC+2", "EST", "Germany", "Brazil", "Texas", "Ontario",
                 "I'm in Reykjavik", "Kathmandu", "Hong Kong", "I live in Hue"]:
        zone, _ = zone_from_text(text)
        assert ZoneInfo(zone) is not None


def test_lookups_are_fast_after_the_first():
    messages = ["I live in Tokyo", "remind me at 8am New York time", "my back is a 3 today",
                "I walked in the park for 30 minutes and it was lovely", "UTC+2", "Berlin"] * 50
    start = clock.perf_counter()
    for text in messages:
        zone_from_text(text)
    mean = (clock.perf_counter() - start) / len(messages)
    assert mean < 0.001, f"{mean * 1e6:.0f} µs per lookup"
