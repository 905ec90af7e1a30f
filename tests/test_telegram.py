"""The Telegram connector (bot.channels.telegram) against a fake Bot API server.

Unit tests cover the pure parts (update parsing, text normalisation, keyboards,
callback_data mapping, message splitting) and the output channel over real HTTP
to tests/doubles/telegram_api.py. The end-to-end tests start the real action and
Rasa servers ONCE for this module (CoachServers on free ports, a temp SQLite
database, TELEGRAM_API_BASE pointing at the fake) and drive the webhook the way
Telegram does.
"""
from __future__ import annotations

import itertools
import json
import logging
import random
import subprocess
import time
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

import pytest
import requests
import sqlalchemy as sa

from bot.channels.telegram import (
    CALLBACK_PREFIX, EXPIRED_BUTTON_REPLY, MAX_INPUT_CHARS, SECRET_HEADER, TEXT_ONLY_REPLY,
    CallbackPayloads, TelegramChannel, TelegramOutput, TelegramSettings, build_inline_keyboard,
    decode_data_uri, keyboard_rows, normalize_text, parse_update, split_message, utf16_len,
)
from bot.channels import limits
from bot.serve import TELEGRAM_CHANNEL, CoachServers, coach_env
from bot.settings import PROJECT_ROOT
from tests.coach_servers import nudge_instant, running_coach
from tests.doubles.telegram_api import FakeTelegramAPI

BOT_TOKEN = f"{random.randint(10**8, 10**9)}:AA{uuid.uuid4().hex}{uuid.uuid4().hex[:9]}"
SECRET = "tg-secret_" + uuid.uuid4().hex
WEBHOOK_URL = "https://coach.example.org/webhooks/telegram/webhook"
API_TOKEN = "e2e-" + uuid.uuid4().hex
PNG_1PX = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # a PNG signature and arbitrary bytes

_update_ids = itertools.count(random.randint(10**6, 10**7))
_message_ids = itertools.count(1)


def new_chat() -> int:
    return random.randint(10**8, 2 * 10**9)


def user(chat_id: int) -> Dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Pat", "language_code": "en"}


def text_update(chat_id: int, text: Optional[str], chat_type: str = "private", **extra: Any) -> Dict[str, Any]:
    chat = {"id": chat_id, "type": chat_type}
    chat.update({"first_name": "Pat"} if chat_type == "private" else {"title": "Back club"})
    message = {"message_id": next(_message_ids), "from": user(chat_id), "chat": chat, "date": int(time.time())}
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    message.update(extra)
    return {"update_id": next(_update_ids), "message": message}


def callback_update(chat_id: int, data: str, with_message: bool = True) -> Dict[str, Any]:
    query: Dict[str, Any] = {"id": str(random.randint(10**17, 10**18)), "from": user(chat_id),
                             "chat_instance": "-7234", "data": data}
    if with_message:
        query["message"] = {"message_id": next(_message_ids), "date": int(time.time()), "text": "...",
                            "from": {"id": 1, "is_bot": True, "first_name": "Coach"},
                            "chat": {"id": chat_id, "first_name": "Pat", "type": "private"}}
    return {"update_id": next(_update_ids), "callback_query": query}


