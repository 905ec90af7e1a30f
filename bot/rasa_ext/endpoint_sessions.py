"""One kept-alive HTTP client session per endpoint for the Rasa server, not one per request.

Rasa 3.6's `EndpointConfig.request` opens a new aiohttp `ClientSession` for every call, so
every custom action paid for a session, a connector and a new TCP connection to the action
server, and the action server for accepting it (bench/profile_load.py: about 6% of the
Rasa server's busy time under 20 users). Here `EndpointConfig.session()` hands out one
session per event loop and endpoint settings (headers, basic auth), whose connections are
kept alive, inside a wrapper whose `async with` does not close it.

- Same settings as Rasa's: the endpoint's headers and basic auth, the 300 s total timeout;
  each request still passes its own headers, parameters, timeout and TLS context.
- An idle connection is dropped after KEEPALIVE_SECONDS, well before the action server
  (Sanic, 5 s) closes its end: a request never goes out on a connection the server is
  closing. A restarted action server's old connections are closed by it, and aiohttp does
  not reuse a closed connection.
- Sessions are closed when the process exits (no "Unclosed client session" lines).
- The request body (the whole session's events) is encoded by bot.rasa_ext.fast_json.

Installed by bot.rasa_ext.hot_path, which only the Rasa server imports (endpoints.yml).
tests/test_rasa_ext_endpoint_sessions.py checks it against a local server.
"""
from __future__ import annotations

import asyncio
import atexit
import weakref
from typing import Any, Dict, Optional, Tuple

import aiohttp
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

from bot.rasa_ext import fast_json

KEEPALIVE_SECONDS = 2.0

_SessionKey = Tuple[Tuple[Tuple[str, str], ...], Optional[Tuple[str, str]]]
_sessions: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dict[_SessionKey, aiohttp.ClientSession]]" = \
    weakref.WeakKeyDictionary()


class _Kept:
    """`async with` hands out the shared session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc: Any) -> None:
        return None


def _key(endpoint: EndpointConfig) -> _SessionKey:
    auth = endpoint.basic_auth
    return (tuple(sorted((str(k), str(v)) for k, v in (endpoint.headers or {}).items())),
            (str(auth["username"]), str(auth["password"])) if auth else None)


def shared_session(endpoint: EndpointConfig) -> Any:
    """What `EndpointConfig.session()` returns in the Rasa server (see the module doc)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop: Rasa's own, closed by its `async with`
        return _rasas_session(endpoint)
    per_loop = _sessions.setdefault(loop, {})
    key = _key(endpoint)
    session = per_loop.get(key)
    if session is None or session.closed:
        auth = endpoint.basic_auth
        session = per_loop[key] = aiohttp.ClientSession(
            headers=endpoint.headers,
            auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            json_serialize=fast_json.dumps,
        )
    return _Kept(session)


def close_all() -> None:
    """Closes every shared session's connections now (at exit; no awaiting needed)."""
    for per_loop in list(_sessions.values()):
        for session in per_loop.values():
            connector = session.connector
            session.detach()
            if connector is not None:
                # aiohttp 3.9 closes the transports at once and hands back an awaitable that
                # warns unless awaited; at exit there is no loop to await it on.
                _settled(connector.close())
        per_loop.clear()


def _settled(awaitable: Any) -> None:
    steps = awaitable.__await__()  # marks it awaited
    close = getattr(steps, "close", None)
    if close is not None:
        close()


_rasas_session = EndpointConfig.session


def install() -> None:
    if EndpointConfig.session is not shared_session:
        EndpointConfig.session = shared_session
        atexit.register(close_all)
