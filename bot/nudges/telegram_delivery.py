"""Sends one nudge's text to one Telegram chat over the Bot API, paced, with Telegram's
failures mapped to what the dispatcher must do next.

    delivery = TelegramDelivery(token, api_base)
    result = await delivery.send(chat_id, text, buttons)   # -> DeliveryResult
    await delivery.close()

`DeliveryResult.status`:

- "sent":    Telegram accepted every part (`message_id` = the last part's).
- "blocked": 403 (the person blocked the bot, deleted their account, kicked it):
             stop sending until they write again. Never retried.
- "failed":  another 4xx (chat not found, bad request, wrong token): sending again
             cannot help. Never retried.
- "retry":   the request surely did not get through (5xx, connection refused or never
             made, 429) and the attempts ran out: it may be tried again after
             `retry_after` seconds.
- "unknown": the request left and no answer came (a timeout or a dropped connection
             after connecting). Telegram has no idempotency key, so the message may
             have arrived: it must not be sent again.

Pacing: at most `overall_per_second` sendMessage requests per second over all chats
(consecutive requests at least 1/overall_per_second apart) and at least
`per_chat_interval` seconds between two requests to one chat (Telegram allows about
30/s overall and 1/s per chat, PITFALLS 14). Each request reserves its instant in a
shared schedule; the reservation has no `await` inside, so on the event loop it is
atomic (what an asyncio.Lock would give) and no task holds anything while it sleeps:
many tasks can call `send` at once, and a chat that must wait does not hold up the
others. Time comes from the injected `clock` and `sleep`, so tests run on a fake clock.

Privacy: the text is never logged, the token never at all (it is in every Bot API URL,
so whatever is logged is scrubbed), chat ids only at DEBUG. One instance serves one
event loop at a time.
"""
from __future__ import annotations

import asyncio
import bisect
import json
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

import aiohttp

from bot.channels.telegram import (
    CHAT_ID_RE, DEFAULT_API_BASE, MAX_MESSAGE_UTF16, CallbackPayloads, build_inline_keyboard, split_message,
)

logger = logging.getLogger(__name__)

SENT, BLOCKED, FAILED, RETRY, UNKNOWN = "sent", "blocked", "failed", "retry", "unknown"
DELIVERY_STATUSES = (SENT, BLOCKED, FAILED, RETRY, UNKNOWN)

_TRANSIENT = "transient"   # internal: surely not delivered, worth another attempt after a back-off
_RATE = "rate"             # internal: 429, wait retry_after


@dataclass(frozen=True)
class DeliveryResult:
    """What became of one `send`. `detail` is short and never holds the text or the token."""

    status: str                          # "sent" | "blocked" | "failed" | "retry" | "unknown"
    detail: str = ""                     # e.g. "HTTP 500", "timeout"
    retry_after: Optional[float] = None  # "retry": seconds before it may be tried again
    message_id: Optional[int] = None     # "sent": the last part's message_id
    parts_sent: int = 0                  # parts Telegram accepted (a nudge is normally one part)
    attempts: int = 0                    # HTTP requests made, over all parts
    sent_at: Optional[float] = None      # clock() at which the last request was let out

    @property
    def ok(self) -> bool:
        return self.status == SENT


@dataclass(frozen=True)
class _Outcome:
    kind: str                            # SENT, BLOCKED, FAILED, UNKNOWN, _TRANSIENT or _RATE
    detail: str = ""
    retry_after: Optional[float] = None
    message_id: Optional[int] = None


class _RequestState:
    """Per-request trace context: did aiohttp get a connection for it?"""

    __slots__ = ("connected",)

    def __init__(self) -> None:
        self.connected = False


async def _mark_connected(_session: Any, context: Any, _params: Any) -> None:
    state = getattr(context, "trace_request_ctx", None)
    if isinstance(state, _RequestState):
        state.connected = True


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return float(value)