def flat_keyboard(call) -> List[Dict[str, str]]:
    return [b for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


@pytest.fixture(scope="module")
def api():
    fake = FakeTelegramAPI(BOT_TOKEN).start()
    yield fake
    fake.stop()


def settings_for(api: FakeTelegramAPI, **over: Any) -> TelegramSettings:
    values = dict(token=BOT_TOKEN, secret=SECRET, webhook_url=WEBHOOK_URL, api_base=api.base_url)
    values.update(over)
    return TelegramSettings(**values)


# ============================================================== pure parts

def test_text_update_is_parsed_with_chat_id_and_metadata():
    got = parse_update(text_update(4242, "my back hurts"))
    assert (got.kind, got.chat_id, got.text) == ("text", 4242, "my back hurts")
    assert got.metadata["telegram"]["chat_type"] == "private"
    assert "text" not in json.dumps(got.metadata)  # the text is the message, not metadata


def test_updates_the_coach_does_not_handle():
    edited = {"update_id": 1, "edited_message": text_update(1, "x")["message"]}
    assert parse_update(edited) is None
    assert parse_update(text_update(-100123, "hi all", chat_type="group")) is None
    assert parse_update(text_update(-100123, "hi", chat_type="supergroup")) is None
    assert parse_update({"update_id": 2, "poll": {"id": "1"}}) is None
    sticker = parse_update(text_update(7, None, sticker={"file_id": "x", "emoji": "👍"}))
    assert sticker.kind == "unsupported" and sticker.chat_id == 7
    captioned = parse_update(text_update(7, None, photo=[{"file_id": "p"}], caption="my posture"))
    assert (captioned.kind, captioned.text) == ("text", "my posture")


def test_callback_query_is_parsed_with_or_without_its_message():
    got = parse_update(callback_update(99, "/affirm"))
    assert (got.kind, got.chat_id, got.text) == ("button", 99, "/affirm") and got.callback_query_id
    old = parse_update(callback_update(98, "/deny", with_message=False))
    assert (old.kind, old.chat_id, old.text) == ("button", 98, "/deny")


@pytest.mark.parametrize("typed, seen", [
    ("/start", "/start"), ("/start ref-42", "/start"), ("/start@coach_bot", "/start"), ("  /START  ", "/start"),
    ("/help", "help"), ("/help@coach_bot", "help"), ("/delete_my_data", "delete my data"),
    ("/checkin now", "checkin now"), ("/restart", "restart"),
    ('/inform{"pain_score": "9"}', 'inform{"pain_score": "9"}'), ("/affirm", "affirm"),
    ("/", None), ("   ", None), ("hello", "hello"), ("  walked 20 min ", "walked 20 min"),
])
def test_typed_commands_never_reach_rasa_as_raw_intents(typed, seen):
    assert normalize_text(typed) == seen


def test_long_input_is_capped():
    assert len(normalize_text("x" * 9000)) == MAX_INPUT_CHARS


def test_split_message_respects_telegram_limit_and_prefers_paragraphs():
    assert split_message("short") == ["short"]
    text = "\n\n".join(f"Paragraph {i} " + "word " * 300 for i in range(6))
    parts = split_message(text)
    assert len(parts) > 1 and all(utf16_len(p) <= 4096 for p in parts)
    assert all(p.startswith("Paragraph") for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    emoji = "💪" * 5000  # 2 UTF-16 units each
    parts = split_message(emoji)
    assert all(utf16_len(p) <= 4096 for p in parts) and "".join(parts) == emoji
    assert all(utf16_len(p) <= 10 for p in split_message("a" * 95, limit=10))


def test_keyboard_layout():
    assert keyboard_rows([str(i) for i in range(11)]) == [6, 5]
    assert keyboard_rows(["Better", "Same", "Worse"]) == [3]
    assert keyboard_rows(["Yes, let's start", "Not now"]) == [2]
    assert keyboard_rows(["A long first choice here", "Another long choice", "Third long one"]) == [1, 1, 1]
    assert keyboard_rows([]) == []


def test_inline_keyboard_from_rasa_buttons():
    payloads = CallbackPayloads()
    buttons = [{"title": str(i), "payload": f'/inform{{"pain_score": "{i}"}}'} for i in range(11)]
    markup = build_inline_keyboard(buttons, payloads)
    assert [len(r) for r in markup["inline_keyboard"]] == [6, 5]
    assert markup["inline_keyboard"][1][0] == {"text": "6", "callback_data": '/inform{"pain_score": "6"}'}
    link = build_inline_keyboard([{"title": "NHS page", "url": "https://www.nhs.uk/"}], payloads)
    assert link["inline_keyboard"] == [[{"text": "NHS page", "url": "https://www.nhs.uk/"}]]


def test_long_payloads_travel_as_short_ids_and_come_back():
    payloads = CallbackPayloads()
    long_payload = '/report_activity{"activity": "walking", "duration": "25", "note": "' + "é" * 40 + '"}'
    data = payloads.encode(long_payload)
    assert data.startswith(CALLBACK_PREFIX) and len(data.encode()) <= 64
    assert payloads.decode(data) == long_payload
    assert payloads.encode("/affirm") == "/affirm" and payloads.decode("/affirm") == "/affirm"
    exactly_64 = "/" + "a" * 63
    assert payloads.encode(exactly_64) == exactly_64
    assert payloads.encode("/" + "é" * 32).startswith(CALLBACK_PREFIX)  # 65 bytes in UTF-8
    assert CallbackPayloads().decode(data) is None  # unknown id (another process, evicted)
    tricky = CALLBACK_PREFIX + "looks-like-an-id"
    assert payloads.decode(payloads.encode(tricky)) == tricky


def test_data_uri_decoding():
    import base64

    assert decode_data_uri("data:image/png;base64," + base64.b64encode(PNG_1PX).decode()) == ("image/png", PNG_1PX)
    assert decode_data_uri("data:image/png;base64,@@not base64@@") is None
    assert decode_data_uri("data:text/html;base64,PGI+") is None
    assert decode_data_uri("https://example.org/chart.png") is None


def test_settings_come_from_the_environment_and_a_missing_secret_is_generated():
    env = {"TELEGRAM_TOKEN": BOT_TOKEN}
    one, two = TelegramSettings.from_env(env), TelegramSettings.from_env(env)
    assert one.secret_generated and len(one.secret) >= 32 and one.secret != two.secret
    assert one.api_base == "https://api.telegram.org" and one.webhook_url is None
    full = TelegramSettings.from_env({**env, "TELEGRAM_SECRET": SECRET, "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
                                      "TELEGRAM_API_BASE": "http://127.0.0.1:9"})
    assert (full.secret, full.webhook_url, full.api_base, full.secret_generated) == (
        SECRET, WEBHOOK_URL, "http://127.0.0.1:9", False)
    from rasa.shared.exceptions import RasaException

    for bad in ({}, {"TELEGRAM_TOKEN": "not a token"}, {**env, "TELEGRAM_SECRET": "has spaces!"}):
        with pytest.raises(RasaException) as err:
            TelegramSettings.from_env(bad)
        assert BOT_TOKEN not in str(err.value)


def test_credentials_file_adds_telegram_only_with_a_token(monkeypatch):
    import yaml

    monkeypatch.delenv("TELEGRAM_TOKEN", raising=False)
    plain = CoachServers(coach_env()).commands()["rasa"]
    assert plain[plain.index("--credentials") + 1] == "credentials.yml"
    with_tg = CoachServers(coach_env({"TELEGRAM_TOKEN": BOT_TOKEN, "TELEGRAM_SECRET": SECRET})).commands()["rasa"]
    path = with_tg[with_tg.index("--credentials") + 1]
    assert "/.run/" in path
    text = open(path).read()
    channels = yaml.safe_load(text)
    assert TELEGRAM_CHANNEL in channels and {"bot.channels.rest.CoachRestInput", "bot.channels.socketio.CoachSocketIOInput"} <= set(channels)
    assert BOT_TOKEN not in text and SECRET not in text


# ============================================================== output channel over HTTP

@pytest.fixture
async def output(api):
    out = TelegramOutput(BOT_TOKEN, api.base_url)
    yield out
    await out.close()


async def test_send_text_and_split_long_text(api, output):
    chat = new_chat()
    await output.send_text_message(str(chat), "Hello!\n\nSecond paragraph stays in the same message.")
    assert [c.params["text"] for c in api.calls_of("sendMessage", chat_id=chat)] == [
        "Hello!\n\nSecond paragraph stays in the same message."]
    await output.send_text_message(str(chat), "\n\n".join(["word " * 500] * 4))
    sent = api.calls_of("sendMessage", chat_id=chat)[1:]
    assert len(sent) >= 2 and all(utf16_len(c.params["text"]) <= 4096 for c in sent)


async def test_buttons_become_an_inline_keyboard_the_api_accepts(api, output):
    chat = new_chat()
    long_payload = "/inform" + json.dumps({"pain_score": "4", "note": "x" * 80})
    await output.send_text_with_buttons(str(chat), "Pick one", [
        {"title": "Yes", "payload": "/affirm"}, {"title": "Long", "payload": long_payload}])
    call = api.wait_for("sendMessage", chat_id=chat)
    keys = flat_keyboard(call)
    assert keys[0] == {"text": "Yes", "callback_data": "/affirm"}
    assert keys[1]["callback_data"].startswith(CALLBACK_PREFIX)
    assert output.payloads.decode(keys[1]["callback_data"]) == long_payload


async def test_data_uri_image_is_uploaded_as_multipart_photo(api, output):
    import base64

    chat = new_chat()
    await output.send_image_url(str(chat), "data:image/png;base64," + base64.b64encode(PNG_1PX).decode())
    call = api.wait_for("sendPhoto", chat_id=chat)
    assert call.request_content_type == "multipart/form-data"
    assert call.files["photo"] == PNG_1PX and call.content_types["photo"] == "image/png"
    await output.send_image_url(str(chat), "https://example.org/chart.png")
    urls = [c.params.get("photo") for c in api.calls_of("sendPhoto", chat_id=chat)]
    assert urls[-1] == "https://example.org/chart.png"


async def test_a_progress_chart_link_is_uploaded_from_the_store_as_a_photo(api, sqlite_url, caplog):
    from bot import chart_links
    from bot.store import open_store

    store = open_store(sqlite_url)
    token = store.save_chart("someone", PNG_1PX, datetime(2026, 11, 30, 9, 0))
    output = TelegramOutput(BOT_TOKEN, api.base_url, charts=store.chart_png)
    chat = new_chat()
    await output.send_image_url(str(chat), chart_links.chart_url(token))
    call = api.wait_for("sendPhoto", chat_id=chat)
    assert call.files["photo"] == PNG_1PX and call.content_types["photo"] == "image/png"
    with caplog.at_level(logging.WARNING, logger="bot.channels.telegram"):
        await output.send_image_url(str(chat), chart_links.chart_url("y" * 24))  # not kept (any more)
    assert len(api.calls_of("sendPhoto", chat_id=chat)) == 1
    assert "no longer kept" in caplog.text and api.calls_of("sendMessage", chat_id=chat) == []
    await output.close()
    store.engine.dispose()


async def test_api_errors_are_logged_without_text_or_token(api, caplog):
    caplog.set_level(logging.DEBUG, logger="bot.channels.telegram")
    wrong = TelegramOutput("123:wrongtoken", api.base_url)
    await wrong.send_text_message("5", "secretmarkertext")
    await wrong.close()
    right = TelegramOutput(BOT_TOKEN, api.base_url)
    await right.call("sendMessage", {"chat_id": 5})  # no text: 400 from the API
    await right.send_text_message("web-user-abc", "secretmarkertext")  # not a Telegram chat: not sent
    await right.close()
    log = caplog.text
    assert "401" in log and "Unauthorized" in log and "400" in log
    assert "secretmarkertext" not in log and "wrongtoken" not in log and BOT_TOKEN not in log


async def test_unreachable_bot_api_is_a_warning_not_a_crash(caplog):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    channel = TelegramChannel(TelegramSettings(BOT_TOKEN, SECRET, WEBHOOK_URL, f"http://127.0.0.1:{port}"))
    caplog.set_level(logging.INFO, logger="bot.channels.telegram")
    assert await channel.register_webhook() is False
    await channel.output.close()
    assert "Could not register the Telegram webhook" in caplog.text and BOT_TOKEN not in caplog.text


# ============================================================== webhook handling without Rasa

@pytest.fixture
async def channel(api):
    ch = TelegramChannel(settings_for(api))
    yield ch
    await ch.output.close()


class Collector:
    def __init__(self) -> None:
        self.messages = []

    async def __call__(self, message) -> None:
        self.messages.append(message)


def body(resp) -> Dict[str, Any]:
    return json.loads(resp.body)


async def test_handle_update_builds_the_user_message(channel):
    seen, chat = Collector(), new_chat()
    resp = await channel.handle_update(text_update(chat, "/start ref"), seen)
    assert resp.status == 200
    msg = seen.messages[0]
    assert (msg.text, msg.sender_id, msg.input_channel) == ("/start", str(chat), "telegram")
    assert msg.output_channel is channel.get_output_channel()
    assert msg.metadata["telegram"]["update_id"]


async def test_handle_update_rejects_what_is_not_an_update(channel):
    seen = Collector()
    for bad in ([], "text", 3, {"message": {}}, {"update_id": "1"}):
        resp = await channel.handle_update(bad, seen)
        assert resp.status == 400 and body(resp)["error"]
    assert seen.messages == []


async def test_duplicates_and_ignored_updates(channel, api):
    seen, chat = Collector(), new_chat()
    update = text_update(chat, "hello")
    await channel.handle_update(update, seen)
    again = await channel.handle_update(update, seen)
    assert again.status == 200 and len(seen.messages) == 1
    group = await channel.handle_update(text_update(-1001, "hi", chat_type="group"), seen)
    assert group.status == 200 and body(group)["ignored"] and len(seen.messages) == 1
    sticker = await channel.handle_update(text_update(chat, None, sticker={"file_id": "s"}), seen)
    assert sticker.status == 200 and len(seen.messages) == 1
    assert api.wait_for("sendMessage", chat_id=chat).params["text"] == TEXT_ONLY_REPLY


async def test_button_press_is_answered_then_processed(channel, api):
    seen, chat = Collector(), new_chat()
    long_payload = "/inform" + json.dumps({"pain_score": "2", "note": "y" * 80})
    data = channel.output.payloads.encode(long_payload)
    update = callback_update(chat, data)
    await channel.handle_update(update, seen)
    api.wait_for("answerCallbackQuery", callback_query_id=update["callback_query"]["id"])
    assert seen.messages[0].text == long_payload and seen.messages[0].sender_id == str(chat)
    expired = callback_update(chat, CALLBACK_PREFIX + "unknownid")
    await channel.handle_update(expired, seen)
    assert len(seen.messages) == 1
    api.wait_for("answerCallbackQuery", callback_query_id=expired["callback_query"]["id"])
    assert api.wait_for("sendMessage", chat_id=chat).params["text"] == EXPIRED_BUTTON_REPLY


async def test_failure_in_rasa_still_answers_200_and_apologises(channel, api, caplog):
    chat = new_chat()

    async def broken(_message):
        raise RuntimeError("boom with secretmarkertext")

    resp = await channel.handle_update(text_update(chat, "secretmarkertext"), broken)
    assert resp.status == 200
    assert api.wait_for("sendMessage", chat_id=chat).params["text"].startswith("Sorry")
    assert "secretmarkertext" not in caplog.text


def test_domain_button_payloads_are_learned_for_restarts(api):
    ch = TelegramChannel(settings_for(api))
    long_payload = '/inform{{"pain_score": "3", "note": "' + "z" * 70 + '"}}'
    rendered = '/inform{"pain_score": "3", "note": "' + "z" * 70 + '"}'
    domain = SimpleNamespace(responses={"utter_x": [{"text": "t", "buttons": [{"title": "3", "payload": long_payload}]}]})
    ch._learn_domain_payloads(SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(domain=domain))))
    assert ch.output.payloads.decode(CallbackPayloads.short_id(rendered)) == rendered


