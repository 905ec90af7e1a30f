"""Property-based tests (hypothesis): hostile and arbitrary input never breaks a reader or a webhook.

Every reader of chat text (the clinical reader, the number, pain, duration, onset, clock
and sleep parsers, the reminder reader, the time-zone reader, triage) and the Telegram
and REST webhooks and the shared input limits get text and JSON nobody would type: control characters, emoji, right-to-left
marks, 5,000-character runs, deeply nested JSON. For each, nothing may escape, and what
comes back must still make sense (a pain score is None or 0-10, a Telegram part fits in
4,096 UTF-16 units, a webhook answers 2xx or 4xx).

The public parsers catch everything as a last line of defence, so "nothing escapes" alone
would pass even if their insides crashed on every odd message. The insides are therefore
also driven directly (`test_the_parsers_safety_nets_never_fire`): a bug there would make
a real message silently read as nothing.

Examples are capped (`settings(max_examples=...)`) so the module runs in well under a
minute; the first call to the clinical reader and the time-zone index loads data, hence
`deadline=None`. `HYPOTHESIS_SCALE=10` runs ten times as many examples.
"""
from __future__ import annotations

import asyncio
import json
import math
import os
import string
from datetime import date, time
from typing import Any, Dict, Optional

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot import parsing
from bot.channels import limits
from bot.channels import socketio as coach_socketio
from bot.channels.rest import FAILURE_REPLY as REST_FAILURE_REPLY, CoachRestInput
from bot.channels.telegram import (
    MAX_BODY_BYTES, MAX_INPUT_CHARS, MAX_MESSAGE_UTF16, SECRET_HEADER, Incoming, TelegramChannel,
    TelegramSettings, normalize_text, parse_update, split_message, utf16_len,
)
from bot.nlu import context
from bot.nlu.clinical import MAX_CHARS, Analysis, analyse
from bot.reminder_parsing import ReminderRequest, _read, read_reminder_request
from bot.timezones import zone_from_text, zone_names
from bot.triage import EMERGENCY, NONE, RED_FLAG_INTENT, URGENT, Triage, triage_parse
from tests.doubles.telegram_api import FakeTelegramAPI

# HYPOTHESIS_SCALE=10 tries ten times as many examples (a longer hunt, outside `make test`).
SCALE = max(1, int(os.environ.get("HYPOTHESIS_SCALE") or 1))


