"""bot.rasa_ext.endpoint_sessions: Rasa's endpoint requests over one kept-alive session."""
from __future__ import annotations

import asyncio
import base64
import json

import aiohttp
import pytest
from hypothesis import given, settings, strategies as st
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from sanic.config import DEFAULT_CONFIG

from bot.rasa_ext import endpoint_sessions, fast_json, hot_path  # noqa: F401 - installs the sessions
from bot.scale import free_port_list


class Recorder:
    """A local HTTP server that notes each request's client port, headers and body."""

    def __init__(self, port: int) -> None:
        self.port, self.seen, self.runner = port, [], None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.seen.append({"client_port": request.transport.get_extra_info("peername")[1],
                          "headers": dict(request.headers), "query": dict(request.query), "body": body})
        if body.get("fail"):
            return web.json_response({"error": "refused"}, status=400)
        return web.json_response({"echo": body})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        await self.runner.cleanup()


@pytest.fixture(autouse=True)
def _closed_after():
    yield
    endpoint_sessions.close_all()


def _endpoint(port, **extra):
    return EndpointConfig(url=f"http://127.0.0.1:{port}/webhook", **extra)


def test_requests_share_one_connection_with_the_endpoints_headers_and_auth():
    port = int(free_port_list(1)[0])

    async def scenario():
        server = Recorder(port)
        await server.start()
        endpoint = _endpoint(port, headers={"X-Coach": "1"}, basic_auth={"username": "u", "password": "p"},
                             token="t0k")
        answers = [await endpoint.request(json={"n": i}, method="post", timeout=30) for i in range(3)]
        await server.stop()
        return server.seen, answers

    seen, answers = asyncio.run(scenario())
    assert answers == [{"echo": {"n": i}} for i in range(3)]
    assert len({s["client_port"] for s in seen}) == 1  # one kept-alive connection
    for s in seen:
        assert s["headers"]["X-Coach"] == "1" and s["query"] == {"token": "t0k"}
        assert s["headers"]["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()


def test_an_error_status_is_still_rasas_error_and_the_next_request_works():
    port = int(free_port_list(1)[0])

    async def scenario():
        server = Recorder(port)
        await server.start()
        endpoint = _endpoint(port)
        with pytest.raises(ClientResponseError) as refused:
            await endpoint.request(json={"fail": True}, method="post")
        after = await endpoint.request(json={"n": 1}, method="post")
        await server.stop()
        return refused.value.status, after

    assert asyncio.run(scenario()) == (400, {"echo": {"n": 1}})


def test_a_restarted_server_gets_the_next_request_on_a_new_connection():
    port = int(free_port_list(1)[0])

    async def scenario():
        first = Recorder(port)
        await first.start()
        endpoint = _endpoint(port)
        before = await endpoint.request(json={"n": 1}, method="post")
        await first.stop()
        second = Recorder(port)
        await second.start()
        after = await endpoint.request(json={"n": 2}, method="post")
        await second.stop()
        return before, after, len(first.seen), len(second.seen)

    assert asyncio.run(scenario()) == ({"echo": {"n": 1}}, {"echo": {"n": 2}}, 1, 1)


def test_one_session_per_settings_and_none_shared_outside_a_loop():
    async def sessions():
        a1, a2 = _endpoint(1).session(), _endpoint(2).session()
        b = _endpoint(1, headers={"X-Other": "1"}).session()
        return a1.session, a2.session, b.session

    a1, a2, b = asyncio.run(sessions())
    assert a1 is a2 and a1 is not b
    assert a1.connector._keepalive_timeout == endpoint_sessions.KEEPALIVE_SECONDS
    loop = asyncio.new_event_loop()  # set, not running: Rasa's own session, closed by its caller
    asyncio.set_event_loop(loop)
    try:
        own = _endpoint(1).session()
        assert isinstance(own, aiohttp.ClientSession)
        loop.run_until_complete(own.close())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    endpoint_sessions.close_all()
    assert a1.closed and b.closed


def test_idle_connections_are_dropped_before_the_action_server_drops_them():
    """rasa_sdk serves with Sanic's default keep-alive: the client must let go first."""
    assert endpoint_sessions.KEEPALIVE_SECONDS < DEFAULT_CONFIG["KEEP_ALIVE_TIMEOUT"]


def test_a_process_that_used_a_session_exits_without_warnings(tmp_path):
    import subprocess
    import sys

    from bot.settings import PROJECT_ROOT

    port = int(free_port_list(1)[0])
    code = f"""
import asyncio, warnings
warnings.simplefilter("always")
from aiohttp import web
from bot.rasa_ext import hot_path
from rasa.utils.endpoints import EndpointConfig

async def main():
    app = web.Application()
    app.router.add_post("/webhook", lambda r: web.json_response({{"ok": True}}))
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", {port}).start()
    print(await EndpointConfig(url="http://127.0.0.1:{port}/webhook").request(json={{}}, method="post"))
    await runner.cleanup()

asyncio.run(main())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "{'ok': True}"
    assert "Unclosed" not in done.stderr and "coroutine" not in done.stderr, done.stderr[-2000:]



JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2 ** 80), max_value=2 ** 80)
    | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_the_request_body_decodes_to_what_jsons_own_text_decodes_to(value):
    assert json.loads(fast_json.dumps(value)) == json.loads(json.dumps(value))


def test_non_finite_numbers_are_encoded_as_json_encodes_them_and_a_real_tracker_round_trips():
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    for value in ({"score": float("nan")}, {"inf": float("inf")}):
        assert fast_json.dumps(value) == json.dumps(value)  # JSON's NaN/Infinity, as before
    assert json.loads(fast_json.dumps({"big": 2 ** 70})) == {"big": 2 ** 70}
    with pytest.raises(TypeError):
        fast_json.dumps({"raw": b"bytes"})  # as json.dumps refuses it
    tracker = DialogueStateTracker.from_events("zoe", [
        UserUttered("my calf is worse, about a 6 — café", {"name": "report_symptoms", "confidence": 0.93},
                    [{"entity": "pain_score", "value": 6.0, "start": 22, "end": 23}]),
        SlotSet("pain_score", 6.0), ActionExecuted("action_record_checkin"),
        BotUttered("Noted: 6/10 <https://example.org/a/b>", {"buttons": [{"title": "ok", "payload": "/affirm"}]})])
    state = tracker.current_state(EventVerbosity.ALL)
    assert json.loads(fast_json.dumps(state)) == json.loads(json.dumps(state))


def test_the_shared_session_sends_bodies_encoded_by_fast_json():
    port = int(free_port_list(1)[0])
    calls = []

    async def scenario():
        server = Recorder(port)
        await server.start()
        real = fast_json.dumps
        try:
            endpoint_sessions.close_all()
            fast_json.dumps = lambda value: calls.append(value) or real(value)
            answer = await _endpoint(port).request(json={"text": "a/b é", "n": 1.5}, method="post", timeout=30)
        finally:
            fast_json.dumps = real
            await server.stop()
        return answer

    answer = asyncio.run(scenario())
    assert calls == [{"text": "a/b é", "n": 1.5}]
    assert answer == {"echo": {"text": "a/b é", "n": 1.5}}