# ============================================================== end to end: real Rasa + action servers

@pytest.fixture(scope="module")
def coach(api, tmp_path_factory):
    with running_coach(tmp_path_factory.mktemp("telegram-e2e"), RASA_AUTH_TOKEN=API_TOKEN,
                       TELEGRAM_TOKEN=BOT_TOKEN, TELEGRAM_SECRET=SECRET,
                       TELEGRAM_WEBHOOK_URL=WEBHOOK_URL, TELEGRAM_API_BASE=api.base_url) as servers:
        servers.telegram_url = f"{servers.rasa_url}/webhooks/telegram/webhook"
        yield servers


def post(coach, update: Any = None, secret: Optional[str] = SECRET, raw: Optional[str] = None):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    data = raw if raw is not None else json.dumps(update)
    return requests.post(coach.telegram_url, data=data.encode("utf-8"), headers=headers, timeout=90)


def events_of(coach, sender: str, type_name: Optional[str] = None) -> List[Any]:
    sql = "SELECT type_name, intent_name, data FROM events WHERE sender_id = :s"
    if type_name:
        sql += " AND type_name = :t"
    with coach.db.connect() as conn:
        return conn.execute(sa.text(sql + " ORDER BY id"), {"s": sender, "t": type_name}).all()


@pytest.mark.e2e
def test_webhook_registered_at_start_up(coach, api):
    call = api.wait_for("setWebhook")
    assert call.params["url"] == WEBHOOK_URL
    assert call.params["secret_token"] == SECRET
    assert sorted(call.params["allowed_updates"]) == ["callback_query", "message"]
    assert api.calls_of("getMe") == []  # and no getMe round trip, at start or per update