def examples(n: int) -> settings:
    # No example database: nothing is written into the work tree; a failure prints its example.
    return settings(max_examples=n * SCALE, deadline=None, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --------------------------------------------------------------------------- text strategies

# Words the readers react to, so generated messages reach deep branches, not only "no number".
WORDS = [
    "pain", "back", "my", "leg", "legs", "both", "numb", "numbness", "bladder", "bowel", "saddle",
    "weak", "fever", "not", "no", "never", "don't", "can't", "didn't", "isn't", "mum's", "if", "would",
    "had", "gone", "settled", "killing", "me", "low", "fed", "up", "down", "what's", "the", "point",
    "a", "an", "about", "around", "out", "of", "ten", "/10", "10", "0", "7", "6-7", "6 or 7", "4.5",
    "6,5", "1,500", "99999999999999999999", "1e309", "½", "٣", "७", "²", "one", "two", "six", "twenty",
    "five", "half", "quarter", "past", "to", "hour", "hours", "an hour and a half", "min", "mins",
    "minutes", "1h", "15m", "h", "m", "walked", "slept", "got", "well", "badly", "awake", "ago",
    "since", "last", "week", "weeks", "days", "months", "yesterday", "today", "tonight", "monday",
    "fri", "at", "8am", "8 a.m.", "7:30", "19:00", "25:99", "noon", "midnight", "o'clock",
    "evening", "morning", "pm", "remind", "reminders", "nudge", "check", "in", "walk", "sleep",
    "bedtime", "every", "stop", "pause", "skip", "resume", "back on", "until", "till", "the", "5th",
    "of", "december", "dec", "tomorrow", "weekend", "for", "quiet", "after", "before", "9pm",
    "live", "i'm", "in", "tokyo", "new", "york", "time", "utc+2", "gmt-13", "utc+14:30", "utc-99",
    "europe/london", "america/new_york", "etc/gmt+5", "paris", "texas", "reading", "uk", "london",
    "/start", "/help", "/affirm", "/", "//", "@", "#", "£", "€", "%", ":", "=", "-", "—", "–", "’",
    "😀", "🔥", "👍🏽", "\u200b", "\u200d", "\u202e", "\ufeff", "\x00", "\x1b[31m", "\r\n", "\t",
]
SEPARATORS = [" ", " ", " ", "", ",", ", ", ".", ". ", "\n", "\n\n", "!", "?", " - ", "\t", "\u00a0"]

chatty = st.lists(
    st.tuples(st.one_of(st.sampled_from(WORDS), st.integers(-20, 5000).map(str), st.text(max_size=4)),
              st.sampled_from(SEPARATORS)),
    max_size=30,
).map(lambda pairs: "".join(word + sep for word, sep in pairs))
# Long input: a short piece repeated (hypothesis rarely draws long random strings by itself).
repeated = st.tuples(st.one_of(chatty.filter(bool), st.text(min_size=1, max_size=8)),
                     st.integers(50, 2000)).map(lambda pair: (pair[0] * pair[1])[:6000])
any_text = st.one_of(st.text(), st.text(max_size=5000), chatty, repeated)
# The clinical reader is spaCy: keep its long inputs shorter so the module stays fast.
clinical_text = st.one_of(st.text(), st.text(max_size=5000), chatty,
                          repeated.map(lambda s: s[:1500]))
days = st.dates(min_value=date(1970, 1, 1), max_value=date(2200, 12, 31))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --------------------------------------------------------------------------- bot.parsing

@examples(200)
@given(any_text)
@example("9" * 400)            # overflows a float
@example("6,5/10 ٣ ½ ² 1e309")  # decimal comma, Arabic-Indic digit, vulgar fraction, superscript
def test_parse_number_is_none_or_a_finite_number(text):
    value = parsing.parse_number(text)
    assert value is None or (is_number(value) and math.isfinite(value))


@examples(200)
@given(any_text)
@example("11/10")
@example("-3 out of 10")
@example("6-7")
def test_a_pain_score_is_none_or_within_0_to_10(text):
    score = parsing.parse_pain_score(text)
    assert score is None or (is_number(score) and 0 <= score <= 10)


@examples(200)
@given(any_text)
@example("99999999999999999999 hours")
def test_minutes_are_none_or_a_finite_number(text):
    minutes = parsing.parse_minutes(text)
    assert minutes is None or (is_number(minutes) and math.isfinite(minutes))
    assert minutes is None or minutes >= 0


@examples(100)
@given(any_text)
@example("-5 minutes")
@example("walked -20 min")
def test_minutes_are_never_negative(text):
    minutes = parsing.parse_minutes(text)
    assert minutes is None or minutes >= 0


@examples(200)
@given(any_text, st.one_of(st.none(), days))
@example("-3 weeks ago", None)
@example("since monday", date(1970, 1, 1))
def test_days_since_is_none_or_a_non_negative_whole_number(text, today):
    since = parsing.parse_days_since(text, today)
    assert since is None or (isinstance(since, int) and not isinstance(since, bool) and since >= 0)


@examples(200)
@given(any_text)
@example("25:99")
@example("at 12 midnight pm")
def test_a_clock_time_is_none_or_a_time_of_day(text):
    at = parsing.parse_clock_time(text)
    assert at is None or type(at) is time


@examples(200)
@given(any_text)
def test_sleep_is_a_known_quality_and_a_plausible_number_of_hours(text):
    quality, hours = parsing.parse_sleep(text)
    assert quality in (None, "good", "ok", "bad")
    assert hours is None or (is_number(hours) and 0 <= hours < 24)
    if quality is None:
        assert hours is None or hours >= 6  # under six hours with no quality words is a bad night


@examples(200)
@given(any_text)
@example("Straße’s 8 a.m. o'clock — can't won't twenty-five mins")
@example("ﬁ İ ß " * 50 + "1h15")  # characters whose case folding is longer than they are
def test_the_tracked_normaliser_is_the_normaliser_and_points_into_the_text(text):
    normalised, origin = parsing._normalise_tracked(text)
    assert normalised == parsing._normalise(text)
    assert len(origin) == len(normalised)
    assert all(0 <= i < len(text) for i in origin)
    assert origin == sorted(origin)  # left to right, as written


@examples(200)
@given(any_text)
@example("swam for 20 min then walked 15 minutes")
@example("I didn't walk 20 minutes, just 10 mins")
def test_duration_spans_are_the_durations_in_order_within_the_text(text):
    spans = parsing.duration_spans(text)
    assert [m for _, _, m in spans] == [m for _, _, m in parsing._durations(parsing._tokens(text))]
    assert all(0 <= start < end <= len(text) for start, end, _ in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # left to right, never overlapping
    assert (spans[0][2] if spans else None) == parsing.parse_minutes(text)


@examples(200)
@given(any_text)
def test_clauses_cover_the_text_in_order(text):
    pieces = parsing.clauses(text)
    assert pieces[0][0] >= 0 and pieces[-1][1] <= len(text)
    assert all(a < b or len(pieces) == 1 for a, b in pieces)
    assert all(first[1] <= second[0] for first, second in zip(pieces, pieces[1:]))


@examples(200)
@given(any_text, st.one_of(st.none(), days))
def test_the_parsers_safety_nets_never_fire(text, today):
    """The bodies the public parsers wrap in `except Exception` (a crash there reads as 'nothing')."""
    toks = parsing._tokens(text)
    assert len(toks) <= parsing.MAX_TOKENS
    assert all(tok.text and 0 <= tok.start < tok.end for tok in toks)
    parsing._numbers(toks)
    parsing._durations(toks)
    nums = {n.start: n for n in parsing._numbers(toks)}
    for i in range(len(toks)):
        parsing._onset_at(toks, i, nums, today)
    times = parsing.clock_times(toks)
    assert len(times) <= parsing.MAX_CLOCK_TIMES and all(type(t[2]) is time for t in times)
    assert all(isinstance(n, int) for _, _, n in parsing.day_counts(toks))
    parsing._sleep_quality(toks)
    parsing._sleep_hours(toks)
    assert isinstance(_read(text, today), ReminderRequest)


# --------------------------------------------------------------------------- reminders, zones

ZONES = zone_names()


@examples(200)
@given(any_text, st.one_of(st.none(), days))
@example("pause reminders until the 31st", date(2024, 2, 29))
@example("remind me at 25:00 in utc+14:30", date(2200, 12, 31))
def test_a_reminder_request_always_holds_sensible_values(text, today):
    req = read_reminder_request(text, today)
    assert isinstance(req, ReminderRequest)
    assert set(req.kinds) <= {"checkin", "walk", "sleep"} and len(set(req.kinds)) == len(req.kinds)
    for at in (req.at, req.quiet_start, req.quiet_end):
        assert at is None or type(at) is time
    assert req.pause_days is None or (isinstance(req.pause_days, int) and req.pause_days > 0)
    if req.pause_until is not None:
        assert today is not None and isinstance(req.pause_until, date) and req.pause_until > today
    assert not (req.stop and (req.pause_days is not None or req.pause_until is not None))
    assert not (req.stop and req.resume)
    assert (req.zone is None) == (req.place is None)
    assert req.zone is None or req.zone in ZONES


@examples(200)
@given(any_text)
@example("UTC+99")
@example("I live in " + "new york " * 600)
def test_a_zone_is_none_or_a_real_iana_zone_with_the_place_named(text):
    found = zone_from_text(text)
    if found is not None:
        zone, place = found
        assert zone in ZONES
        assert isinstance(place, str) and place.strip()


# --------------------------------------------------------------------------- clinical reader, triage

@examples(80)
@given(clinical_text)
@example("my back hurts 7/10 and both legs are numb " * 30)
@example("\u202eboth legs numb\u202c and I can't control my bladder")
def test_the_clinical_reader_reads_anything_into_a_consistent_analysis(text):
    analysis = analyse(text)
    assert isinstance(analysis, Analysis)
    length = min(len(text), MAX_CHARS)
    for f in analysis.findings + analysis.cues:
        assert 0 <= f.start <= f.end <= length and f.status in context.STATUSES + ("idiom",)
        assert isinstance(f.entity, str) and isinstance(f.value, str) and f.value
    for flag in analysis.red_flags:
        assert flag.tier in (EMERGENCY, URGENT) and 0 <= flag.start <= flag.end <= length
    assert [f.tier for f in analysis.affirmed_red_flags()] == sorted(f.tier for f in analysis.affirmed_red_flags())
    json.dumps(analysis.as_dict())  # it goes into Rasa's parse result


INTENTS = ["greet", "inform", "report_pain", "report_red_flag", "affirm", "deny", "nlu_fallback", "", None]
confidence = st.one_of(st.none(), st.floats(min_value=0, max_value=1), st.integers(0, 1))
intent = st.one_of(st.none(), st.fixed_dictionaries(
    {}, optional={"name": st.sampled_from(INTENTS), "confidence": confidence}))
parse_like = st.fixed_dictionaries({}, optional={
    "text": st.one_of(st.none(), clinical_text, st.sampled_from(["/report_red_flag", "/affirm"])),
    "intent": intent,
    "entities": st.lists(st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3), max_size=3),
    "clinical": st.one_of(st.none(), st.text(max_size=5), st.fixed_dictionaries(
        {}, optional={"classifier": intent, "red_flags": st.lists(st.integers(), max_size=2),
                      "triage": st.one_of(st.none(), st.fixed_dictionaries({}, optional={
                          "tier": st.one_of(st.integers(-1, 3), st.none(), st.booleans(), st.text(max_size=2)),
                          "reasons": st.one_of(st.none(), st.text(max_size=4), st.lists(st.one_of(
                              st.sampled_from(["low_mood", "unspecified", "fever", "chest_pain", "self_harm"]),
                              st.text(max_size=6), st.integers()), max_size=3))}))})),
})


@examples(100)
@given(parse_like)
@example({"text": "/report_red_flag", "intent": {"name": "report_red_flag", "confidence": 1.0}})
@example({"text": "I can't feel my bum and I've wet myself", "intent": None})
@example({})
def test_triage_of_any_parse_result_is_a_tier_with_matching_advice(parse):
    decision = triage_parse(parse)
    assert isinstance(decision, Triage) and decision.tier in (NONE, EMERGENCY, URGENT)
    assert bool(decision.advice) == (decision.red_flag or decision.low_mood)
    assert decision.red_flag == bool(decision.flags())
    if ((parse.get("intent") or {}).get("name")) == RED_FLAG_INTENT:
        assert decision.red_flag  # the escalation never runs with nothing to say


# --------------------------------------------------------------------------- Telegram, pure parts

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                      st.text(max_size=20))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=25)
# Update-shaped JSON whose every field may be of the wrong type: reaches the deep branches.
chat_id = st.one_of(st.integers(), st.booleans(), st.text(max_size=12), st.none(), st.floats(allow_nan=False))
maybe = lambda strategy: st.one_of(strategy, json_value)  # noqa: E731
chat = maybe(st.fixed_dictionaries({}, optional={
    "id": chat_id, "type": maybe(st.sampled_from(["private", "group", "supergroup", "channel"]))}))
