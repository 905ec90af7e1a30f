"""Numbers, scores, durations, onset and clock times read from chat text."""
from datetime import date, time

import pytest

from bot.parsing import (
    clauses,
    duration_spans,
    parse_clock_time,
    parse_days_since,
    parse_minutes,
    parse_number,
    parse_pain_score,
    parse_sleep,
)

WEDNESDAY = date(2024, 3, 20)

NASTY = [
    "", " ", "😀", "🤷‍♀️💥", "\n\t", "-", "/", ":", "...", "½", "²", "٣", "1e5", "nan", "inf",
    "9" * 500, "a" * 100_000, "1 " * 50_000, "😀" * 100_000, "half past " * 10_000,
    "1.1." * 25_000, "-" * 100_000, "and a half " * 9_000, "a " * 50_000,
]


# --------------------------------------------------------------------------- parse_number

@pytest.mark.parametrize("text,expected", [
    ("6", 6.0), ("7.5", 7.5), ("6,5", 6.5), ("it was 8", 8.0), ("six", 6.0), ("a four", 4.0),
    ("ten", 10.0), ("twenty five", 25.0), ("twenty-five", 25.0), ("half", 0.5),
    ("one and a half", 1.5), ("a hundred and twenty", 120.0), ("six point five", 6.5),
    ("-1", -1.0), ("Zero", 0.0), ("about 3 or 4", 3.0),
])
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "no numbers here", "often", "someone", "a", "😀"])
def test_parse_number_none(text):
    assert parse_number(text) is None


# --------------------------------------------------------------------------- pain score

@pytest.mark.parametrize("text,expected", [
    ("4/10", 4.0), ("4 / 10", 4.0), ("4 out of 10", 4.0), ("a four", 4.0),
    ("about six out of ten", 6.0), ("7 today", 7.0), ("it's a 3", 3.0), ("it’s a 3", 3.0),
    ("6", 6.0), ("score 8", 8.0), ("0", 0.0), ("10/10", 10.0), ("7.5", 7.5), ("6,5", 6.5),
    ("an eight", 8.0), ("pain is at 6", 6.0), ("around 6", 6.0), ("6-7", 6.5),
    ("6 or 7 out of 10", 6.5), ("went from 8 to 5", 5.0), ("down to a 4 now", 4.0),
    ("I'm 45 and my pain is 6", 6.0), ("walked 25 minutes and it's a 4", 4.0),
    ("4/10 after a 30 min walk", 4.0), ("for 3 weeks now, about a 5", 5.0),
    ("Pain level: 2", 2.0), ("maybe a 3 😬", 3.0), ("seven", 7.0),
    ("it was 7 this morning, now 4", 4.0), ("I'm 6 weeks in and it's a 4", 4.0),
])
def test_parse_pain_score(text, expected):
    assert parse_pain_score(text) == expected


@pytest.mark.parametrize("text", [
    "walked 25 minutes", "for 3 weeks", "at 8am", "2 hours", "11", "-1", "45", "12/05",
    "7:30", "remind me at 8", "8 in the evening", "on the 3rd", "3 times a day", "5 km",
    "half", "half an hour", "about a month", "no idea", "", "11/10", "15 out of 10",
    "slept 5 hours", "day 3 of the plan", "every 2 hours",
])
def test_parse_pain_score_rejects_non_scores(text):
    assert parse_pain_score(text) is None


# --------------------------------------------------------------------------- minutes

@pytest.mark.parametrize("text,expected", [
    ("25 minutes", 25.0), ("25 min", 25.0), ("25mins", 25.0), ("half an hour", 30.0),
    ("an hour", 60.0), ("1.5 hours", 90.0), ("an hour and a half", 90.0),
    ("90 minutes", 90.0), ("twenty minutes", 20.0), ("1h 15m", 75.0), ("1h15", 75.0),
    ("one and a half hours", 90.0), ("1 hour and 15 minutes", 75.0), ("a half hour", 30.0),
    ("three quarters of an hour", 45.0), ("a quarter of an hour", 15.0),
    ("20-30 minutes", 25.0), ("walked for 40 mins today", 40.0), ("2 hrs", 120.0),
    ("2 hours ago I walked 30 min", 30.0), ("twenty-five minutes", 25.0),
    ("did a 30-minute walk", 30.0), ("45 secs", 0.75),
])
def test_parse_minutes(text, expected):
    assert parse_minutes(text) == expected


@pytest.mark.parametrize("text", [
    "", "walked", "a good walk", "5 km", "6/10", "at 8am", "3 weeks", "minutes", "25 m",
    "every 2 hours",
])
def test_parse_minutes_none(text):
    assert parse_minutes(text) is None