@pytest.mark.e2e
def test_text_message_gets_the_coachs_reply(coach, api):
    chat = new_chat()
    resp = post(coach, text_update(chat, "hi there"))
    assert resp.status_code == 200
    reply = api.wait_for("sendMessage", chat_id=chat)
    assert "coach" in reply.params["text"].lower() or "check in" in reply.params["text"].lower()
    assert events_of(coach, str(chat), "user")
    assert api.calls_of("getMe") == []


@pytest.mark.e2e
@pytest.mark.parametrize("secret", [None, "", "wrong-" + uuid.uuid4().hex, SECRET[:-1], SECRET + "x"])
def test_updates_without_the_secret_are_refused_and_leave_no_trace(coach, api, secret):
    chat = new_chat()
    resp = post(coach, text_update(chat, "I walked 30 minutes"), secret=secret)
    assert resp.status_code == 403 and resp.json()["error"]
    resp = post(coach, raw="not json at all", secret=secret)
    assert resp.status_code == 403  # refused before the body is parsed
    time.sleep(0.5)
    assert api.calls_of("sendMessage", chat_id=chat) == []
    assert events_of(coach, str(chat)) == []


@pytest.mark.e2e
@pytest.mark.parametrize("raw", ["not json", "{\"update_id\": 1,", "[]", "\"hello\"", "42", "{}"])
def test_malformed_bodies_get_a_clear_400(coach, raw):
    resp = post(coach, raw=raw)
    assert resp.status_code == 400 and resp.json()["error"]


