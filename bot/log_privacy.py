"""Keep what people write out of every log line, at every level, Rasa's own included.

What a person writes to the coach (message text, entity and slot values, symptoms)
is health data; logs are copied, shipped and kept far longer than it should be.
Rasa 3.6 logs it in several ways, all seen here at DEBUG:

- structlog events (`processor.message.parse` with `parse_data_text` and the
  entities, `processor.slots.log`, `processor.actions.log` with the events and slot
  values, `rule_policy.actions.find` with the states and the user's text, and
  `rest.message.received.failure` at ERROR with the text and a traceback that shows
  local variables);
- f-strings such as "Validating extracted slots: ..." and warnings such as
  "Failed to parse arguments in line '/...'" (text typed with a leading slash);
- exception messages in tracebacks (a SQL error shows its parameters).

`PrivacyFilter` rewrites such records rather than dropping them, so an error stays
visible with its logger, level, event name, exception type and stack:

1. structlog events (as the event dict, or rendered as JSON) keep only keys known to
   be safe (`event`, `level`, `action_name`, counts, ...); every other value becomes
   "<redacted>", and a traceback keeps its frames but not its locals or message;
2. known leaky phrases of Rasa and rasa_sdk keep their wording, minus the data;
3. `%`-arguments of records from Rasa, rasa_sdk, python-socketio/engineio and
   SQLAlchemy's engine become "<redacted>" (numbers, booleans and None stay);
4. exception messages in tracebacks become "<redacted>" (types and frames stay; OS and
   timeout errors keep theirs: they say which host or file, not what anyone wrote);
5. any text a channel accepted recently (`remember`, called by bot.channels.limits)
   is cut out of any line that quotes it verbatim, wherever it comes from.

The coach's own loggers (`bot.*`, `actions.*`) log no text by design (see
tests/test_log_privacy.py); their arguments are kept, steps 1, 2, 4 and 5 still apply.

`install()` applies the filter to every record of the process through the log record
factory, so it covers loggers and handlers configured later (Sanic's, Rasa's) too;
it also adds the structlog processor and filters `warnings` output. It is called when
a coach channel is imported (bot.channels.limits: the Rasa server) and from the
actions package (the action server). It is idempotent.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import traceback
import warnings
from collections import deque
from typing import Any, Deque, Dict, Iterable, List, Mapping, Optional, Tuple

REDACTED = "<redacted>"

# Keys of structlog events (Rasa 3.6) whose values never carry what a person wrote.
SAFE_EVENT_KEYS = frozenset({
    "event", "event_key", "event_info", "level", "log_level", "timestamp", "logger", "logger_name",
    "action_name", "action_extract_slot", "host", "topic", "rabbitmq_exchange", "filename",
    "placeholder_key", "token_start", "token_end", "exception",
})
SAFE_EVENT_PREFIXES = ("len_", "num_", "count_")

# %-arguments of these loggers are redacted (the coach's own loggers are trusted).
LEAKY_ARG_LOGGERS = ("rasa", "rasa_sdk", "socketio", "engineio", "sqlalchemy.engine", "aiogram")
TRUSTED_LOGGERS = ("bot", "actions")

# Rasa / rasa_sdk phrases that embed data: (prefix)(data)(suffix) -> prefix + REDACTED + suffix.
KNOWN_LEAKS = [re.compile(p, re.S) for p in (
    r"(Validating extracted slots: ).+",
    r"(resulted in these events: ).+",
    r"(Contents of ignored event: ).+",
    r"(Invalid entity specification: ).+?(\. Assuming no entities\.)",
    r"(Parsed an (?:intent|entity) ').*?(' which is not defined)",
    # Rasa's four "/intent{...}" parse warnings go on about the text ("but found ...",
    # "Continuing without ...", "Error: ..."): everything after the prefix goes.
    r"(Failed to parse arguments in line ').*",
    r"(is set to a value \(').*?('\) that is not specified)",
    r"(created with an initial value ).*?(\. This value is outside)",
    r"(Canceled reminder because it is outdated \().*(\)\.)",
    r"(Request JSON: ).+",
    r"(Received NLG response: ).+",
)]

# Exceptions whose messages are about the machine, not the person: kept.
SAFE_EXCEPTIONS: Tuple[type, ...] = (OSError, asyncio.TimeoutError, ImportError)

MIN_REMEMBERED_CHARS = 8   # shorter texts ("yes", "6") would redact ordinary words everywhere
REMEMBERED_TEXTS = 512

_recent: Deque[str] = deque(maxlen=REMEMBERED_TEXTS)
_recent_lock = threading.Lock()
_longest_first: Tuple[str, ...] = ()
_installed = False


# --------------------------------------------------------------------------- texts seen

def remember(text: Any) -> None:
    """Note a text a person sent, so any log line quoting it verbatim is redacted."""
    global _longest_first
    if isinstance(text, str):
        text = text.strip()
        if len(text) >= MIN_REMEMBERED_CHARS:
            with _recent_lock:
                if text not in _recent:
                    _recent.append(text)
                    # the longest first, so a text containing another leaves nothing behind
                    _longest_first = tuple(sorted(_recent, key=len, reverse=True))


def forget_all() -> None:
    global _longest_first
    with _recent_lock:
        _recent.clear()
        _longest_first = ()


def _scrub_remembered(message: str) -> str:
    if len(message) < MIN_REMEMBERED_CHARS:
        return message
    for text in _longest_first:  # an immutable snapshot: no lock needed
        if text in message:
            message = message.replace(text, REDACTED)
    return message


# --------------------------------------------------------------------------- pieces

def scrub(message: str) -> str:
    """A log line or warning without the data the known leaks and remembered texts put in it."""
    return scrub_plain(_scrub_structlog_json(message))


def _scrub_structlog_json(message: str) -> str:
    """A structlog event rendered as JSON (Rasa's format when stderr is not a terminal)."""
    start = message.find("{")
    if start < 0 or '"event"' not in message:
        return message
    try:
        event = json.loads(message[start:])
    except ValueError:
        return message
    if not isinstance(event, dict) or "event" not in event:
        return message
    return message[:start] + json.dumps(redact_event_dict(None, "", event), default=str)


def _safe_key(key: Any) -> bool:
    return isinstance(key, str) and (key in SAFE_EVENT_KEYS or key.startswith(SAFE_EVENT_PREFIXES))


def redact_event_dict(_logger: Any, _method: str, event_dict: Dict[str, Any]) -> Dict[str, Any]:
    """structlog processor: values of keys not known to be safe become REDACTED."""
    exc_info = event_dict.pop("exc_info", None)
    for key in list(event_dict):
        value = event_dict[key]
        if key == "exception":
            event_dict[key] = _redact_structured_exception(value)
        elif not _safe_key(key) and value is not None and not isinstance(value, bool):
            event_dict[key] = REDACTED
        elif key in ("event", "event_info") and isinstance(value, str):
            event_dict[key] = scrub_plain(value)
    if exc_info:  # not yet rendered (console renderer): render it here, redacted
        info = _exc_info_tuple(exc_info)
        if info is not None:
            event_dict["exception"] = redacted_traceback(*info)
    return event_dict


def scrub_plain(message: str) -> str:
    """Known leaks and remembered texts only (no JSON parsing)."""
    for pattern in KNOWN_LEAKS:
        if pattern.search(message):
            message = pattern.sub(_keep_wording, message)
    return _scrub_remembered(message)


def _keep_wording(match: "re.Match[str]") -> str:
    return match.group(1) + REDACTED + (match.group(2) if (match.lastindex or 0) >= 2 else "")


def _exc_info_tuple(exc_info: Any) -> Optional[Tuple[type, BaseException, Any]]:
    if isinstance(exc_info, BaseException):
        return type(exc_info), exc_info, exc_info.__traceback__
    if isinstance(exc_info, tuple) and len(exc_info) == 3 and exc_info[0] is not None:
        return exc_info  # type: ignore[return-value]
    if exc_info is True:
        import sys

        info = sys.exc_info()
        return info if info[0] is not None else None  # type: ignore[return-value]
    return None


def _redact_structured_exception(value: Any) -> Any:
    """structlog's dict_tracebacks form: keep types and frames, drop messages and locals."""
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict):
                item = dict(item)
                if "exc_value" in item and not _safe_exception_name(item.get("exc_type")):
                    item["exc_value"] = REDACTED
                if item.get("syntax_error"):
                    item["syntax_error"] = REDACTED
                frames = item.get("frames")
                if isinstance(frames, list):
                    item["frames"] = [{k: v for k, v in f.items() if k in ("filename", "lineno", "name")}
                                      for f in frames if isinstance(f, dict)]
            out.append(item)
        return out
    if isinstance(value, str):
        return redact_traceback_text(value)
    return REDACTED