# --------------------------------------------------------------------------- durations, where written

def written(text):
    """duration_spans as (the words as written, minutes)."""
    return [(text[start:end], minutes) for start, end, minutes in duration_spans(text)]


@pytest.mark.parametrize("text,expected", [
    ("swam for 20 min then walked 15 minutes", [("20 min", 20.0), ("15 minutes", 15.0)]),
    ("I walked 25 minutes this morning and did the child's pose", [("25 minutes", 25.0)]),
    ("did my bird dogs and a 10 minute walk", [("10 minute", 10.0)]),
    ("did a 30-minute walk", [("30-minute", 30.0)]),
    ("walked for an hour and a half, then 20 mins on the bike",
     [("an hour and a half", 90.0), ("20 mins", 20.0)]),
    # the normaliser's rewrites before them ("didn't" -> "did not", "a.m." -> "am", "ß" -> "ss",
    # curly quotes) do not move where a later duration is said to be
    ("I didn’t walk at 7 a.m. but swam half an hour", [("half an hour", 30.0)]),
    ("Straße: can't walk, won't swim, child's pose 1h15 then TWENTY-FIVE MINS",
     [("1h15", 75.0), ("TWENTY-FIVE MINS", 25.0)]),
    ("2 hours ago I walked 30 min", [("30 min", 30.0)]),
    ("walked 20 minutes", [("20 minutes", 20.0)]),
    ("", []), ("walked to the shops", []), ("every 2 hours", []),
])
def test_duration_spans_say_where_each_duration_is_written(text, expected):
    assert written(text) == expected


@pytest.mark.parametrize("text", [
    "walked 25 minutes", "half an hour on the bike", "1h 15m", "2 hours ago I walked 30 min",
    "did a 30-minute walk", "walked an hour and a half", "no minutes here", "",
])
def test_the_first_duration_span_is_what_parse_minutes_reads(text):
    spans = duration_spans(text)
    assert (spans[0][2] if spans else None) == parse_minutes(text)


@pytest.mark.parametrize("value", [None, 42, b"20 minutes", ["20 minutes"]])
def test_duration_spans_of_anything_but_text_is_empty(value):
    assert duration_spans(value) == []


# --------------------------------------------------------------------------- clauses

@pytest.mark.parametrize("text,expected", [
    ("back a 4, leg a 2", ["back a 4,", " leg a 2"]),
    ("I walked 25 minutes this morning and did the child's pose",
     ["I walked 25 minutes this morning and", " did the child's pose"]),
    ("swam for 20 min then walked 15 minutes", ["swam for 20 min then walked 15 minutes"]),
    ("walked; swam. Stretched\nslept but badly", ["walked;", " swam.", " Stretched\n", "slept but", " badly"]),
    ("walked 2.5 km", ["walked 2.5 km"]),  # a decimal point is not a full stop
    ("walked,", ["walked,"]), ("", [""]),
])
def test_clauses(text, expected):
    assert [text[a:b] for a, b in clauses(text)] == expected


# --------------------------------------------------------------------------- days since

@pytest.mark.parametrize("text,expected", [
    ("3 weeks", 21), ("3 weeks ago", 21), ("10 days", 10), ("about a month", 30),
    ("2 months", 60), ("a fortnight", 14), ("a year", 365), ("yesterday", 1), ("today", 0),
    ("a couple of weeks", 14), ("a few days", 3), ("three weeks", 21), ("last week", 7),
    ("a month and a half", 45), ("the day before yesterday", 2), ("this morning", 0),
    ("for about 6 weeks now", 42), ("2 hours ago", 0), ("two and a half weeks", 18),
    ("it's sore today, started 2 weeks ago", 14),
])
def test_parse_days_since(text, expected):
    assert parse_days_since(text) == expected


@pytest.mark.parametrize("text", ["", "a while", "ages", "in 2 weeks", "every 2 days", "since monday"])
def test_parse_days_since_none(text):
    assert parse_days_since(text) is None


@pytest.mark.parametrize("text,expected", [
    ("since monday", 2), ("last monday", 2), ("since Tuesday", 1), ("since wednesday", 7),
    ("on fri", 5), ("last Sunday", 3), ("since last saturday", 4),
])
def test_parse_days_since_weekdays_need_today(text, expected):
    assert parse_days_since(text, WEDNESDAY) == expected
    assert parse_days_since(text, today=WEDNESDAY) == expected


def test_weekday_abbreviations_need_a_preposition():
    assert parse_days_since("out in the sun", WEDNESDAY) is None


# --------------------------------------------------------------------------- clock time

