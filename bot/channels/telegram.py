"""The coach's Telegram connector: a webhook input channel and a Bot API output channel.

Replaces `rasa.core.channels.telegram`, which (Rasa 3.6) never checks Telegram's
secret token, calls getMe on every update, and whose `get_output_channel()` runs
`asyncio.run()` inside Sanic's loop, so `trigger_intent` to Telegram fails.

Configured only from the environment (see /work/shared/CONTRACT.md):

- `TELEGRAM_TOKEN`: the bot token from @BotFather (unset = no Telegram channel;
  `bot.serve` then leaves this class out of the credentials file).
- `TELEGRAM_SECRET`: the `secret_token` given to setWebhook; every update must carry
  it in `X-Telegram-Bot-Api-Secret-Token`. Unset = a random one per start-up.
- `TELEGRAM_WEBHOOK_URL`: the public HTTPS URL of `/webhooks/telegram/webhook`,
  registered with setWebhook when the server starts.
- `TELEGRAM_API_BASE`: the Bot API server [https://api.telegram.org].

Privacy: message texts are never logged and the token never at all (it is part of
every Bot API URL, so errors are scrubbed before logging).

Input limits are the shared ones (bot.channels.limits): a text over 2,000 characters
gets a reply saying so and never reaches Rasa; control characters are stripped.

Each update is processed once, across instances and restarts: its `update_id` is
claimed in the coach's database (bot.store.updates, DATABASE_URL) before anything
runs; a copy already claimed is answered 200 `duplicate`. While the database cannot
record the claim the webhook answers 503, so Telegram sends the update again later;
the same when the conversation lock cannot be taken (Redis down): the claim is given
back first, nothing of the update has run.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text, Tuple
from urllib.parse import urlsplit

import aiohttp
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.shared.exceptions import RasaException

from bot import chart_links
from bot.channels.limits import MAX_MESSAGE_CHARS, check_message, read_json
from bot.settings import database_url
from bot.store import stored_chart
from bot.store.updates import TelegramUpdateLog, UpdateLogUnavailable, storable

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]

MAX_INPUT_CHARS = MAX_MESSAGE_CHARS  # the shared limit; longer messages are refused with a reply
MAX_MESSAGE_UTF16 = 4096      # Telegram's limit for one message's text
MAX_CALLBACK_BYTES = 64       # Telegram's limit for an inline button's callback_data
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's limit for an uploaded photo
MAX_BODY_BYTES = 1024 * 1024

TOKEN_RE = re.compile(r"^[0-9]+:[A-Za-z0-9_-]+$")
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")   # what setWebhook accepts as secret_token
CHAT_ID_RE = re.compile(r"^-?[0-9]+$")
COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", re.DOTALL)
DATA_URI_RE = re.compile(r"^data:(image/(?:png|jpeg|gif|webp));base64,(.*)$", re.DOTALL | re.IGNORECASE)

TEXT_ONLY_REPLY = "Sorry, I can only read text messages. Please type your answer."
FAILURE_REPLY = "Sorry, something went wrong on my side. Please try again in a moment."
EXPIRED_BUTTON_REPLY = "This button has expired. Please type your answer instead."

CALLBACK_PREFIX = "cb#"


# --------------------------------------------------------------------------- inbound

@dataclass
class Incoming:
    """What one Telegram update asks the coach to do."""

    kind: str                      # "text", "button" or "unsupported" (a non-text message)
    chat_id: int
    text: Optional[str] = None     # the message text or the button's callback_data
    callback_query_id: Optional[str] = None
    metadata: Dict[str, Any] = field(default_factory=dict)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_update(update: Dict[str, Any]) -> Optional[Incoming]:
    """The part of a Telegram Update the coach handles; None = ignore it (answer 200).

    Only private chats are handled: a health coach must not talk in groups. Edited
    messages, channel posts, polls... are ignored. A text message (or a captioned
    photo) is text; any other private message is "unsupported"; an inline keyboard
    press is a "button" carrying its callback_data.
    """
    message = update.get("message")
    if isinstance(message, dict):
        chat = message.get("chat")
        if not isinstance(chat, dict) or not _is_int(chat.get("id")) or chat.get("type") != "private":
            return None
        meta = {"telegram": {"update_id": update.get("update_id"), "message_id": message.get("message_id"),
                             "chat_type": "private"}}
        text = message.get("text")
        if not isinstance(text, str):
            text = message.get("caption")
        if isinstance(text, str) and text.strip():
            return Incoming("text", chat["id"], text=text, metadata=meta)
        return Incoming("unsupported", chat["id"], metadata=meta)

    query = update.get("callback_query")
    if isinstance(query, dict) and isinstance(query.get("id"), str):
        origin = query.get("message")
        if isinstance(origin, dict):
            chat = origin.get("chat")
            if not isinstance(chat, dict) or chat.get("type") != "private" or not _is_int(chat.get("id")):
                return None
            chat_id = chat["id"]
        else:  # the pressed message is too old to be included: in a private chat, chat id = user id
            sender = query.get("from")
            if not isinstance(sender, dict) or not _is_int(sender.get("id")):
                return None
            chat_id = sender["id"]
        data = query.get("data")
        meta = {"telegram": {"update_id": update.get("update_id"), "chat_type": "private",
                             "callback_query": True}}
        return Incoming("button", chat_id, text=data if isinstance(data, str) else None,
                        callback_query_id=query["id"], metadata=meta)
    return None


def normalize_text(text: str) -> Optional[str]:
    """What Rasa should see for a typed message; None = nothing to process.

    Rasa treats any text starting with "/" as an intent name, so typed commands are
    rewritten: `/start` (with or without a deep-link payload) becomes "/start", the
    onboarding intent; `/help` becomes "help"; other commands lose the slash
    (`/delete_my_data` -> "delete my data"); anything else starting with "/" loses it.
    """
    text = text.strip()[:MAX_INPUT_CHARS].strip()
    if not text.startswith("/"):
        return text or None
    command = COMMAND_RE.match(text)
    if command:
        name, rest = command.group(1).lower(), (command.group(2) or "").strip()
        if name == "start":
            return "/start"
        if name == "help":
            return "help"
        return " ".join(filter(None, [name.replace("_", " ").strip(), rest])) or None
    return re.sub(r"^[\s/]+", "", text) or None  # "/ /affirm" must not become the intent "/affirm"


# --------------------------------------------------------------------------- outbound helpers

def utf16_len(text: str) -> int:
    """Telegram measures text in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MAX_MESSAGE_UTF16) -> List[str]:
    """Parts of at most `limit` UTF-16 units, cut at a paragraph, line or word when possible."""
    text = text.strip()
    parts: List[str] = []
    while utf16_len(text) > limit:
        units, end = 0, 0
        for end, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > limit:
                break
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = text.rfind(sep, 0, end + 1)
            if cut > end // 2:
                break
        if cut <= end // 2:
            cut = end
        part, text = text[:cut].strip(), text[cut:].strip()
        if part:
            parts.append(part)
    if text:
        parts.append(text)
    return parts