message = maybe(st.fixed_dictionaries({}, optional={
    "message_id": maybe(st.integers()), "chat": chat, "text": maybe(any_text), "caption": maybe(st.text()),
    "from": maybe(st.fixed_dictionaries({"id": chat_id}))}))
callback_query = maybe(st.fixed_dictionaries({}, optional={
    "id": maybe(st.text(max_size=20)), "data": maybe(st.text(max_size=80)), "message": message,
    "from": maybe(st.fixed_dictionaries({}, optional={"id": chat_id}))}))
update_like = st.fixed_dictionaries({}, optional={
    "update_id": maybe(st.integers(min_value=0, max_value=2**53)), "message": message,
    "callback_query": callback_query, "edited_message": message})
any_update = st.one_of(update_like, st.dictionaries(st.text(max_size=15), json_value, max_size=5))


@examples(250)
@given(any_update)
@example({"callback_query": {"id": "1", "message": {"chat": {"id": 5, "type": "private"}}, "data": 3}})
@example({"callback_query": {"id": "1", "message": "gone", "from": {"id": 5}}})
@example({"message": {"chat": {"id": True, "type": "private"}, "text": "hi"}})
def test_parse_update_is_none_or_an_incoming_from_a_private_chat_with_an_int_id(update):
    incoming = parse_update(update)
    if incoming is None:
        return
    assert isinstance(incoming, Incoming) and type(incoming.chat_id) is int
    assert incoming.kind in ("text", "button", "unsupported")
    if incoming.kind == "text":
        assert isinstance(incoming.text, str) and incoming.text.strip()
    if incoming.kind == "button":
        assert isinstance(incoming.callback_query_id, str)
        assert incoming.text is None or isinstance(incoming.text, str)
    json.dumps(incoming.metadata)  # it is stored with the tracker


