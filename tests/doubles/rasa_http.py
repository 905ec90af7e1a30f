"""A stand-in for Rasa's HTTP API `trigger_intent`, on loopback, for adapter tests and the nudge benchmark.

`POST /conversations/{id}/trigger_intent?token=...` with `{"name", "entities"}`
answers as Rasa 3.6 does without `output_channel`: `{"tracker": {...}, "messages":
[...]}`, the messages being what `action_nudge` would say (bot.nudges.wording).
401 without the right token, 404 for an intent other than EXTERNAL_nudge, 400
without a name. `fail_next(status, times)` scripts failures; every call is recorded.
"""
from __future__ import annotations

import asyncio
import threading
from typing import Any, Dict, List, Optional

from aiohttp import web

from bot.nudges import wording
from bot.nudges.rasa_client import NUDGE_INTENT
from bot.nudges.records import NudgeMessage


class FakeRasaAPI:
    def __init__(self, token: str, host: str = "127.0.0.1") -> None:
        self.token, self.host, self.port = token, host, 0
        self.calls: List[Dict[str, Any]] = []
        self._failures: List[int] = []
        self._lock = threading.Lock()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def fail_next(self, status: int, times: int = 1) -> None:
        with self._lock:
            self._failures += [status] * times

    async def _trigger(self, request: web.Request) -> web.Response:
        if request.query.get("token") != self.token:
            return web.json_response({"status": "failure", "reason": "NotAuthenticated"}, status=401)
        body = await request.json()
        with self._lock:
            self.calls.append({"sender": request.match_info["sender"], "body": body,
                               "query": dict(request.query)})
            status = self._failures.pop(0) if self._failures else 200
        if status != 200:
            return web.json_response({"status": "failure", "code": status}, status=status)
        if not body.get("name"):
            return web.json_response({"status": "failure", "reason": "BadRequest"}, status=400)
        if body["name"] != NUDGE_INTENT:
            return web.json_response({"status": "failure", "reason": "NotFound"}, status=404)
        message = NudgeMessage.from_entities(body.get("entities") or {})
        sender = request.match_info["sender"]
        messages = [{"recipient_id": sender, "text": wording.render(message)}] if message else []
        return web.json_response({"tracker": {"sender_id": sender}, "messages": messages})

    def start(self) -> "FakeRasaAPI":
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_post("/conversations/{sender}/trigger_intent", self._trigger)
            runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, self.host, 0)
            loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-rasa-api", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Rasa API did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = self._thread = None