class TelegramDelivery:
    """Async adapter the nudge dispatcher uses to send one nudge to one Telegram chat."""

    def __init__(self, token: str, api_base: str = DEFAULT_API_BASE, *, timeout: float = 10.0,
                 overall_per_second: float = 25.0, per_chat_interval: float = 1.0, max_attempts: int = 4,
                 backoff: float = 1.0, max_backoff: float = 60.0, max_retry_after: float = 60.0,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 payloads: Optional[CallbackPayloads] = None) -> None:
        """`timeout`: seconds for one request, connecting included. `backoff`: the first
        wait after a 5xx or a failed connection, doubled each time (1, 2, 4 s ...), at
        most `max_backoff`. A 429 asking to wait longer than `max_retry_after` is not
        waited out here: the result is "retry" with Telegram's retry_after.
        `payloads`: maps long button payloads to callback_data (share the channel's).
        """
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._token = token
        self.api_base = api_base.rstrip("/")
        self.timeout = timeout
        self.overall_per_second = overall_per_second
        self.per_chat_interval = max(0.0, per_chat_interval)
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.payloads = payloads or CallbackPayloads()
        self._clock = clock
        self._sleep = sleep
        self._spacing = 1.0 / overall_per_second if overall_per_second > 0 else 0.0
        self._grants: List[float] = []              # reserved request instants, sorted
        self._chat_ready: Dict[str, float] = {}     # chat -> earliest instant of its next request
        self._chat_hold: Dict[str, float] = {}      # chat -> Telegram asked us to wait until (429)
        self._http: Optional[aiohttp.ClientSession] = None
        self._http_loop: Optional[asyncio.AbstractEventLoop] = None

    def __repr__(self) -> str:  # never show the token
        return f"TelegramDelivery(api_base={self.api_base!r})"

    def scrub(self, text: str) -> str:
        return text.replace(self._token, "<token>") if self._token else text

    # ------------------------------------------------------------------ HTTP session

    def _session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._http is None or self._http.closed or self._http_loop is not loop:
            trace = aiohttp.TraceConfig()
            trace.on_connection_create_end.append(_mark_connected)
            trace.on_connection_reuseconn.append(_mark_connected)
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout),
                                               trace_configs=[trace])
            self._http_loop = loop
        return self._http

    async def close(self) -> None:
        if self._http is not None and not self._http.closed and self._http_loop is asyncio.get_running_loop():
            await self._http.close()
        self._http = None

    async def __aenter__(self) -> "TelegramDelivery":
        return self

    async def __aexit__(self, *_exc: Any) -> None:
        await self.close()

    # ------------------------------------------------------------------ pacing

    def _reserve(self, chat: str, now: float) -> float:
        """The earliest instant >= now at which a request to `chat` may go, reserved.

        Synchronous on purpose: nothing else runs on the loop between reading and
        updating the schedule.
        """
        grants, spacing = self._grants, self._spacing
        del grants[:bisect.bisect_left(grants, now - max(spacing, 1.0))]
        t = max(now, self._chat_ready.get(chat, now), self._chat_hold.get(chat, now))
        if spacing:
            for g in grants[bisect.bisect_left(grants, t - spacing):]:
                if t + spacing <= g:
                    break                   # the gap before g is wide enough
                if g + spacing > t:
                    t = g + spacing         # too close to g: go just after it
            bisect.insort(grants, t)
        self._chat_ready[chat] = t + self.per_chat_interval
        if len(self._chat_ready) > 10000:
            self._chat_ready = {c: at for c, at in self._chat_ready.items() if at > now}
            self._chat_hold = {c: at for c, at in self._chat_hold.items() if at > now}
        return t

    def _hold_chat(self, chat: str, until: float) -> None:
        """After a 429: no request to `chat` before `until`, those already waiting included."""
        self._chat_hold[chat] = max(self._chat_hold.get(chat, until), until)

    async def _wait_turn(self, chat: str) -> float:
        """Wait for this request's reserved instant and return it."""
        while True:
            now = self._clock()
            at = self._reserve(chat, now)
            if at <= now:
                return at
            await self._sleep(at - now)
            if self._chat_hold.get(chat, at) <= at:
                return at
            # a 429 for this chat came while we waited: give the instant back, queue again
            index = bisect.bisect_left(self._grants, at)
            if index < len(self._grants) and self._grants[index] == at:
                del self._grants[index]

    def _backoff(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2 ** (attempt - 1))

    # ------------------------------------------------------------------ sending

    async def send(self, chat_id: str, text: str, buttons: Optional[List[Dict[str, Any]]] = None) -> DeliveryResult:
        """Send `text` (split if longer than Telegram's limit; `buttons`, Rasa-style
        {"title", "payload"} dicts, become an inline keyboard on the last part)."""
        chat = str(chat_id).strip()
        if not CHAT_ID_RE.match(chat):
            logger.warning("Nudge not sent over Telegram: the conversation id is not a Telegram chat id")
            return DeliveryResult(FAILED, "not a Telegram chat id")
        markup = None
        if buttons:
            keyboard = build_inline_keyboard(buttons, self.payloads)
            markup = keyboard if keyboard["inline_keyboard"] else None
        parts = split_message(text or "", MAX_MESSAGE_UTF16)
        if not parts and markup:
            parts = ["…"]
        if not parts:
            logger.warning("Nudge not sent over Telegram: the text is empty")
            return DeliveryResult(FAILED, "empty text")

        attempts, message_id, sent_at = 0, None, None
        for index, part in enumerate(parts):
            params: Dict[str, Any] = {"chat_id": int(chat), "text": part}
            if markup and index == len(parts) - 1:
                params["reply_markup"] = markup
            outcome, used, sent_at = await self._send_part(chat, params)
            attempts += used
            if outcome.kind != SENT:
                result = DeliveryResult(outcome.kind, outcome.detail, outcome.retry_after, message_id,
                                        parts_sent=index, attempts=attempts, sent_at=sent_at)
                self._log_result(chat, result, len(parts))
                return result
            message_id = outcome.message_id
        result = DeliveryResult(SENT, "", None, message_id, parts_sent=len(parts), attempts=attempts,
                                sent_at=sent_at)
        self._log_result(chat, result, len(parts))
        return result

    async def _send_part(self, chat: str, params: Dict[str, Any]) -> Tuple[_Outcome, int, Optional[float]]:
        attempt, sent_at = 0, None
        while True:
            attempt += 1
            sent_at = await self._wait_turn(chat)
            outcome = await self._post("sendMessage", params)
            if outcome.kind in (SENT, BLOCKED, FAILED, UNKNOWN):
                return outcome, attempt, sent_at
            if outcome.kind == _RATE:
                wait = outcome.retry_after if outcome.retry_after is not None else self._backoff(attempt)
                if attempt >= self.max_attempts or wait > self.max_retry_after:
                    return _Outcome(RETRY, outcome.detail, wait), attempt, sent_at
                logger.info("Telegram sendMessage: %s; attempt %d of %d, next in %.3g s",
                            outcome.detail, attempt, self.max_attempts, wait)
                # the next _wait_turn sleeps until then; other sends to this chat wait too
                self._hold_chat(chat, self._clock() + wait)
                continue
            wait = self._backoff(attempt)
            if attempt >= self.max_attempts:
                return _Outcome(RETRY, outcome.detail, wait), attempt, sent_at
            logger.info("Telegram sendMessage: %s; attempt %d of %d, next in %.3g s",
                        outcome.detail, attempt, self.max_attempts, wait)
            await self._sleep(wait)

    async def _post(self, method: str, params: Dict[str, Any]) -> _Outcome:
        """One request; never raises for network or API trouble."""
        url = f"{self.api_base}/bot{self._token}/{method}"
        state = _RequestState()
        try:
            async with self._session().post(url, json=params, trace_request_ctx=state) as resp:
                status = resp.status
                raw = await resp.read()
        except aiohttp.ClientConnectorError as exc:   # refused, unreachable, DNS, TLS: nothing left
            return _Outcome(_TRANSIENT, f"connection failed: {exc.__class__.__name__}")
        except aiohttp.InvalidURL:
            return _Outcome(FAILED, "invalid Bot API URL")
        except (asyncio.TimeoutError, aiohttp.ClientError, OSError) as exc:
            name = "timeout" if isinstance(exc, asyncio.TimeoutError) else exc.__class__.__name__
            if not state.connected:                    # e.g. a connect timeout: the request never left
                return _Outcome(_TRANSIENT, f"{name} while connecting")
            logger.debug("Telegram %s: %s after the request was sent: %s", method, name,
                         self.scrub(str(exc))[:200])
            return _Outcome(UNKNOWN, name)
        return self._interpret(status, raw)

    def _interpret(self, status: int, raw: bytes) -> _Outcome:
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            body = {}
        if body.get("ok") is True or (status == 200 and not body):
            result = body.get("result")
            message_id = result.get("message_id") if isinstance(result, dict) else None
            detail = "" if body else "HTTP 200 without a JSON answer"
            return _Outcome(SENT, detail, message_id=message_id if isinstance(message_id, int) else None)
        code = body.get("error_code")
        if status != 200 or not isinstance(code, int):
            code = status
        description = self.scrub(str(body.get("description") or ""))[:100]
        detail = f"HTTP {code}" + (f": {description}" if description and code < 500 else "")
        if code == 429:
            parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
            return _Outcome(_RATE, detail, _number(parameters.get("retry_after")))
        if code == 403:
            return _Outcome(BLOCKED, detail)
        if 400 <= code < 500:
            if code in (401, 404):
                logger.error("Telegram refused the bot (%s): check TELEGRAM_TOKEN and the API base", detail)
            return _Outcome(FAILED, detail)
        if code >= 500:
            return _Outcome(_TRANSIENT, detail)
        return _Outcome(UNKNOWN, detail)   # an answer that is neither success nor a known failure

    def _log_result(self, chat: str, result: DeliveryResult, parts: int) -> None:
        logger.debug("Telegram nudge to chat %s: %s %s (%d/%d parts, %d requests)", chat, result.status,
                     result.detail, result.parts_sent, parts, result.attempts)
        if result.status == SENT:
            return
        level = logging.INFO if result.status == BLOCKED else logging.WARNING
        logger.log(level, "Telegram nudge %s: %s (%d/%d parts sent, %d requests)", result.status,
                   result.detail, result.parts_sent, parts, result.attempts)