@examples(250)
@given(any_text)
@example("/start\x00")
@example("/help@" + "x" * 5000)
@example("\u2028/deny")
@example("/affirm")
def test_normalize_text_never_hands_rasa_a_raw_intent(text):
    seen = normalize_text(text)
    assert seen is None or (isinstance(seen, str) and seen == seen.strip() and seen)
    if seen is not None:
        assert len(seen) <= MAX_INPUT_CHARS
        assert seen == "/start" or not seen.startswith("/"), seen  # "/x" would be read as intent x


@examples(100)
@given(st.tuples(st.sampled_from(["/", "//", "/ ", "/\t"]), st.sampled_from([" /", "  /", "\n/"]),
                 st.sampled_from(["affirm", "deny", "restart", 'inform{"pain_score": "9"}'])))
@example(("/", " /", "affirm"))
def test_a_slash_left_after_a_stripped_slash_is_not_an_intent(parts):
    seen = normalize_text("".join(parts))
    assert seen is None or not seen.startswith("/"), seen


@examples(100)
@given(any_update)
@example({"callback_query": {"id": "1", "message": {"chat": ["not", "a", "dict"]}}})
@example({"callback_query": {"id": "1", "from": 7}})
def test_parse_update_never_raises(update):
    incoming = parse_update(update)
    assert incoming is None or type(incoming.chat_id) is int


