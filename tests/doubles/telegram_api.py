"""A fake Telegram Bot API server for tests: the real URL scheme and answers, on loopback.

`POST|GET /bot<token>/<method>` with parameters as a query string, JSON,
application/x-www-form-urlencoded or multipart/form-data (files included), as the
real Bot API accepts them. It answers `{"ok": true, "result": ...}` with realistic
objects, or `{"ok": false, "error_code": ..., "description": ...}` as Telegram does
(401 for a wrong token, 400 for a missing chat_id or text, 404 for an unknown
method), and records every call, accepted or not, for assertions.

In a test:      api = FakeTelegramAPI(token).start(); ...; api.stop()
As a process:   python -m tests.doubles.telegram_api --token 123:abc [--port 8081]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from aiohttp import web

SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
KNOWN_UPDATES = {"message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
                 "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
                 "poll", "poll_answer", "my_chat_member", "chat_member", "chat_join_request"}


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: Dict[str, Any]                      # JSON-typed where the client sent JSON
    files: Dict[str, bytes] = field(default_factory=dict)
    content_types: Dict[str, str] = field(default_factory=dict)
    token_ok: bool = True
    status: int = 200
    request_content_type: str = ""


class BotAPIError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def _json_field(value: Any) -> Any:
    """Form fields carry objects as JSON strings (reply_markup, allowed_updates)."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            raise BotAPIError(400, "Bad Request: can't parse JSON object")
    return value