@pytest.mark.e2e
def test_ignored_updates_answer_200_and_store_nothing(coach, api):
    chat = new_chat()
    edited = {"update_id": next(_update_ids), "edited_message": text_update(chat, "edited")["message"]}
    assert post(coach, edited).status_code == 200
    assert post(coach, text_update(-1000000000000 - chat, "hello group", chat_type="supergroup")).status_code == 200
    assert post(coach, text_update(chat, None, sticker={"file_id": "CAAC", "emoji": "👍"})).status_code == 200
    assert api.wait_for("sendMessage", chat_id=chat).params["text"] == TEXT_ONLY_REPLY
    assert events_of(coach, str(chat)) == []
    assert events_of(coach, str(-1000000000000 - chat)) == []


@pytest.mark.e2e
def test_start_onboarding_then_consent_then_the_checkin_by_buttons(coach, api):
    chat = new_chat()
    assert post(coach, text_update(chat, "/start")).status_code == 200
    onboarding = api.wait_for("sendMessage", chat_id=chat)
    assert "not a doctor" in onboarding.params["text"].lower()
    keys = flat_keyboard(onboarding)
    assert [k["callback_data"] for k in keys] == ["/affirm", "/deny"]

    press = callback_update(chat, keys[0]["callback_data"])
    assert post(coach, press).status_code == 200
    api.wait_for("answerCallbackQuery", callback_query_id=press["callback_query"]["id"])
    question = api.wait_for("sendMessage", lambda c: "0 (no pain)" in c.params["text"], chat_id=chat)
    rows = question.params["reply_markup"]["inline_keyboard"]
    assert [len(r) for r in rows] == [6, 5]
    assert [k["text"] for r in rows for k in r] == [str(i) for i in range(11)]

    six = next(k for r in rows for k in r if k["text"] == "6")
    assert post(coach, callback_update(chat, six["callback_data"])).status_code == 200
    api.wait_for("sendMessage", lambda c: "where do you feel" in c.params["text"].lower(), chat_id=chat)
    users = events_of(coach, str(chat), "user")
    assert [u.intent_name for u in users] == ["start", "affirm", "inform"]