def non_space(text: str) -> str:
    return "".join(c for c in text if not c.isspace())


@examples(200)
@given(st.one_of(any_text, st.text(max_size=5000),
                 st.tuples(st.sampled_from(["😀", "a", "👍🏽 ", "word ", "\n\n", "x" * 70]),
                           st.integers(1, 3000)).map(lambda t: t[0] * t[1])),
       st.one_of(st.just(MAX_MESSAGE_UTF16), st.integers(min_value=2, max_value=5000)))
@example("😀" * 3000, MAX_MESSAGE_UTF16)
@example("😀" * 10, 2)
def test_split_message_parts_fit_telegram_and_lose_nothing(text, limit):
    parts = split_message(text, limit)
    assert all(part and part == part.strip() and utf16_len(part) <= limit for part in parts)
    assert non_space("".join(parts)) == non_space(text)
    if text.strip() and utf16_len(text.strip()) <= limit:
        assert parts == [text.strip()]


# --------------------------------------------------------------------------- socket.io session ids

@examples(200)
@given(st.one_of(json_value, st.text(alphabet="0123456789abcdefABCDEF", min_size=30, max_size=34)))
@example("0" * 32)
@example("0" * 32 + "\n")
def test_a_socketio_session_id_is_always_one_we_could_have_issued(requested):
    sid = coach_socketio.session_id_for(requested)
    assert isinstance(sid, str) and len(sid) == 32 and set(sid) <= set(string.hexdigits.lower())
    is_ours = isinstance(requested, str) and len(requested) == 32 and set(requested) <= set("0123456789abcdef")
    assert (sid == requested) == is_ours


# --------------------------------------------------------------------------- Telegram webhook

TOKEN = "123456789:AAproperty_tests-token"
SECRET = "property-secret_0123456789"


@pytest.fixture(scope="module")
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def api():
    fake = FakeTelegramAPI(TOKEN).start()
    yield fake
    fake.stop()


class Collector:
    """Stands in for Rasa: records the messages handed on (one in 50 fails, as Rasa may)."""

    def __init__(self) -> None:
        self.messages = []

    async def __call__(self, message) -> None:
        self.messages.append(message)
        if len(self.messages) % 50 == 0:
            raise RuntimeError("Rasa failed")


@pytest.fixture(scope="module")
def webhook(loop, api):
    """The channel, its webhook route handler and a Rasa stand-in, on one event loop."""
    channel = TelegramChannel(TelegramSettings(TOKEN, SECRET, None, api.base_url))
    collector = Collector()
    bp = channel.blueprint(collector)
    route = next(r.handler for r in bp._future_routes if r.uri == "/webhook")
    yield channel, route, collector
    loop.run_until_complete(channel.output.close())