@pytest.mark.parametrize("text,expected", [
    ("8am", time(8, 0)), ("8 am", time(8, 0)), ("8 a.m.", time(8, 0)), ("at 7:30", time(7, 30)),
    ("19:00", time(19, 0)), ("7.30pm", time(19, 30)), ("8 in the evening", time(20, 0)),
    ("8 in the morning", time(8, 0)), ("noon", time(12, 0)), ("midday", time(12, 0)),
    ("midnight", time(0, 0)), ("half past seven", time(7, 30)),
    ("half past seven in the evening", time(19, 30)), ("half past 7 tonight", time(19, 30)),
    ("quarter to 9", time(8, 45)), ("quarter past 8", time(8, 15)), ("ten to seven", time(6, 50)),
    ("twenty past six", time(6, 20)), ("at 8 tonight", time(20, 0)), ("tonight at 8", time(20, 0)),
    ("remind me at 9 please", time(9, 0)), ("12pm", time(12, 0)), ("12am", time(0, 0)),
    ("11 at night", time(23, 0)), ("8 o'clock", time(8, 0)), ("at seven thirty pm", time(19, 30)),
    ("at 0730", time(7, 30)), ("8", time(8, 0)), ("half seven", time(7, 30)),
    ("3 in the afternoon", time(15, 0)), ("at 6pm", time(18, 0)), ("7:45 PM", time(19, 45)),
])
def test_parse_clock_time(text, expected):
    assert parse_clock_time(text) == expected


@pytest.mark.parametrize("text", [
    "", "in the evening", "walked 25 minutes", "half an hour", "4/10", "25:00", "7:75",
    "3 weeks", "sometime", "1 to 2 hours",
])
def test_parse_clock_time_none(text):
    assert parse_clock_time(text) is None


# --------------------------------------------------------------------------- sleep

@pytest.mark.parametrize("text,quality", [
    ("badly", "bad"), ("terrible", "bad"), ("awful night", "bad"), ("slept poorly", "bad"),
    ("barely slept", "bad"), ("tossed and turned", "bad"), ("ok", "ok"), ("alright", "ok"),
    ("so-so", "ok"), ("well", "good"), ("great", "good"), ("slept like a log", "good"),
    ("good", "good"), ("didn't sleep well", "bad"), ("did not sleep well", "bad"),
    ("not bad", "ok"), ("wasn't too bad", "ok"), ("not good", "bad"), ("not great", "ok"),
    ("couldn't sleep", "bad"), ("good morning! slept terribly", "bad"),
    ("woke at 3am and couldn't get back to sleep", "bad"), ("I slept well I think", "good"),
])
def test_parse_sleep_quality(text, quality):
    assert parse_sleep(text)[0] == quality


@pytest.mark.parametrize("text,expected", [
    ("5 hours", ("bad", 5.0)), ("only got 4h", ("bad", 4.0)), ("seven hours", (None, 7.0)),
    ("slept 8 hours, felt great", ("good", 8.0)), ("slept well, about 7 and a half hours", ("good", 7.5)),
    ("badly, maybe 6 hours", ("bad", 6.0)), ("slept 5", ("bad", 5.0)),
    ("lay awake for an hour then slept 7 hours", (None, 7.0)), ("7-8 hours", (None, 7.5)),
    ("4 hours but it was ok", ("ok", 4.0)), ("", (None, None)), ("hello", (None, None)),
])
def test_parse_sleep(text, expected):
    assert parse_sleep(text) == expected


# --------------------------------------------------------------------------- robustness

@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_every_parser_survives_nasty_input(text):
    for parse in (parse_number, parse_pain_score, parse_minutes, parse_clock_time):
        result = parse(text)
        assert result is None or isinstance(result, (float, int, time))
    assert parse_days_since(text) is None or isinstance(parse_days_since(text), int)
    assert parse_days_since(text, WEDNESDAY) is None or isinstance(parse_days_since(text, WEDNESDAY), int)
    quality, hours = parse_sleep(text)
    assert quality in (None, "good", "ok", "bad") and (hours is None or isinstance(hours, float))


def test_huge_string_with_a_score_at_the_end():
    text = "x" * 100_000 + " 6/10"
    assert parse_pain_score(text) == 6.0
    assert parse_minutes("y" * 100_000 + " 20 minutes") == 20.0


@pytest.mark.parametrize("value", [None, 42, b"6/10", ["6"]])
def test_non_string_input_returns_none(value):
    assert parse_number(value) is None
    assert parse_pain_score(value) is None
    assert parse_minutes(value) is None
    assert parse_days_since(value) is None
    assert parse_clock_time(value) is None
    assert parse_sleep(value) == (None, None)
