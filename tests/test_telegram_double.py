"""The fake Bot API's own fault modes (tests/doubles/telegram_api.py), over plain HTTP.

Each test gets its own fake on 127.0.0.1, so scripted faults never leak between tests.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.doubles.telegram_api import NOT_ANSWERED, FakeTelegramAPI

TOKEN = "123456789:AAtestTokenForTheDouble_x"


@pytest.fixture
def api():
    fake = FakeTelegramAPI(TOKEN).start()
    yield fake
    fake.stop()


def send(api, chat=42, text="hello", method="sendMessage", timeout=5.0, token=TOKEN):
    return requests.post(f"{api.base_url}/bot{token}/{method}", json={"chat_id": chat, "text": text},
                         timeout=timeout)


def test_429_speaks_telegrams_flood_control_answer_once(api):
    api.fail("sendMessage", 429, retry_after=3)
    first = send(api)
    assert first.status_code == 429
    assert first.json() == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 3",
                            "parameters": {"retry_after": 3}}
    second = send(api)
    assert second.status_code == 200 and second.json()["ok"] is True
    assert [c.status for c in api.received("sendMessage")] == [429, 200]
    assert api.received()[0].fault == "429" and api.received()[1].fault == ""


def test_429_without_retry_after_defaults_to_one_second(api):
    api.fail("sendMessage", 429)
    assert send(api).json()["parameters"] == {"retry_after": 1}


@pytest.mark.parametrize("status, description", [
    (403, "Forbidden: bot was blocked by the user"),
    (500, "Internal Server Error"),
    (400, "Bad Request: chat not found"),
    (502, "Bad Gateway"),
])
def test_error_statuses_carry_telegrams_descriptions(api, status, description):
    api.fail("sendMessage", status)
    resp = send(api)
    assert resp.status_code == status
    assert resp.json() == {"ok": False, "error_code": status, "description": description}
    assert send(api).status_code == 200


def test_a_custom_description(api):
    api.fail("sendMessage", 403, description="Forbidden: user is deactivated")
    assert send(api).json()["description"] == "Forbidden: user is deactivated"


def test_times_skip_and_forever(api):
    twice = api.fail("sendMessage", 500, times=2)
    assert [send(api).status_code for _ in range(3)] == [500, 500, 200]
    assert twice.hits == 2 and twice.exhausted
    api.fail("sendMessage", 400, skip=1)
    assert [send(api).status_code for _ in range(3)] == [200, 400, 200]
    forever = api.fail("sendMessage", 503, times=None)
    assert {send(api).status_code for _ in range(5)} == {503}
    assert forever.hits == 5 and not forever.exhausted
    api.clear_faults()
    assert send(api).status_code == 200 and api.faults == []


def test_a_fault_for_one_chat_hits_only_that_chat(api):
    api.fail("sendMessage", 403, chat_id=77, times=None)
    assert send(api, chat=78).status_code == 200
    assert send(api, chat=77).status_code == 403
    assert send(api, chat="77").status_code == 403        # compared as text, like Telegram's ids
    assert send(api, chat=79).status_code == 200


def test_a_fault_for_one_method_leaves_the_others(api):
    api.fail("sendMessage", 500, times=None)
    assert requests.get(f"{api.base_url}/bot{TOKEN}/getMe", timeout=5).status_code == 200
    assert send(api).status_code == 500
    api.clear_faults()
    api.fail(None, 500)                                    # any method
    assert requests.get(f"{api.base_url}/bot{TOKEN}/getMe", timeout=5).status_code == 500


def test_faults_are_tried_in_order(api):
    api.fail("sendMessage", 429, retry_after=2)
    api.fail("sendMessage", 500)
    assert [send(api).status_code for _ in range(3)] == [429, 500, 200]


def test_a_wrong_token_is_still_401_while_a_fault_waits(api):
    fault = api.fail("sendMessage", 500)
    assert send(api, token="1:wrong").status_code == 401
    assert fault.hits == 0 and send(api).status_code == 500


def test_every_call_is_recorded_with_its_arrival_times(api):
    api.fail("sendMessage", 500)
    before_mono, before_wall = time.monotonic(), time.time()
    send(api, chat=1)
    send(api, chat=2)
    send(api, chat=3, token="1:wrong")
    requests.post(f"{api.base_url}/bot{TOKEN}/sendMessage", data=b"{not json",
                  headers={"Content-Type": "application/json"}, timeout=5)
    calls = api.received()
    assert [c.status for c in calls] == [500, 200, 401, 400]
    assert all(before_mono <= c.at <= c.answered_at <= time.monotonic() for c in calls)
    assert all(before_wall - 1 <= c.wall <= time.time() + 1 for c in calls)
    assert [c.at for c in calls] == sorted(c.at for c in calls)
    assert api.calls_of("sendMessage") == [calls[1]]      # calls_of: accepted calls only, as before


def test_a_hang_reads_the_request_and_answers_nothing_until_released(api):
    api.fail("sendMessage", hang=True)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        send(api, chat=5, text="held", timeout=0.3)
    assert time.monotonic() - started < 3
    (call,) = api.received("sendMessage")
    assert call.params == {"chat_id": 5, "text": "held"}  # the request was read
    assert (call.status, call.fault, call.answered_at) == (NOT_ANSWERED, "hang", None)
    assert api.calls_of("sendMessage") == []
    assert send(api, chat=6).status_code == 200           # the next call is not held
    api.release()                                         # the held one is now answered: it "arrived"
    api.wait_for("sendMessage", chat_id=5, timeout=5)
    assert call.status == 200


def test_a_hang_ends_by_itself_after_hang_seconds(api):
    api.fail("sendMessage", hang=True, hang_seconds=0.2)
    resp = send(api, timeout=5)
    assert resp.status_code == 200 and api.received()[0].fault == "hang"


def test_stop_ends_held_requests_promptly():
    fake = FakeTelegramAPI(TOKEN).start()
    fake.fail("sendMessage", hang=True, times=None)
    client = threading.Thread(target=lambda: _swallow(lambda: send(fake, timeout=30)))
    client.start()
    deadline = time.monotonic() + 5
    while not fake.received() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake.received()
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 3
    client.join(5)
    assert not client.is_alive()


def _swallow(fn):
    try:
        fn()
    except requests.RequestException:
        pass


def test_scripting_and_counting_are_thread_safe(api):
    fault = api.fail("sendMessage", 500, times=10)
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda i: send(api, chat=i).status_code, range(40)))
    assert codes.count(500) == 10 and codes.count(200) == 30 and fault.hits == 10
    assert len(api.received("sendMessage")) == 40

    api.clear_faults()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda chat: api.fail("sendMessage", 403, chat_id=chat), range(100, 140)))
    assert len(api.faults) == 40
    assert all(send(api, chat=c).status_code == 403 for c in range(100, 140))
    assert send(api, chat=100).status_code == 200


@pytest.mark.parametrize("kwargs", [{}, {"status": 500, "hang": True}, {"status": 200}, {"status": 500, "times": 0}])
def test_fail_refuses_what_telegram_cannot_answer(api, kwargs):
    with pytest.raises(ValueError):
        api.fail("sendMessage", **kwargs)