class FakeRequest:
    def __init__(self, body: bytes, headers: Dict[str, str], args: Optional[Dict[str, str]] = None) -> None:
        self.body, self.headers, self.args = body, headers, args or {}


def assert_answered(resp) -> Dict[str, Any]:
    assert 200 <= resp.status < 300 or 400 <= resp.status < 500, resp.status
    answer = json.loads(resp.body)
    assert isinstance(answer, dict)
    if resp.status >= 400:
        assert isinstance(answer.get("error"), str) and answer["error"]
    else:
        assert answer.get("ok") is True
    return answer


def check_handed_on(collector: Collector, before: int) -> None:
    for message in collector.messages[before:]:
        assert isinstance(message.text, str) and message.text and len(message.text) <= MAX_INPUT_CHARS
        assert message.sender_id.lstrip("-").isdecimal() and message.input_channel == "telegram"


@examples(200)
@given(st.one_of(any_update, json_value))
@example([])
@example({"update_id": True, "message": {"chat": {"id": 1, "type": "private"}, "text": "hi"}})
@example({"update_id": 1, "callback_query": {"id": "q", "data": "/affirm",
                                             "message": {"chat": {"id": 1, "type": "private"}}}})
@example({"update_id": 2, "message": {"chat": {"id": 7, "type": "private"}, "sticker": {}}})
def test_handle_update_on_any_json_answers_2xx_or_4xx(loop, webhook, update):
    channel, _, collector = webhook
    before = len(collector.messages)
    resp = loop.run_until_complete(channel.handle_update(update, collector))
    answer = assert_answered(resp)
    if not isinstance(update, dict) or type(update.get("update_id")) is not int:
        assert resp.status == 400 and len(collector.messages) == before
    else:
        assert resp.status == 200 and answer["ok"]
    check_handed_on(collector, before)


bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
    json_value.map(lambda v: json.dumps(v).encode()),
    any_update.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8")),
    st.sampled_from([b"", b"null", b"[]", b"{", b"\xff\xfe", b'{"update_id": 1e400}', b"\x00" * 10,
                     b'{"update_id": 9' + b"9" * 5000 + b"}", b"[" * 5000 + b"]" * 5000]),
)
headers = st.one_of(
    st.just({SECRET_HEADER: SECRET}),
    st.dictionaries(st.sampled_from([SECRET_HEADER, "Content-Type"]),
                    st.one_of(st.just(SECRET), st.text(max_size=40)), max_size=2),
)


@examples(200)
@given(bodies, headers)
@example(b"x" * (MAX_BODY_BYTES + 1), {SECRET_HEADER: SECRET})
@example(b"{}", {SECRET_HEADER: SECRET + "x"})
@example(b"{}", {SECRET_HEADER: "\u00e9" * 5})
def test_the_webhook_answers_any_body_with_2xx_or_4xx(loop, webhook, body, headers):
    channel, route, collector = webhook
    before = len(collector.messages)
    resp = loop.run_until_complete(route(FakeRequest(body, headers)))
    assert_answered(resp)
    if headers.get(SECRET_HEADER) != SECRET:
        assert resp.status == 403 and len(collector.messages) == before
    elif len(body) > MAX_BODY_BYTES:
        assert resp.status == 413
    check_handed_on(collector, before)


@examples(20)
@given(st.integers(1000, 50000), st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
@example(5000, (b"[", b"]"))
def test_a_deeply_nested_body_gets_a_4xx(loop, webhook, depth, brackets):
    _, route, _ = webhook
    body = brackets[0] * depth + b"1" + brackets[1] * depth
    resp = loop.run_until_complete(route(FakeRequest(body, {SECRET_HEADER: SECRET})))
    assert 400 <= resp.status < 500


# --------------------------------------------------------------------------- shared input limits

@examples(200)
@given(st.one_of(json_value, any_text, st.text(min_size=1990, max_size=2010),
                 st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=50)))