def _safe_exception_name(name: Any) -> bool:
    import builtins

    cls = getattr(builtins, name, None) if isinstance(name, str) else None
    return isinstance(cls, type) and issubclass(cls, SAFE_EXCEPTIONS)


def _blank(te: traceback.TracebackException, seen: Optional[set] = None) -> None:
    seen = seen if seen is not None else set()
    if id(te) in seen:
        return
    seen.add(id(te))
    exc_type = te.exc_type if isinstance(te.exc_type, type) else object
    if not issubclass(exc_type, SAFE_EXCEPTIONS):
        if getattr(te, "_str", None):
            te._str = REDACTED  # type: ignore[attr-defined]
        if issubclass(exc_type, SyntaxError):  # its offending line may be anything
            te.text, te.msg = None, REDACTED  # type: ignore[attr-defined]
    for nxt in (te.__cause__, te.__context__):
        if nxt is not None:
            _blank(nxt, seen)


def redacted_traceback(exc_type: Any, exc: Any, tb: Any) -> str:
    """The usual traceback text, with every exception message (but safe ones) replaced."""
    try:
        te = traceback.TracebackException(exc_type, exc, tb, capture_locals=False)
        _blank(te)
        return "".join(te.format()).rstrip("\n")
    except Exception:  # noqa: BLE001 - never let the log call fail
        return f"{getattr(exc_type, '__name__', 'Exception')}: {REDACTED}"