class CallbackPayloads:
    """Maps button payloads to callback_data of at most 64 bytes and back.

    Short payloads travel as they are. Longer ones (or ones that look like our own
    ids) travel as "cb#" + a hash, resolved through the payloads sent since start-up
    and those learned from the domain's responses (which survive a restart).
    """

    def __init__(self, capacity: int = 10000) -> None:
        self._by_id: "OrderedDict[str, str]" = OrderedDict()
        self._capacity = capacity

    @staticmethod
    def short_id(payload: str) -> str:
        digest = hashlib.sha256(payload.encode("utf-8")).digest()
        return CALLBACK_PREFIX + base64.urlsafe_b64encode(digest[:18]).decode("ascii")

    def learn(self, payload: str) -> str:
        data = self.short_id(payload)
        self._by_id[data] = payload
        self._by_id.move_to_end(data)
        while len(self._by_id) > self._capacity:
            self._by_id.popitem(last=False)
        return data

    def encode(self, payload: str) -> str:
        if len(payload.encode("utf-8")) <= MAX_CALLBACK_BYTES and not payload.startswith(CALLBACK_PREFIX):
            return payload
        return self.learn(payload)

    def decode(self, data: str) -> Optional[str]:
        if data.startswith(CALLBACK_PREFIX):
            return self._by_id.get(data)
        return data