class FakeTelegramAPI:
    def __init__(self, token: str, host: str = "127.0.0.1", port: int = 0,
                 bot_username: str = "coach_test_bot") -> None:
        self.token = token
        self.host, self.port = host, port
        self.bot = {"id": int(token.split(":")[0]) if token.split(":")[0].isdigit() else 1,
                    "is_bot": True, "first_name": "Coach", "username": bot_username}
        self.calls: List[Call] = []
        self.webhook: Dict[str, Any] = {}
        self._lock = threading.Lock()
        self._message_id = 0
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._runner: Optional[web.AppRunner] = None

    # ---------------------------------------------------------------- control

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "FakeTelegramAPI":
        ready = threading.Event()
        errors: List[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:  # noqa: BLE001 - reported to start()
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-telegram-api", daemon=True)
        self._thread.start()
        if not ready.wait(10) or errors:
            raise RuntimeError(f"the fake Bot API did not start: {errors}")
        return self

    async def _serve(self) -> None:
        app = self.make_app()
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = self._thread = None

    def calls_of(self, method: str, **match: Any) -> List[Call]:
        """Accepted calls of `method` whose params equal `match` (chat_id compared as text)."""
        with self._lock:
            calls = list(self.calls)
        return [c for c in calls if c.method == method and c.status == 200
                and all(str(c.params.get(k)) == str(v) for k, v in match.items())]

    def wait_for(self, method: str, predicate: Callable[[Call], bool] = lambda c: True,
                 timeout: float = 10.0, **match: Any) -> Call:
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls_of(method, **match) if predicate(c)]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no {method} {match} within {timeout} s; calls: "
                                     f"{[(c.method, c.status) for c in self.calls]}")
            time.sleep(0.05)

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # ---------------------------------------------------------------- protocol

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", r"/bot{token}/{method}", self._handle)
        return app

    async def _read(self, request: web.Request) -> Call:
        params: Dict[str, Any] = dict(request.query)
        files: Dict[str, bytes] = {}
        types: Dict[str, str] = {}
        ctype = request.content_type
        if request.method == "POST":
            if ctype == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise BotAPIError(400, "Bad Request: parameters must be a JSON object")
                params.update(body)
            elif ctype == "multipart/form-data":
                reader = await request.multipart()
                async for part in reader:
                    if part.filename is not None:
                        files[part.name] = bytes(await part.read())
                        types[part.name] = part.headers.get("Content-Type", "")
                    else:
                        params[part.name] = _json_field(await part.text())
            elif ctype == "application/x-www-form-urlencoded":
                params.update({k: _json_field(v) for k, v in (await request.post()).items()})
        return Call(method=request.match_info["method"], params=params, files=files,
                    content_types=types, request_content_type=ctype)

    async def _handle(self, request: web.Request) -> web.Response:
        call = Call(method=request.match_info["method"], params={})
        try:
            call = await self._read(request)
            if request.match_info["token"] != self.token:
                call.token_ok = False
                raise BotAPIError(401, "Unauthorized")
            handler = getattr(self, "_m_" + call.method, None)
            if handler is None:
                raise BotAPIError(404, "Not Found")
            result = handler(call)
        except BotAPIError as err:
            call.status = err.code
            self._record(call)
            return web.json_response({"ok": False, "error_code": err.code, "description": err.description},
                                     status=err.code)
        except ValueError:
            call.status = 400
            self._record(call)
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: can't parse request body"}, status=400)
        self._record(call)
        return web.json_response({"ok": True, "result": result})

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    # ---------------------------------------------------------------- methods

    @staticmethod
    def _chat_id(call: Call) -> int:
        chat_id = call.params.get("chat_id")
        if chat_id in (None, ""):
            raise BotAPIError(400, "Bad Request: chat_id is empty")
        try:
            return int(chat_id)
        except (TypeError, ValueError):
            raise BotAPIError(400, "Bad Request: chat not found")

    @staticmethod
    def _check_markup(call: Call) -> Optional[Dict[str, Any]]:
        markup = call.params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise BotAPIError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise BotAPIError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                    raise BotAPIError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _message(self, chat_id: int, **content: Any) -> Dict[str, Any]:
        with self._lock:
            self._message_id += 1
            message_id = self._message_id
        message = {"message_id": message_id, "from": self.bot,
                   "chat": {"id": chat_id, "first_name": "Test", "type": "private"},
                   "date": int(time.time())}
        message.update({k: v for k, v in content.items() if v is not None})
        return message

    def _m_getMe(self, call: Call) -> Dict[str, Any]:
        return dict(self.bot, can_join_groups=True, can_read_all_group_messages=False,
                    supports_inline_queries=False)

    def _m_setWebhook(self, call: Call) -> bool:
        url = call.params.get("url")
        if url is None:
            raise BotAPIError(400, "Bad Request: parameter \"url\" is required")
        secret = call.params.get("secret_token")
        if secret is not None and not SECRET_RE.match(str(secret)):
            raise BotAPIError(400, "Bad Request: secret token contains unallowed characters")
        allowed = call.params.get("allowed_updates")
        if allowed is not None and (not isinstance(allowed, list) or set(allowed) - KNOWN_UPDATES):
            raise BotAPIError(400, "Bad Request: can't parse allowed updates")
        if url and not str(url).startswith("https://"):
            raise BotAPIError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": allowed}
        return True

    def _m_deleteWebhook(self, call: Call) -> bool:
        self.webhook = {}
        return True

    def _m_getWebhookInfo(self, call: Call) -> Dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": 0, "allowed_updates": self.webhook.get("allowed_updates")}

    def _m_sendMessage(self, call: Call) -> Dict[str, Any]:
        chat_id = self._chat_id(call)
        text = call.params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BotAPIError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise BotAPIError(400, "Bad Request: message is too long")
        return self._message(chat_id, text=text, reply_markup=self._check_markup(call))

    def _m_sendPhoto(self, call: Call) -> Dict[str, Any]:
        chat_id = self._chat_id(call)
        if "photo" in call.files:
            data = call.files["photo"]
            if not data:
                raise BotAPIError(400, "Bad Request: file must be non-empty")
            if len(data) > 10 * 1024 * 1024:
                raise BotAPIError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
            size = len(data)
        elif isinstance(call.params.get("photo"), str) and call.params["photo"]:
            size = 0
        else:
            raise BotAPIError(400, "Bad Request: there is no photo in the request")
        photo = [{"file_id": f"AgAC{n}{chat_id}", "file_unique_id": f"AQAD{n}", "width": w, "height": h,
                  "file_size": size} for n, (w, h) in enumerate([(90, 60), (320, 213), (800, 533)])]
        return self._message(chat_id, photo=photo, caption=call.params.get("caption"),
                             reply_markup=self._check_markup(call))

    def _m_answerCallbackQuery(self, call: Call) -> bool:
        if not call.params.get("callback_query_id"):
            raise BotAPIError(400, "Bad Request: query_id_invalid")
        return True


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description="A fake Telegram Bot API on loopback.")
    parser.add_argument("--token", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    api = FakeTelegramAPI(args.token, port=args.port).start()
    print(api.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        api.stop()


if __name__ == "__main__":
    main()