_TB_KEEP = re.compile(r"^(Traceback \(most recent call last\):|  File \"|    |During handling|"
                      r"The above exception|\s*$)")
_TB_FINAL = re.compile(r"^([A-Za-z_][\w.]*)(?::.*)?$")


def redact_traceback_text(text: str) -> str:
    """A traceback that is already text: keep its frames, redact its message lines."""
    out: List[str] = []
    for line in text.splitlines():
        if _TB_KEEP.match(line):
            out.append(line)
            continue
        final = _TB_FINAL.match(line)
        redacted = f"{final.group(1)}: {REDACTED}" if final and ":" in line else REDACTED
        if not out or out[-1] != redacted:
            out.append(redacted)
    return "\n".join(out)


def _redact_args(args: Any) -> Any:
    def one(value: Any) -> Any:
        if value is None or isinstance(value, (bool, int, float)):
            return value
        return REDACTED

    if isinstance(args, Mapping):
        return {k: one(v) for k, v in args.items()}
    if isinstance(args, tuple):
        return tuple(one(v) for v in args)
    return one(args)


def _under(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


# --------------------------------------------------------------------------- the filter

class PrivacyFilter(logging.Filter):
    """Rewrites a record so that no personal text is left in it; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self.rewrite(record)
        except Exception:  # noqa: BLE001 - privacy code must not break logging
            record.msg, record.args = f"{REDACTED} (a {record.name} log line that could not be checked)", ()
            record.exc_info, record.exc_text = None, None
        return True

    @staticmethod
    def rewrite(record: logging.LogRecord) -> None:
        if getattr(record, "_coach_private", False):
            return
        record._coach_private = True  # type: ignore[attr-defined]
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = redacted_traceback(*record.exc_info)
        trusted = _under(record.name, TRUSTED_LOGGERS)
        if not isinstance(record.msg, str) and not trusted:
            record.msg, record.args = f"{REDACTED} {type(record.msg).__name__}", ()
        if record.args and not trusted and _under(record.name, LEAKY_ARG_LOGGERS):
            record.args = _redact_args(record.args)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format: say so, show nothing
            record.msg, record.args = f"{REDACTED} (unformattable log call)", ()
            return
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()


FILTER = PrivacyFilter()


def _showwarning_factory(original: Any) -> Any:
    def showwarning(message: Any, category: Any, filename: str, lineno: int,
                    file: Any = None, line: Optional[str] = None) -> None:
        try:
            text = str(message)
            cleaned = scrub(text)
            if cleaned != text:
                message = cleaned
        except Exception:  # noqa: BLE001
            message = REDACTED
        original(message, category, filename, lineno, file, line)

    showwarning._coach_private = True  # type: ignore[attr-defined]
    return showwarning


def _install_structlog() -> None:
    try:
        import structlog
    except ImportError:
        return
    processors = structlog.get_config().get("processors")
    if not isinstance(processors, list) or redact_event_dict in processors:
        return
    # Before the renderer (the last one), after dict_tracebacks has made tracebacks data.
    processors.insert(max(len(processors) - 1, 0), redact_event_dict)


def install() -> None:
    """Apply PrivacyFilter to every log record of this process (idempotent)."""
    global _installed
    _install_structlog()  # again on each call: Rasa may have configured structlog since
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        FILTER.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    if not getattr(warnings.showwarning, "_coach_private", False):
        warnings.showwarning = _showwarning_factory(warnings.showwarning)


def installed() -> bool:
    return _installed