@pytest.mark.e2e
def test_typed_help_is_text_not_an_intent(coach, api):
    chat = new_chat()
    assert post(coach, text_update(chat, "/help")).status_code == 200
    assert api.wait_for("sendMessage", chat_id=chat).params["text"]
    (event,) = events_of(coach, str(chat), "user")
    assert json.loads(event.data)["text"] == "help" and event.intent_name != "help"


@pytest.mark.e2e
def test_a_too_long_message_is_refused_with_the_limit_and_reaches_no_model(coach, api):
    chat = new_chat()
    assert post(coach, text_update(chat, "my back hurts " * 500)).status_code == 200
    assert api.wait_for("sendMessage", chat_id=chat).params["text"] == limits.TOO_LONG_REPLY
    assert events_of(coach, str(chat)) == []


@pytest.mark.e2e
def test_trigger_intent_sends_through_telegram(coach, api):
    chat = new_chat()
    post(coach, text_update(chat, "hello"))
    before = len(api.calls_of("sendMessage", chat_id=chat))
    resp = requests.post(f"{coach.rasa_url}/conversations/{chat}/trigger_intent",
                         params={"output_channel": "telegram", "token": API_TOKEN},
                         json={"name": "greet"}, timeout=60)
    assert resp.status_code == 200, resp.text
    assert "messages" not in resp.json()  # not the collecting channel: sent to Telegram instead
    sent = api.calls_of("sendMessage", chat_id=chat)
    assert len(sent) > before and sent[-1].params["text"]


