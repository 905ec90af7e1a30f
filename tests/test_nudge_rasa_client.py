"""The Rasa adapter of the nudges (bot.nudges.rasa_client) against a double of trigger_intent."""
from __future__ import annotations

import asyncio
import socket

import pytest

from bot.nudges import wording
from bot.nudges.rasa_client import NUDGE_INTENT, RasaClient
from bot.nudges.records import NudgeMessage
from tests.doubles.rasa_http import FakeRasaAPI

TOKEN = "rasa-token-for-tests"


@pytest.fixture
def rasa():
    fake = FakeRasaAPI(TOKEN).start()
    yield fake
    fake.stop()


def render(base_url: str, token, message: NudgeMessage, sender: str = "42"):
    async def go():
        client = RasaClient(base_url, token, timeout=5)
        try:
            return await client.render(sender, message)
        finally:
            await client.close()
    return asyncio.run(go())


def test_the_nudge_travels_as_entities_and_the_reply_comes_back(rasa):
    message = NudgeMessage("walk", variant=2, walk_minutes=15, offer_pause=True)
    result = render(rasa.base_url, TOKEN, message, sender="id with/slash")
    assert result.status == "ok" and result.text == wording.render(message)
    call = rasa.calls[-1]
    assert call["sender"] == "id with/slash"
    assert call["body"] == {"name": NUDGE_INTENT, "entities": message.to_entities()}
    assert call["query"]["include_events"] == "NONE"  # no tracker history in the answer
    assert NudgeMessage.from_entities(call["body"]["entities"]) == message


def test_entities_round_trip_as_rasa_lists_them():
    message = NudgeMessage("checkin", variant=1, sleep_tip=3)
    as_list = [{"entity": k, "value": v} for k, v in message.to_entities().items()]
    assert NudgeMessage.from_entities(as_list) == message
    assert NudgeMessage.from_entities([{"entity": "nudge_kind", "value": "dance"}]) is None


def test_a_wrong_token_or_a_failing_rasa_is_a_retry(rasa):
    assert render(rasa.base_url, "wrong", NudgeMessage("checkin")).status == "retry"
    rasa.fail_next(500)
    failed = render(rasa.base_url, TOKEN, NudgeMessage("checkin"))
    assert (failed.status, failed.detail) == ("retry", "Rasa answered HTTP 500")
    assert render(rasa.base_url, TOKEN, NudgeMessage("checkin")).status == "ok"


def test_rasa_not_running_is_a_retry():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = render(f"http://127.0.0.1:{port}", TOKEN, NudgeMessage("checkin"))
    assert result.status == "retry" and "unreachable" in result.detail