@example("\ud800 lone surrogate \x00\x7f\x85\r\n")
@example("x" * (limits.MAX_MESSAGE_CHARS + 1))
def test_check_message_accepts_clean_text_or_refuses_with_a_4xx_that_does_not_repeat_it(value):
    checked = limits.check_message(value)
    assert (checked.text is None) != (checked.refusal is None)
    if checked.refusal is not None:
        refusal = checked.refusal
        assert 400 <= refusal.status < 500 and refusal.error and refusal.reply
        if isinstance(value, str) and len(value.strip()) >= 8:
            assert value not in refusal.error and value not in refusal.reply
        assert not (isinstance(value, str) and len(value) <= limits.MAX_MESSAGE_CHARS)
    else:
        assert isinstance(value, str) and len(value) <= limits.MAX_MESSAGE_CHARS
        assert limits.CONTROL_CHARS.search(checked.text) is None and "\r" not in checked.text
        assert len(checked.text) <= len(value)


@examples(200)
@given(st.one_of(json_value, st.text(max_size=140), st.text(alphabet="ab \t\n\x00", max_size=5)))
def test_a_rest_sender_is_accepted_only_as_a_plain_non_blank_string_of_at_most_128(sender):
    refusal = limits.check_sender(sender)
    plain = (isinstance(sender, str) and sender.strip() != "" and len(sender) <= limits.MAX_SENDER_CHARS
             and limits.CONTROL_CHARS.search(sender) is None and not set(sender) & set("\t\n\r"))
    assert (refusal is None) == plain
    assert refusal is None or (refusal.status == 400 and refusal.error)


@examples(200)
@given(bodies)
@example(b"x" * (limits.MAX_BODY_BYTES + 1))
@example(b"{" * 5000)
def test_read_json_is_the_value_or_a_4xx_never_an_exception(body):
    value, refusal = limits.read_json(body)
    if refusal is not None:
        assert value is None and 400 <= refusal.status < 500 and refusal.error
        return
    assert len(body) <= limits.MAX_BODY_BYTES
    assert json.dumps(value, sort_keys=True) == json.dumps(json.loads(body), sort_keys=True)


# --------------------------------------------------------------------------- REST webhook

class RestRasa:
    """Stands in for Rasa behind the REST channel: answers every message, one in 40 fails."""

    def __init__(self) -> None:
        self.messages = []

    async def __call__(self, message) -> None:
        self.messages.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": f"got {len(message.text)}"})
        if len(self.messages) % 40 == 0:
            raise RuntimeError("Rasa failed")


@pytest.fixture(scope="module")
def rest():
    rasa = RestRasa()
    bp = CoachRestInput().blueprint(rasa)
    route = next(r.handler for r in bp._future_routes if r.uri == "/webhook")
    return route, rasa


rest_like = st.fixed_dictionaries({}, optional={
    "sender": st.one_of(st.text(max_size=140), json_value), "message": st.one_of(any_text, json_value),
    "metadata": st.one_of(st.none(), json_value), "input_channel": st.one_of(st.just("rest"), json_value)})
rest_bodies = st.one_of(bodies, rest_like.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8")))


@examples(200)
@given(rest_bodies)
@example(json.dumps({"sender": "p1", "message": "hi"}).encode())
@example(json.dumps({"sender": None, "message": "hi"}).encode())
@example(json.dumps({"sender": "x", "message": 123}).encode())
@example(json.dumps({"sender": "x", "message": "y" * 210_000}).encode())
@example(b"")
@example(b"[]")
def test_the_rest_webhook_answers_a_reply_or_a_4xx(loop, rest, body):
    route, rasa = rest
    before = len(rasa.messages)
    resp = loop.run_until_complete(route(FakeRequest(body, {}, args={})))
    assert 200 <= resp.status < 300 or 400 <= resp.status < 500, resp.status
    answer = json.loads(resp.body)
    if resp.status >= 400:
        assert isinstance(answer, dict) and isinstance(answer.get("error"), str) and answer["error"]
        assert len(rasa.messages) == before  # nothing refused reaches Rasa
        return
    assert resp.status == 200 and isinstance(answer, list) and answer  # a reply, or the apology
    sent = json.loads(body)
    assert len(rasa.messages) == before + 1
    message = rasa.messages[-1]
    assert message.sender_id == sent["sender"] and message.input_channel == "rest"
    assert limits.CONTROL_CHARS.search(message.text) is None
    assert all(reply["recipient_id"] == sent["sender"] and reply["text"] for reply in answer)
    assert answer[0]["text"] == f"got {len(message.text)}" or answer[-1]["text"] == REST_FAILURE_REPLY