@pytest.mark.e2e
def test_progress_chart_arrives_as_a_photo(coach, api):
    chat = new_chat()
    post(coach, text_update(chat, "my calf is worse, about a 6"))
    assert post(coach, text_update(chat, "show my progress")).status_code == 200
    photo = api.wait_for("sendPhoto", chat_id=chat, timeout=20)
    assert photo.request_content_type == "multipart/form-data"
    assert photo.files["photo"][:4] == b"\x89PNG"


@pytest.mark.e2e
def test_no_token_secret_or_message_text_in_logs(coach, api):
    chat = new_chat()
    marker = "quokkacalfmarker"
    post(coach, text_update(chat, f"my {marker} calf hurts, a 4"))
    api.wait_for("sendMessage", chat_id=chat)
    logs = list(coach.logs.glob("*.log"))
    assert logs
    for log in logs:
        text = log.read_text(errors="replace")
        assert BOT_TOKEN not in text and BOT_TOKEN.split(":")[1] not in text, log.name
        assert SECRET not in text and marker not in text, log.name


# ============================================================== end to end: nudges (issue 10)

def _clock_words(local: datetime) -> str:
    hour = local.hour % 12 or 12
    return f"{hour}{'am' if local.hour < 12 else 'pm'}"


def _say(coach, api, chat: int, text: str) -> str:
    """Send one message through the webhook; the coach's reply texts, joined."""
    before = len(api.calls_of("sendMessage", chat_id=chat))
    assert post(coach, text_update(chat, text)).status_code == 200
    deadline = time.monotonic() + 60
    while len(api.calls_of("sendMessage", chat_id=chat)) == before:
        assert time.monotonic() < deadline, f"no reply to {text!r}"
        time.sleep(0.1)
    time.sleep(0.3)  # a reply may come in several messages
    return "\n".join(c.params["text"] for c in api.calls_of("sendMessage", chat_id=chat)[before:])


