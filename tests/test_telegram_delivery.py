"""bot.nudges.telegram_delivery against the fake Bot API (tests/doubles/telegram_api.py)
on 127.0.0.1, with scripted faults.

No real sleeping: every TelegramDelivery here gets a fake clock whose sleep is recorded
and advances the clock at once. The one real wait is the hang test's 0.3 s client timeout.
"""
from __future__ import annotations

import asyncio
import logging
import random
import socket
import time
import uuid
from typing import List

import pytest

from bot.channels.telegram import CALLBACK_PREFIX, utf16_len
from bot.nudges.telegram_delivery import DeliveryResult, TelegramDelivery
from tests.doubles.telegram_api import FakeTelegramAPI

BOT_TOKEN = f"{random.randint(10**8, 10**9)}:AA{uuid.uuid4().hex}{uuid.uuid4().hex[:9]}"
EPS = 1e-9


class FakeClock:
    """A virtual clock for the delivery: `clock()` reads it, `sleep()` records the request
    and waits in virtual time.

    Discrete-event rules: a sleeper wakes only when every task started through
    `gather` is asleep (none is sending or reading an answer) and its wake-up time is
    the earliest; the clock then jumps to that time. So concurrent sends see the
    order of events they would see in real time, and nothing really sleeps.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: List[float] = []
        self.active = 0                 # tasks running under gather()
        self._waiting: List[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        target = self.now + max(0.0, seconds)
        self._waiting.append(target)
        deadline = time.monotonic() + 20
        try:
            while not (len(self._waiting) >= max(self.active, 1) and target <= min(self._waiting)):
                assert time.monotonic() < deadline, "the fake clock is stuck"
                await asyncio.sleep(0)
            self.now = max(self.now, target)
        finally:
            self._waiting.remove(target)

    async def gather(self, *coros):
        async def run(coro):
            try:
                return await coro
            finally:
                self.active -= 1

        self.active += len(coros)
        return await asyncio.gather(*(run(c) for c in coros))


@pytest.fixture(scope="module")
def api():
    fake = FakeTelegramAPI(BOT_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def no_faults(api):
    api.clear_faults()
    yield
    api.clear_faults()
    api.release()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def delivery(api, clock):
    d = TelegramDelivery(BOT_TOKEN, api.base_url, clock=clock, sleep=clock.sleep)
    yield d
    await d.close()


def new_chat() -> int:
    return random.randint(10**8, 2 * 10**9)


def sends_to(api: FakeTelegramAPI, chat: int):
    return api.received("sendMessage", chat_id=chat)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def max_in_any_second(times: List[float]) -> int:
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + 1.0 - EPS) for t in times)


# ============================================================== answers and failures

async def test_ok_is_sent_with_the_message_id(api, delivery, clock):
    chat = new_chat()
    result = await delivery.send(str(chat), "Time for a 10 minute walk?")
    assert isinstance(result, DeliveryResult)
    assert (result.status, result.parts_sent, result.attempts, result.detail) == ("sent", 1, 1, "")
    assert result.ok and isinstance(result.message_id, int)
    (call,) = sends_to(api, chat)
    assert call.params == {"chat_id": chat, "text": "Time for a 10 minute walk?"} and call.status == 200
    assert clock.sleeps == []


async def test_429_waits_retry_after_then_sends(api, delivery, clock):
    chat = new_chat()
    api.fail("sendMessage", 429, retry_after=3, chat_id=chat)
    result = await delivery.send(str(chat), "Check-in time")
    assert result.status == "sent" and result.attempts == 2 and result.message_id
    assert clock.sleeps == [3]
    first, second = sends_to(api, chat)
    assert (first.status, first.fault, second.status) == (429, "429", 200)


async def test_429_until_attempts_run_out_is_retry_with_retry_after(api, delivery, clock):
    chat = new_chat()
    api.fail("sendMessage", 429, retry_after=5, chat_id=chat, times=None)
    result = await delivery.send(str(chat), "Check-in time")
    assert (result.status, result.retry_after, result.attempts) == ("retry", 5, 4)
    assert clock.sleeps == [5, 5, 5] and len(sends_to(api, chat)) == 4
    assert "429" in result.detail


async def test_429_with_a_long_wait_is_handed_back_not_waited_out(api, clock):
    chat = new_chat()
    api.fail("sendMessage", 429, retry_after=3600, chat_id=chat)
    async with TelegramDelivery(BOT_TOKEN, api.base_url, clock=clock, sleep=clock.sleep,
                                max_retry_after=60) as d:
        result = await d.send(str(chat), "hi")
    assert (result.status, result.retry_after, result.attempts) == ("retry", 3600, 1)
    assert clock.sleeps == [] and len(sends_to(api, chat)) == 1


async def test_429_holds_back_other_sends_to_that_chat(api, delivery, clock):
    chat, other = new_chat(), new_chat()
    api.fail("sendMessage", 429, retry_after=7, chat_id=chat)
    start = clock.now
    first, second, elsewhere = await clock.gather(
        delivery.send(str(chat), "one"), delivery.send(str(chat), "two"), delivery.send(str(other), "x"))
    assert first.ok and second.ok and elsewhere.ok
    assert elsewhere.sent_at - start < 0.1          # another chat is not held up
    assert second.sent_at - start >= 7 - EPS        # the same chat waits out the flood control
    assert second.sent_at - first.sent_at >= 1 - EPS    # and keeps its order and spacing


@pytest.mark.parametrize("description", ["Forbidden: bot was blocked by the user",
                                         "Forbidden: user is deactivated"])
async def test_403_is_blocked_after_exactly_one_call(api, delivery, clock, description):
    chat = new_chat()
    api.fail("sendMessage", 403, chat_id=chat, description=description)
    result = await delivery.send(str(chat), "Walk?")
    assert result.status == "blocked" and result.attempts == 1 and result.message_id is None
    assert description in result.detail and "403" in result.detail
    assert len(sends_to(api, chat)) == 1 and clock.sleeps == []


async def test_500_twice_then_ok_is_sent_after_backoff(api, delivery, clock):
    chat = new_chat()
    api.fail("sendMessage", 500, chat_id=chat, times=2)
    result = await delivery.send(str(chat), "Walk?")
    assert result.status == "sent" and result.attempts == 3 and result.message_id
    assert clock.sleeps == [1, 2]
    assert [c.status for c in sends_to(api, chat)] == [500, 500, 200]


async def test_500_forever_is_retry_after_max_attempts(api, delivery, clock):
    chat = new_chat()
    api.fail("sendMessage", 500, chat_id=chat, times=None)
    result = await delivery.send(str(chat), "Walk?")
    assert (result.status, result.attempts, result.detail) == ("retry", 4, "HTTP 500")
    assert result.retry_after == 8 and clock.sleeps == [1, 2, 4]
    assert len(sends_to(api, chat)) == 4


async def test_max_attempts_is_honoured(api, clock):
    chat = new_chat()
    api.fail("sendMessage", 502, chat_id=chat, times=None)
    async with TelegramDelivery(BOT_TOKEN, api.base_url, clock=clock, sleep=clock.sleep, max_attempts=2,
                                backoff=0.5) as d:
        result = await d.send(str(chat), "Walk?")
    assert (result.status, result.attempts, result.retry_after) == ("retry", 2, 1.0)
    assert clock.sleeps == [0.5, 0.5]      # the back-off, then the rest of the chat's 1 s interval
    assert len(sends_to(api, chat)) == 2


async def test_400_chat_not_found_is_failed_after_one_call(api, delivery, clock):
    chat = new_chat()
    api.fail("sendMessage", 400, chat_id=chat)
    result = await delivery.send(str(chat), "Walk?")
    assert result.status == "failed" and result.attempts == 1
    assert result.detail == "HTTP 400: Bad Request: chat not found"
    assert len(sends_to(api, chat)) == 1 and clock.sleeps == []


async def test_wrong_token_is_failed_and_logged_without_the_token(api, clock, caplog):
    caplog.set_level(logging.DEBUG, logger="bot.nudges.telegram_delivery")
    wrong = "123:wrong" + uuid.uuid4().hex
    async with TelegramDelivery(wrong, api.base_url, clock=clock, sleep=clock.sleep) as d:
        result = await d.send("42", "Walk?")
    assert (result.status, result.attempts) == ("failed", 1) and "401" in result.detail
    assert wrong not in caplog.text and "Walk?" not in caplog.text and "401" in caplog.text


async def test_a_hang_is_unknown_after_exactly_one_call(api, clock):
    chat = new_chat()
    api.fail("sendMessage", hang=True, chat_id=chat, times=None)
    started = time.monotonic()
    async with TelegramDelivery(BOT_TOKEN, api.base_url, timeout=0.3, clock=clock, sleep=clock.sleep) as d:
        result = await d.send(str(chat), "Walk?")
    assert result.status == "unknown" and result.detail == "timeout" and result.attempts == 1
    assert time.monotonic() - started < 5
    assert clock.sleeps == []
    (call,) = sends_to(api, chat)       # and it is never sent a second time
    assert call.fault == "hang"


async def test_connection_refused_is_retried_then_retry_and_nothing_arrives(api, clock):
    api.clear()
    async with TelegramDelivery(BOT_TOKEN, f"http://127.0.0.1:{closed_port()}", clock=clock,
                                sleep=clock.sleep) as d:
        result = await d.send("4242", "Walk?")
    assert result.status == "retry" and result.attempts == 4 and result.retry_after == 8
    assert result.detail == "connection failed: ClientConnectorError"
    assert clock.sleeps == [1, 2, 4]
    assert api.received() == []


async def test_connection_refused_then_back_is_sent(api, clock):
    """A refused connection never carried the request, so trying again is safe."""
    chat = new_chat()
    d = TelegramDelivery(BOT_TOKEN, f"http://127.0.0.1:{closed_port()}", clock=clock)

    async def sleep(seconds: float) -> None:
        await clock.sleep(seconds)
        d.api_base = api.base_url   # the API comes back during the back-off

    d._sleep = sleep
    result = await d.send(str(chat), "Walk?")
    await d.close()
    assert result.status == "sent" and result.attempts == 2 and clock.sleeps == [1]
    assert len(sends_to(api, chat)) == 1


class RawServer:
    """A loopback HTTP server that answers every request with `reply` (None = hang up)."""

    def __init__(self, reply=None) -> None:
        self.reply, self.requests, self.server = reply, [], None

    async def __aenter__(self) -> str:
        async def handle(reader, writer):
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                                   if line.lower().startswith(b"content-length:")), 0)
                    self.requests.append(head + await reader.readexactly(length))
                    if self.reply is None:
                        break
                    writer.write(self.reply)
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            writer.close()

        self.server = await asyncio.start_server(handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        await self.server.wait_closed()


async def test_a_disconnect_after_the_request_left_is_unknown_and_not_repeated(clock):
    raw = RawServer(reply=None)
    async with raw as base:
        async with TelegramDelivery(BOT_TOKEN, base, clock=clock, sleep=clock.sleep) as d:
            result = await d.send("4242", "Walk?")
    assert (result.status, result.attempts, result.detail) == ("unknown", 1, "ServerDisconnectedError")
    assert len(raw.requests) == 1 and b"sendMessage" in raw.requests[0] and clock.sleeps == []


async def test_a_proxys_html_502_is_retried(clock):
    page = b"<html><body>502 Bad Gateway</body></html>"
    raw = RawServer(reply=b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n"
                          b"Content-Length: %d\r\n\r\n%s" % (len(page), page))
    async with raw as base:
        async with TelegramDelivery(BOT_TOKEN, base, clock=clock, sleep=clock.sleep) as d:
            result = await d.send("4242", "Walk?")
    assert (result.status, result.attempts, result.detail) == ("retry", 4, "HTTP 502")
    assert len(raw.requests) == 4 and clock.sleeps == [1, 2, 4]


# ============================================================== parts, buttons, input

async def test_long_text_is_split_and_buttons_go_on_the_last_part(api, delivery):
    chat = new_chat()
    text = "\n\n".join(["word " * 500] * 4)
    long_payload = "/inform" + '{"note": "' + "x" * 80 + '"}'
    result = await delivery.send(str(chat), text, [{"title": "Done", "payload": "/affirm"},
                                                   {"title": "Later", "payload": long_payload}])
    calls = sends_to(api, chat)
    assert result.status == "sent" and result.parts_sent == len(calls) >= 2
    assert all(utf16_len(c.params["text"]) <= 4096 for c in calls)
    assert all("reply_markup" not in c.params for c in calls[:-1])
    keys = [k for row in calls[-1].params["reply_markup"]["inline_keyboard"] for k in row]
    assert keys[0] == {"text": "Done", "callback_data": "/affirm"}
    assert keys[1]["callback_data"].startswith(CALLBACK_PREFIX)
    assert delivery.payloads.decode(keys[1]["callback_data"]) == long_payload
    assert [c.params["chat_id"] for c in calls] == [chat] * len(calls)


async def test_the_last_parts_message_id_is_returned(api, delivery):
    chat = new_chat()
    result = await delivery.send(str(chat), "\n\n".join(["word " * 500] * 3))
    before = result.message_id
    one = await delivery.send(str(chat), "short")
    assert one.message_id == before + 1   # the fake numbers messages in order


async def test_a_part_failing_after_earlier_parts_reports_the_failure(api, delivery):
    chat = new_chat()
    api.fail("sendMessage", 400, chat_id=chat, skip=1, description="Bad Request: message is too long")
    result = await delivery.send(str(chat), "\n\n".join(["word " * 500] * 3))
    assert result.status == "failed" and result.parts_sent == 1 and result.attempts == 2
    assert result.message_id is not None            # the part that did arrive
    assert len(sends_to(api, chat)) == 2            # the third part is not sent


async def test_a_part_hanging_after_earlier_parts_is_unknown(api, clock):
    chat = new_chat()
    api.fail("sendMessage", hang=True, chat_id=chat, skip=1)
    async with TelegramDelivery(BOT_TOKEN, api.base_url, timeout=0.3, clock=clock, sleep=clock.sleep) as d:
        result = await d.send(str(chat), "\n\n".join(["word " * 500] * 3))
    assert (result.status, result.parts_sent, result.attempts) == ("unknown", 1, 2)
    assert len(sends_to(api, chat)) == 2


async def test_a_fault_on_one_chat_leaves_the_others_alone(api, delivery):
    blocked, fine = new_chat(), new_chat()
    api.fail("sendMessage", 403, chat_id=blocked, times=None)
    assert (await delivery.send(str(fine), "hi")).status == "sent"
    assert (await delivery.send(str(blocked), "hi")).status == "blocked"
    assert (await delivery.send(str(fine), "hi again")).status == "sent"


@pytest.mark.parametrize("chat_id, text", [("web-user-1", "hi"), ("", "hi"), ("12 34", "hi"), ("42", "  ")])
async def test_what_cannot_be_sent_fails_without_a_call(api, delivery, chat_id, text):
    api.clear()
    result = await delivery.send(chat_id, text)
    assert result.status == "failed" and result.attempts == 0
    assert api.received() == []


async def test_buttons_alone_get_a_placeholder_text(api, delivery):
    chat = new_chat()
    result = await delivery.send(str(chat), "", [{"title": "Yes", "payload": "/affirm"}])
    assert result.ok and sends_to(api, chat)[0].params["text"] == "…"


def test_built_outside_a_loop_and_repr_hides_the_token(api):
    d = TelegramDelivery(BOT_TOKEN, api.base_url + "/")
    assert BOT_TOKEN not in repr(d) and d.api_base == api.base_url
    assert d.scrub(f"{api.base_url}/bot{BOT_TOKEN}/sendMessage").endswith("/bot<token>/sendMessage")
    asyncio.run(d.close())
    with pytest.raises(ValueError):
        TelegramDelivery(BOT_TOKEN, max_attempts=0)


async def test_one_session_is_reused(api, delivery):
    await delivery.send(str(new_chat()), "a")
    session = delivery._http
    await delivery.send(str(new_chat()), "b")
    assert delivery._http is session and not session.closed
    await delivery.close()
    assert session.closed


async def test_logs_hold_neither_text_nor_token_and_chat_ids_only_at_debug(api, clock, caplog):
    marker = "quokkawalkmarker"
    chats = [new_chat() for _ in range(5)]
    api.fail("sendMessage", 403, chat_id=chats[0])
    api.fail("sendMessage", 500, chat_id=chats[1], times=None)
    api.fail("sendMessage", 400, chat_id=chats[2])
    api.fail("sendMessage", 429, retry_after=2, chat_id=chats[3])
    caplog.set_level(logging.DEBUG, logger="bot.nudges.telegram_delivery")
    async with TelegramDelivery(BOT_TOKEN, api.base_url, clock=clock, sleep=clock.sleep) as d:
        results = [await d.send(str(c), f"{marker} walk now") for c in chats]
    async with TelegramDelivery(BOT_TOKEN, f"http://127.0.0.1:{closed_port()}", clock=clock,
                                sleep=clock.sleep) as d:
        results.append(await d.send(str(chats[4]), f"{marker} walk now"))
    assert [r.status for r in results] == ["blocked", "retry", "failed", "sent", "sent", "retry"]
    assert caplog.records
    for record in caplog.records:
        message = record.getMessage()
        assert marker not in message and BOT_TOKEN not in message and BOT_TOKEN.split(":")[1] not in message
        if record.levelno > logging.DEBUG:
            assert not any(str(c) in message for c in chats), message
    assert any(r.levelno >= logging.WARNING for r in caplog.records)
    for r in results:
        assert marker not in r.detail and BOT_TOKEN not in r.detail


# ============================================================== pacing

async def test_60_chats_are_paced_at_25_per_second(api, delivery, clock):
    chats = [new_chat() for _ in range(60)]
    results = [await delivery.send(str(c), "Walk?") for c in chats]
    assert all(r.ok for r in results)
    assert sum(clock.sleeps) == pytest.approx(59 / 25)      # about 60/25 s in all
    assert max_in_any_second([r.sent_at for r in results]) <= 25
    gaps = [b.sent_at - a.sent_at for a, b in zip(results, results[1:])]
    assert min(gaps) >= 1 / 25 - EPS
    assert sum(len(sends_to(api, c)) for c in chats) == 60


async def test_one_chat_gets_one_message_a_second(api, delivery, clock):
    chat = new_chat()
    results = [await delivery.send(str(chat), f"nudge {i}") for i in range(3)]
    assert all(r.ok for r in results)
    assert clock.sleeps == pytest.approx([1.0, 1.0])
    assert [b.sent_at - a.sent_at for a, b in zip(results, results[1:])] == pytest.approx([1.0, 1.0])


async def test_no_wait_when_the_chat_has_been_quiet(api, delivery, clock):
    chat = new_chat()
    await delivery.send(str(chat), "one")
    clock.now += 5
    await delivery.send(str(chat), "two")
    assert clock.sleeps == []


async def test_concurrent_sends_keep_both_limits(api, delivery, clock):
    chats = [new_chat() for _ in range(20)]
    jobs = [(c, i) for i in range(3) for c in chats]  # 60 sends, 3 to each chat
    results = await clock.gather(*(delivery.send(str(c), f"nudge {i}") for c, i in jobs))
    assert all(r.ok for r in results)
    assert max_in_any_second([r.sent_at for r in results]) <= 25
    times = sorted(r.sent_at for r in results)
    assert min(b - a for a, b in zip(times, times[1:])) >= 1 / 25 - EPS
    for chat in chats:
        mine = sorted(r.sent_at for (c, _), r in zip(jobs, results) if c == chat)
        assert min(b - a for a, b in zip(mine, mine[1:])) >= 1.0 - EPS
        assert len(sends_to(api, chat)) == 3
    # no slower than both limits allow: rounds of 20 at 1/25 s, a round a second
    assert max(times) - min(times) == pytest.approx(2 + 19 / 25)


async def test_a_busy_chat_does_not_hold_up_the_others(api, delivery, clock):
    busy, other = new_chat(), new_chat()
    start = clock.now
    results = await clock.gather(*(delivery.send(str(busy), f"n{i}") for i in range(3)),
                                   delivery.send(str(other), "x"))
    assert [r.sent_at - start for r in results[:3]] == pytest.approx([0.0, 1.0, 2.0])
    assert results[3].sent_at - start == pytest.approx(1 / 25)


async def test_concurrent_sends_with_faults(api, delivery, clock):
    chats = [new_chat() for _ in range(10)]
    api.fail("sendMessage", 500, chat_id=chats[0])
    api.fail("sendMessage", 403, chat_id=chats[1])
    api.fail("sendMessage", 429, retry_after=2, chat_id=chats[2])
    results = await clock.gather(*(delivery.send(str(c), "Walk?") for c in chats))
    assert [r.status for r in results] == ["sent", "blocked", "sent"] + ["sent"] * 7
    assert [r.attempts for r in results[:3]] == [2, 1, 2]