def keyboard_rows(titles: List[str]) -> List[int]:
    """How many buttons go on each row: short labels (a 0-10 scale) in rows of up to 6,
    a few medium ones side by side, long ones one per row."""
    n = len(titles)
    if n == 0:
        return []
    longest = max(len(t) for t in titles)
    if longest <= 4:
        per_row = 6
    elif n <= 3 and sum(len(t) for t in titles) <= 36:
        per_row = n
    elif longest <= 16:
        per_row = 2
    else:
        per_row = 1
    rows = -(-n // per_row)
    per_row = -(-n // rows)  # balanced rows: 7 buttons -> 4 + 3 rather than 6 + 1
    sizes = []
    remaining = n
    while remaining:
        sizes.append(min(per_row, remaining))
        remaining -= sizes[-1]
    return sizes


def build_inline_keyboard(buttons: Iterable[Dict[str, Any]], payloads: CallbackPayloads) -> Dict[str, Any]:
    """Rasa buttons -> Telegram's InlineKeyboardMarkup (callback_data = the payload)."""
    keys: List[Dict[str, str]] = []
    for button in buttons:
        if not isinstance(button, dict):
            continue
        title = str(button.get("title") or button.get("payload") or "").strip()
        if not title:
            continue
        url = button.get("url")
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            keys.append({"text": title, "url": url})
            continue
        payload = str(button.get("payload") or title)
        keys.append({"text": title, "callback_data": payloads.encode(payload)})
    rows, start = [], 0
    for size in keyboard_rows([k["text"] for k in keys]):
        rows.append(keys[start:start + size])
        start += size
    return {"inline_keyboard": rows}


def decode_data_uri(uri: str) -> Optional[Tuple[str, bytes]]:
    """(mime type, bytes) of a base64 `data:image/...` URI, None if it is not one."""
    match = DATA_URI_RE.match(uri.strip())
    if not match:
        return None
    try:
        data = base64.b64decode(re.sub(r"\s+", "", match.group(2)), validate=True)
    except (binascii.Error, ValueError):
        return None
    return match.group(1).lower(), data


# --------------------------------------------------------------------------- output channel

class TelegramOutput(OutputChannel):
    """Sends the coach's replies through the Bot API (aiohttp, one lazily created session).

    Safe to build outside a running loop and to use from any coroutine of the server's
    loop: inside a webhook request, from `trigger_intent`, from reminders.
    """

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(self, token: str, api_base: str = DEFAULT_API_BASE, timeout: float = 15.0,
                 payloads: Optional[CallbackPayloads] = None,
                 charts: Optional[Callable[[str], Optional[bytes]]] = None) -> None:
        """`charts`: a progress chart's PNG by token (bot.chart_links), the store's by default."""
        self._token = token
        self._charts = charts or stored_chart
        self.api_base = api_base.rstrip("/")
        self.timeout = timeout
        self.payloads = payloads or CallbackPayloads()
        self._http: Optional[aiohttp.ClientSession] = None
        self._http_loop: Optional[asyncio.AbstractEventLoop] = None

    def __repr__(self) -> str:  # never show the token
        return f"TelegramOutput(api_base={self.api_base!r})"

    def scrub(self, text: str) -> str:
        return text.replace(self._token, "<token>") if self._token else text

    async def _session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._http is None or self._http.closed or self._http_loop is not loop:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            self._http_loop = loop
        return self._http

    async def close(self) -> None:
        if self._http is not None and not self._http.closed and self._http_loop is asyncio.get_running_loop():
            await self._http.close()
        self._http = None

    async def call(self, method: str, params: Optional[Dict[str, Any]] = None,
                   upload: Optional[Tuple[str, str, bytes]] = None) -> Any:
        """One Bot API method; its `result`, or None after logging why it failed.

        `upload` = (field, mime type, bytes) sends multipart/form-data with that file.
        A 429 with a short retry_after is retried once.
        """
        url = f"{self.api_base}/bot{self._token}/{method}"
        for attempt in (1, 2):
            try:
                session = await self._session()
                if upload:
                    form = aiohttp.FormData()
                    for key, value in (params or {}).items():
                        form.add_field(key, value if isinstance(value, str) else json.dumps(value))
                    name, mime, data = upload
                    form.add_field(name, data, filename=f"{name}.{mime.split('/')[-1]}", content_type=mime)
                    request = session.post(url, data=form)
                else:
                    request = session.post(url, json=params or {})
                async with request as resp:
                    status = resp.status
                    body = await resp.json(content_type=None)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                logger.warning("Telegram API %s failed: %s %s", method, exc.__class__.__name__,
                               self.scrub(str(exc))[:200])
                return None
            if not isinstance(body, dict):
                logger.warning("Telegram API %s answered HTTP %s without a JSON object", method, status)
                return None
            if body.get("ok"):
                return body.get("result")
            retry_after = (body.get("parameters") or {}).get("retry_after")
            if status == 429 and attempt == 1 and _is_int(retry_after) and retry_after <= 10:
                await asyncio.sleep(retry_after)
                continue
            logger.warning("Telegram API %s refused: %s %s", method, body.get("error_code", status),
                           self.scrub(str(body.get("description", "")))[:200])
            return None
        return None

    @staticmethod
    def _chat(recipient_id: Text) -> Optional[int]:
        recipient = str(recipient_id)
        if not CHAT_ID_RE.match(recipient):
            logger.warning("Not sending to a non-Telegram conversation id over Telegram")
            return None
        return int(recipient)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_text(recipient_id, text)

    async def _send_text(self, recipient_id: Text, text: Text,
                         reply_markup: Optional[Dict[str, Any]] = None) -> None:
        chat_id = self._chat(recipient_id)
        if chat_id is None:
            return
        parts = split_message(text or "")
        if not parts and reply_markup:
            parts = ["…"]
        for i, part in enumerate(parts):
            params: Dict[str, Any] = {"chat_id": chat_id, "text": part}
            if reply_markup and i == len(parts) - 1:
                params["reply_markup"] = reply_markup
            await self.call("sendMessage", params)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        keyboard = build_inline_keyboard(buttons, self.payloads)
        await self._send_text(recipient_id, text, keyboard if keyboard["inline_keyboard"] else None)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        chat_id = self._chat(recipient_id)
        if chat_id is None or not isinstance(image, str):
            return
        token = chart_links.chart_token(image)
        if token is not None:
            png = await asyncio.get_running_loop().run_in_executor(None, self._charts, token)
            if png is None:
                logger.warning("Not sending a progress chart that is no longer kept")
                return
            await self.call("sendPhoto", {"chat_id": str(chat_id)}, upload=("photo", "image/png", png))
        elif image.startswith("data:"):
            decoded = decode_data_uri(image)
            if decoded is None:
                logger.warning("Not sending an image: not a base64 data:image/... URI")
                return
            mime, data = decoded
            if len(data) > MAX_PHOTO_BYTES:
                logger.warning("Not sending an image of %d bytes (Telegram takes 10 MB)", len(data))
                return
            await self.call("sendPhoto", {"chat_id": str(chat_id)}, upload=("photo", mime, data))
        elif image.startswith(("https://", "http://")):
            await self.call("sendPhoto", {"chat_id": chat_id, "photo": image})
        else:
            logger.warning("Not sending an image that is neither a URL nor a data URI")

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        if isinstance(attachment, str):
            await self.send_text_message(recipient_id, attachment)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """Custom payloads are for other channels; their "text" (if any) is sent, the rest dropped."""
        text = json_message.get("text") if isinstance(json_message, dict) else None
        if isinstance(text, str) and text.strip():
            await self.send_text_message(recipient_id, text)
        else:
            logger.debug("Ignoring a custom payload on Telegram")


# --------------------------------------------------------------------------- input channel

@dataclass
class TelegramSettings:
    token: str
    secret: str
    webhook_url: Optional[str]
    api_base: str
    secret_generated: bool = False

    @classmethod
    def from_env(cls, env: Optional[Dict[str, str]] = None) -> "TelegramSettings":
        env = dict(os.environ if env is None else env)
        token = (env.get("TELEGRAM_TOKEN") or "").strip()
        if not token:
            raise RasaException("The Telegram channel needs TELEGRAM_TOKEN (the bot token from @BotFather).")
        if not TOKEN_RE.match(token):
            raise RasaException("TELEGRAM_TOKEN does not look like a bot token (<digits>:<letters>).")
        secret = (env.get("TELEGRAM_SECRET") or "").strip()
        generated = not secret
        if generated:
            secret = secrets.token_urlsafe(32)
        elif not SECRET_RE.match(secret):
            raise RasaException("TELEGRAM_SECRET must be 1-256 characters of A-Z, a-z, 0-9, '_' or '-' "
                                "(Telegram's rule for a webhook secret_token).")
        return cls(token=token, secret=secret,
                   webhook_url=(env.get("TELEGRAM_WEBHOOK_URL") or "").strip() or None,
                   api_base=(env.get("TELEGRAM_API_BASE") or "").strip() or DEFAULT_API_BASE,
                   secret_generated=generated)


def _json_error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class TelegramChannel(InputChannel):
    """`POST /webhooks/telegram/webhook`: verified Telegram updates into Rasa."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramChannel":
        # Everything comes from the environment: secrets stay out of YAML files.
        return cls(TelegramSettings.from_env())

    def __init__(self, settings: TelegramSettings, updates: Optional[TelegramUpdateLog] = None) -> None:
        self.settings = settings
        self.output = TelegramOutput(settings.token, settings.api_base)
        # The update ids taken, shared by every instance (opened on the first update).
        self.updates = updates or TelegramUpdateLog(settings.token.split(":")[0], url=database_url())
        self._retry_task: Optional[asyncio.Task] = None
        self._refused, self._refused_logged_at = 0, float("-inf")
        if settings.secret_generated:
            logger.warning("TELEGRAM_SECRET is not set: using a random webhook secret for this run "
                           "(set it when running several instances).")

    def get_output_channel(self) -> TelegramOutput:
        return self.output

    # -- webhook registration ------------------------------------------------

    async def register_webhook(self) -> bool:
        """setWebhook with our URL and secret; False (and a warning) if it did not happen."""
        url = self.settings.webhook_url
        if not url:
            logger.warning("TELEGRAM_WEBHOOK_URL is not set: the Telegram webhook was not registered.")
            return False
        if not url.startswith("https://"):
            logger.warning("TELEGRAM_WEBHOOK_URL is not HTTPS: the real Bot API will refuse it.")
        result = await self.output.call("setWebhook", {
            "url": url, "secret_token": self.settings.secret, "allowed_updates": ALLOWED_UPDATES})
        if result is None:
            logger.warning("Could not register the Telegram webhook (Bot API unreachable or refused); "
                           "still serving, retrying in the background.")
            return False
        logger.info("Telegram webhook registered for host %s.", urlsplit(url).hostname)
        return True

    async def _retry_registration(self) -> None:
        delay = 15.0
        while True:
            await asyncio.sleep(delay)
            if await self.register_webhook():
                return
            delay = min(delay * 2, 600.0)

    def _learn_domain_payloads(self, app: Any) -> None:
        """Button payloads of the domain's responses, so long ones resolve after a restart."""
        domain = getattr(getattr(app.ctx, "agent", None), "domain", None)
        if domain is None:
            return
        from rasa.core.nlg.interpolator import interpolate_text

        for variations in (domain.responses or {}).values():
            for variation in variations or []:
                for button in (variation or {}).get("buttons") or []:
                    payload = button.get("payload") if isinstance(button, dict) else None
                    if isinstance(payload, str):
                        self.output.payloads.learn(payload)
                        self.output.payloads.learn(interpolate_text(payload, {}))

    # -- updates ---------------------------------------------------------------

    def _authentic(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER)
        if not given:
            return False
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.settings.secret.encode("utf-8"))

    def _log_refusal(self) -> None:
        """At most one warning a minute, so a flood of forged calls cannot flood the log."""
        self._refused += 1
        now = time.monotonic()
        if now - self._refused_logged_at >= 60.0:
            logger.warning("Refused %d Telegram webhook call(s) without the right secret token", self._refused)
            self._refused, self._refused_logged_at = 0, now

    async def handle_update(self, update: Any,
                            on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """An authenticated, parsed update: process it; always 200 unless it is not an Update."""
        if not isinstance(update, dict):
            return _json_error(400, "the body must be a JSON object (a Telegram Update)")
        update_id = update.get("update_id")
        if not _is_int(update_id):
            return _json_error(400, "not a Telegram Update: update_id (an integer) is missing")
        if not storable(update_id):
            return _json_error(400, "not a Telegram Update: update_id is out of range")
        claimed = await self._claim(update_id)
        if claimed is None:
            return _json_error(503, "the coach cannot record updates just now; send it again later")
        if not claimed:  # Telegram re-sent it (a late answer, a restart), maybe to another instance
            return response.json({"ok": True, "duplicate": True})

        incoming = parse_update(update)
        if incoming is None:
            return response.json({"ok": True, "ignored": True})
        if incoming.kind == "unsupported":
            await self.output.send_text_message(str(incoming.chat_id), TEXT_ONLY_REPLY)
            return response.json({"ok": True, "ignored": True})

        if incoming.kind == "button":
            await self.output.call("answerCallbackQuery", {"callback_query_id": incoming.callback_query_id})
            text = self.output.payloads.decode(incoming.text) if incoming.text else None
            if text is None:
                await self.output.send_text_message(str(incoming.chat_id), EXPIRED_BUTTON_REPLY)
                return response.json({"ok": True, "ignored": True})
        else:
            text = incoming.text or ""
        checked = check_message(text)
        if checked.refusal is not None:
            await self.output.send_text_message(str(incoming.chat_id), checked.refusal.reply)
            return response.json({"ok": True, "refused": checked.refusal.error})
        text = normalize_text(checked.text or "") if incoming.kind == "text" else checked.text
        if not text:
            return response.json({"ok": True, "ignored": True})

        message = UserMessage(text, self.output, sender_id=str(incoming.chat_id),
                              input_channel=self.name(), metadata=incoming.metadata)
        try:
            await on_new_message(message)
        except LockError:
            # The conversation lock could not be taken (Redis down, or the lock expired while
            # waiting): nothing of this update ran. Give the claim back and answer 503, so
            # Telegram's next copy is processed, once; if the claim cannot be given back the
            # next copy would be refused, so the person is asked to repeat instead.
            if await self._release(update_id):
                logger.error("A Telegram update could not take its conversation lock (lock store "
                             "unreachable?): answered 503 so Telegram sends it again.")
                return _json_error(503, "the coach cannot take the conversation lock just now; "
                                        "send it again later")
            logger.error("Handling a Telegram update failed: LockError")
            await self.output.send_text_message(str(incoming.chat_id), FAILURE_REPLY)
        except Exception as exc:  # noqa: BLE001 - a 5xx would make Telegram redeliver it forever
            logger.error("Handling a Telegram update failed: %s", exc.__class__.__name__)
            logger.debug("Telegram update failure", exc_info=True)
            await self.output.send_text_message(str(incoming.chat_id), FAILURE_REPLY)
        return response.json({"ok": True})

    async def _claim(self, update_id: int) -> Optional[bool]:
        """True: ours to process; False: a copy already taken; None: the store is unreachable."""
        if self.updates.seen(update_id):  # a repeat this process settled: no round trip
            return False
        try:
            return await asyncio.to_thread(self.updates.claim, update_id)
        except UpdateLogUnavailable as exc:
            logger.error("Could not record a Telegram update id (database unreachable: %s): "
                         "answered 503 so Telegram sends it again.", exc)
            return None

    async def _open_update_log(self) -> None:
        """Connect (and migrate) before the first update arrives; if the database is down, the
        first update tries again (and is answered 503 until it is up)."""
        try:
            await asyncio.to_thread(lambda: self.updates.engine)
        except Exception as exc:  # noqa: BLE001 - serving goes on; claims retry
            logger.warning("The Telegram update log could not be opened yet: %s", exc.__class__.__name__)

    async def _release(self, update_id: int) -> bool:
        try:
            await asyncio.to_thread(self.updates.release, update_id)
            return True
        except UpdateLogUnavailable as exc:
            logger.error("Could not give back a Telegram update id (database unreachable: %s).", exc)
            return False

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("coach_telegram", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self._authentic(request):
                self._log_refusal()
                return _json_error(403, "missing or wrong X-Telegram-Bot-Api-Secret-Token")
            update, refusal = read_json(request.body, MAX_BODY_BYTES)
            if refusal is not None:
                return _json_error(refusal.status, refusal.error)
            return await self.handle_update(update, on_new_message)

        @bp.listener("after_server_start")
        async def register(app: Any, _loop: Any) -> None:
            self._learn_domain_payloads(app)
            await self._open_update_log()
            if not await self.register_webhook() and self.settings.webhook_url:
                self._retry_task = asyncio.get_running_loop().create_task(self._retry_registration())

        @bp.listener("before_server_stop")
        async def close(_app: Any, _loop: Any) -> None:
            if self._retry_task is not None:
                self._retry_task.cancel()
            await self.output.close()

        return bp