def _nudge_once(coach, now: datetime) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "nudge-once", f"NOW={now.isoformat()}Z"],
                          cwd=PROJECT_ROOT, env=coach.env, capture_output=True, text=True, timeout=300)


def _outbox(coach, chat: int) -> List[tuple]:
    with coach.db.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT n.kind, n.status, n.message_kind FROM coach_nudges n JOIN coach_users u "
            "ON u.id = n.user_id WHERE u.sender_id = :s ORDER BY n.id"), {"s": str(chat)})]


@pytest.mark.e2e
def test_reminders_set_through_the_webhook_reach_exactly_the_people_due_once(coach, api):
    # The instant: an hour between 08:00 and 11:00 UTC safely after this conversation (the
    # servers read the real clock; tests/coach_servers.py), 17:00-20:00 in Tokyo and
    # 08:00-12:00 in London; New York's 22:30 is hours past then, and in its quiet hours.
    now = nudge_instant(datetime.utcnow())
    tokyo_time = now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Asia/Tokyo"))
    london = now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/London"))
    tokyo, new_york, ldn, nobody = new_chat(), new_chat(), new_chat(), new_chat()

    reply = _say(coach, api, tokyo, f"remind me to check in at {_clock_words(tokyo_time)}")
    assert f"{tokyo_time:%H}:00" in reply and "city or time zone" in reply
    reply = _say(coach, api, tokyo, "I live in Tokyo")
    assert "Asia/Tokyo" in reply and f"check-in at {tokyo_time:%H}:00" in reply

    reply = _say(coach, api, ldn, f"remind me to go for a walk at {_clock_words(london)} every day, I'm in London")
    assert f"{london:%H:%M} London time" in reply

    reply = _say(coach, api, new_york, "a sleep reminder at 10:30pm")
    assert "22:30" in reply
    _say(coach, api, new_york, "New York")
    _say(coach, api, nobody, "hi")

    api.clear()
    first = _nudge_once(coach, now)
    assert first.returncode == 0, first.stderr[-2000:]
    sends = api.received("sendMessage")
    assert sorted(int(c.params["chat_id"]) for c in sends) == sorted([tokyo, ldn])
    assert _outbox(coach, tokyo) == [("checkin", "sent", "checkin")]
    assert _outbox(coach, ldn) == [("walk", "sent", "walk")]
    assert [row for row in _outbox(coach, new_york) if row[1] == "sent"] == []
    assert _outbox(coach, nobody) == []

    second = _nudge_once(coach, now + timedelta(seconds=20))
    assert second.returncode == 0, second.stderr[-2000:]
    assert len(api.received("sendMessage")) == 2

    # The answer continues the dialogue: "yes" to the check-in nudge starts the check-in...
    reply = _say(coach, api, tokyo, "yes")
    assert "how strong is your pain" in reply
    # ...and "done, walked 30 min" after the walking nudge is logged.
    _say(coach, api, ldn, "done, walked 30 min")
    with coach.db.connect() as conn:
        walked = conn.execute(sa.text(
            "SELECT a.kind, a.minutes FROM coach_activities a JOIN coach_users u ON u.id = a.user_id "
            "WHERE u.sender_id = :s"), {"s": str(ldn)}).all()
    assert [tuple(r) for r in walked] == [("walking", 30.0)]


@pytest.mark.e2e
def test_nudge_once_refuses_a_malformed_instant(coach):
    result = subprocess.run(["make", "--no-print-directory", "nudge-once", "NOW=tomorrow-ish"],
                            cwd=PROJECT_ROOT, env=coach.env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "ISO 8601" in result.stderr
