"""A fake Telegram Bot API server for tests: the real URL scheme and answers, on loopback.

`POST|GET /bot<token>/<method>` with parameters as a query string, JSON,
application/x-www-form-urlencoded or multipart/form-data (files included), as the
real Bot API accepts them. It answers `{"ok": true, "result": ...}` with realistic
objects, or `{"ok": false, "error_code": ..., "description": ...}` as Telegram does
(401 for a wrong token, 400 for a missing chat_id or text, 404 for an unknown
method), and records every call, accepted or not, with its arrival time.

Faults can be scripted from any thread, the way Telegram really fails:

    api.fail("sendMessage", 429, retry_after=3)        # flood control, once
    api.fail("sendMessage", 403, chat_id=42)           # that chat blocked the bot
    api.fail("sendMessage", 500, times=None)           # every call, until clear_faults()
    api.fail("sendMessage", 400, skip=1)               # the second call: chat not found
    api.fail("sendMessage", hang=True)                 # read the request, answer nothing

A hung request is held open until `release()` (or `stop()`, or `hang_seconds`);
then it is answered normally, as a Telegram that was slow but delivered would.

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


# What Telegram says with each status (Bot API answers, as observed).
DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
NOT_ANSWERED = 0   # Call.status of a request that is being held open (a hang)


@dataclass
class Call:
    """One request the fake received, recorded when it arrives (status 0 until answered)."""

    method: str
    params: Dict[str, Any]                      # JSON-typed where the client sent JSON
    files: Dict[str, bytes] = field(default_factory=dict)
    content_types: Dict[str, str] = field(default_factory=dict)
    token_ok: bool = True
    status: int = 200
    request_content_type: str = ""
    at: float = 0.0                             # time.monotonic() when the request arrived
    wall: float = 0.0                           # time.time() when the request arrived
    fault: str = ""                             # the scripted fault it met: "429", "hang", ...
    answered_at: Optional[float] = None         # time.monotonic() when it was answered


@dataclass
class Fault:
    """A scripted failure: the next `times` matching calls (after `skip`) fail this way."""

    method: Optional[str]                       # None = any method
    status: int                                 # HTTP status and error_code (0 with hang)
    description: str
    retry_after: Optional[int] = None           # sent as parameters.retry_after
    times: Optional[int] = 1                    # None = every matching call
    chat_id: Optional[str] = None               # only calls to this chat (compared as text)
    skip: int = 0                               # let this many matching calls through first
    hang: bool = False
    hang_seconds: float = 60.0
    hits: int = 0                               # how many calls it has failed so far
    seen: int = 0                               # matching calls, skipped ones included

    def matches(self, call: "Call") -> bool:
        if self.method is not None and call.method != self.method:
            return False
        if self.chat_id is not None and str(call.params.get("chat_id")) != self.chat_id:
            return False
        return self.times is None or self.hits < self.times

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times


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
        self.faults: List[Fault] = []
        self.webhook: Dict[str, Any] = {}
        self._lock = threading.Lock()
        self._hang_event: Optional[asyncio.Event] = None   # lives in the server's loop
        self._stopping = False
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
        self._hang_event = asyncio.Event()
        app = self.make_app()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._stopping = True
            self._loop.call_soon_threadsafe(self._release_now)  # hung requests end first
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

    def received(self, method: Optional[str] = None, **match: Any) -> List[Call]:
        """Every call that arrived (failed, hung and refused ones too), in arrival order."""
        with self._lock:
            calls = list(self.calls)
        return [c for c in calls if (method is None or c.method == method)
                and all(str(c.params.get(k)) == str(v) for k, v in match.items())]

    # ---------------------------------------------------------------- faults

    def fail(self, method: Optional[str] = "sendMessage", status: Optional[int] = None, *,
             retry_after: Optional[int] = None, times: Optional[int] = 1, chat_id: Any = None,
             skip: int = 0, hang: bool = False, hang_seconds: float = 60.0,
             description: Optional[str] = None) -> Fault:
        """Script a failure of `method` (None = any); safe to call from any thread.

        `status` 429 answers `{"ok": false, "error_code": 429, "description": "Too Many
        Requests: retry after N", "parameters": {"retry_after": N}}` (N = `retry_after`,
        default 1) with HTTP 429; other statuses answer Telegram's description for them
        (403 "Forbidden: bot was blocked by the user", 400 "Bad Request: chat not
        found", 500 "Internal Server Error", ...) unless `description` is given.
        `hang=True` reads the request and answers nothing until `release()`, `stop()`
        or `hang_seconds`, then answers it normally. `times=None` = every matching
        call; `chat_id` limits the fault to that chat; the first `skip` matching calls
        go through untouched. Faults are tried in the order they were added.
        """
        if hang == (status is not None):
            raise ValueError("give either a status or hang=True")
        if status is not None and not 400 <= status <= 599:
            raise ValueError("a fault's status is an HTTP error status (4xx or 5xx)")
        if times is not None and times < 1:
            raise ValueError("times is a positive count, or None for every call")
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            template = DESCRIPTIONS.get(status or 0, "Bad Request" if (status or 0) < 500 else "Internal Server Error")
            description = template.format(retry_after=retry_after)
        fault = Fault(method=method, status=status or NOT_ANSWERED, description=description,
                      retry_after=retry_after, times=times,
                      chat_id=None if chat_id is None else str(chat_id), skip=skip, hang=hang,
                      hang_seconds=hang_seconds)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def release(self) -> None:
        """Answer every request that is being held open by a hang fault."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._release_now)

    def _release_now(self) -> None:  # in the server's loop
        if self._hang_event is not None:
            self._hang_event.set()
        self._hang_event = asyncio.Event()

    def _take_fault(self, call: Call) -> Optional[Fault]:
        with self._lock:
            for fault in self.faults:
                if fault.matches(call):
                    fault.seen += 1
                    if fault.seen <= fault.skip:
                        continue
                    fault.hits += 1
                    return fault
        return None

    async def _hold(self, fault: Fault) -> None:
        event = self._hang_event
        if self._stopping or event is None:
            return
        try:
            await asyncio.wait_for(event.wait(), fault.hang_seconds)
        except asyncio.TimeoutError:
            pass

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
        at, wall = time.monotonic(), time.time()
        call = Call(method=request.match_info["method"], params={})
        recorded = False
        try:
            call = await self._read(request)
            call.at, call.wall, call.status = at, wall, NOT_ANSWERED
            self._record(call)
            recorded = True
            if request.match_info["token"] != self.token:
                call.token_ok = False
                raise BotAPIError(401, "Unauthorized")
            fault = self._take_fault(call)
            if fault is not None and fault.hang:
                call.fault = "hang"
                await self._hold(fault)
            elif fault is not None:
                call.fault = str(fault.status)
                return self._answer(call, fault.status, {
                    "ok": False, "error_code": fault.status, "description": fault.description,
                    **({"parameters": {"retry_after": fault.retry_after}} if fault.retry_after is not None else {})})
            handler = getattr(self, "_m_" + call.method, None)
            if handler is None:
                raise BotAPIError(404, "Not Found")
            result = handler(call)
        except BotAPIError as err:
            return self._answer(call, err.code, {"ok": False, "error_code": err.code,
                                                 "description": err.description}, recorded, at, wall)
        except ValueError:
            return self._answer(call, 400, {"ok": False, "error_code": 400,
                                            "description": "Bad Request: can't parse request body"},
                                recorded, at, wall)
        return self._answer(call, 200, {"ok": True, "result": result})

    def _answer(self, call: Call, status: int, body: Dict[str, Any], recorded: bool = True,
                at: float = 0.0, wall: float = 0.0) -> web.Response:
        if not recorded:  # the body could not be read: recorded now, with its arrival time
            call.at, call.wall = at, wall
            self._record(call)
        call.answered_at = time.monotonic()
        call.status = status
        return web.json_response(body, status=status)

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
