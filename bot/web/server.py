"""The web chat page: an aiohttp app on WEB_PORT in front of the Rasa server on RASA_PORT.

What it serves:
  /                   the page (static/index.html): disclaimer, the rasa-webchat widget
  /config.json        what the page's script needs: where socket.io is, the Rasa port, the widget texts
  /vendor/webchat.js  the rasa-webchat 1.0.1 bundle from node_modules (`make install` runs `npm ci`),
                      minus its @import of Google Fonts, so the page fetches nothing from elsewhere
  /socket.io/         a reverse proxy to Rasa's socket.io channel: HTTP long-polling and WebSocket
  /api/chat           a JSON relay to Rasa's REST channel for simple clients (sender: a uuid4 hex)
  /charts/<token>.png a progress chart the coach sent (bot.chart_links), from the store
  /healthz            "ok"

Why a proxy for socket.io: the page and Rasa sit on different ports, so a browser treats them
as different origins. Rasa's channel creates its AsyncServer with `cors_allowed_origins=[]`:
python-engineio then checks no origin and adds no CORS headers, so socket.io-client's first
transport (XHR long-polling) is blocked cross-origin unless `rasa run --cors` is added. Through
this proxy the widget talks to its own origin: no CORS at all, only WEB_PORT needs to be
reachable, and Rasa's port (with its HTTP API) stays on loopback. Only /socket.io/ is
forwarded, never the rest of Rasa's routes.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
from pathlib import Path
from typing import Callable, Dict, Optional

from aiohttp import ClientSession, ClientTimeout, WSMsgType, web

from bot import chart_links
from bot.channels import limits

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
WEBCHAT_BUNDLE = HERE / "node_modules" / "rasa-webchat" / "lib" / "index.js"
# A uuid4 hex, like the widget's session ids: a client of the relay cannot pick a short or
# numeric id and so speak as someone else (a Telegram chat id, say).
SENDER_RE = re.compile(r"^[0-9a-f]{32}$")
SOCKET_PATH = "/socket.io/"
MAX_WS_MESSAGE = 1_000_000  # python-engineio's own max_http_buffer_size
# The bundle's CSS starts with this import (10 copies); Inter falls back to the system sans-serif.
FONT_IMPORT = re.compile(rb"@import url\(https://fonts\.googleapis\.com/[^)]*\);?")
# Long-polling GETs wait up to pingInterval + pingTimeout (25 s + 20 s) for data.
POLL_TIMEOUT = ClientTimeout(total=90, sock_connect=10)
FORWARD_REQUEST_HEADERS = ("Content-Type", "Accept", "Accept-Language", "User-Agent", "Cookie", "Origin")
DROP_RESPONSE_HEADERS = {"content-length", "content-encoding", "transfer-encoding", "connection",
                         "keep-alive", "server", "date"}
# Everything from this origin; inline styles because the widget injects its CSS as <style> tags.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'")

log = logging.getLogger("bot.web")


def _bad(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=400)


async def chat(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except Exception:
        return _bad("the body must be JSON: {\"sender\": \"...\", \"message\": \"...\"}")
    if not isinstance(body, dict):
        return _bad("the body must be a JSON object")
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not SENDER_RE.fullmatch(sender):
        return _bad("sender must be 32 lowercase hex digits (a random uuid4, e.g. crypto.randomUUID() without '-')")
    checked = limits.check_message(message)
    if checked.refusal is not None:  # the same limits as every channel (bot.channels.limits)
        return web.json_response({"error": checked.refusal.error, "reply": checked.refusal.reply},
                                 status=checked.refusal.status)
    message = checked.text
    if not message.strip():
        return _bad("message must be non-empty text")
    url = f"{request.app['rasa_url']}/webhooks/rest/webhook"
    async with request.app["http"].post(url, json={"sender": sender, "message": message}) as resp:
        if resp.status != 200:
            return web.json_response({"error": "the coach is not available"}, status=502)
        return web.json_response(await resp.json())


async def chart(request: web.Request) -> web.Response:
    """A progress chart by its unguessable URL; 404 for any other name or a dropped chart."""
    token = chart_links.chart_token(request.path)
    if token is None:
        raise web.HTTPNotFound()
    charts = request.app["charts"]
    if charts is None:  # the store, imported on the first chart: the page's server starts without it
        from bot.store import stored_chart as charts
    png = await asyncio.get_running_loop().run_in_executor(None, charts, token)
    if png is None:
        raise web.HTTPNotFound()
    return web.Response(body=png, content_type="image/png",
                        headers={"Cache-Control": "private, max-age=86400"})


async def index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={
        "Cache-Control": "no-cache", "Content-Security-Policy": CSP, "Content-Type": "text/html; charset=utf-8"})


async def healthz(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def config(request: web.Request) -> web.Response:
    """The widget's settings. socketUrl null = this page's own origin (the /socket.io/ proxy)."""
    return web.json_response({
        "socketUrl": None,
        "socketPath": SOCKET_PATH,
        "rasaPort": request.app["rasa_port"],
        "initPayload": "/greet",
        "inputTextFieldHint": "Type a message, e.g. let's do my check-in",
    }, headers={"Cache-Control": "no-cache"})


def load_webchat_bundle(path: Path = WEBCHAT_BUNDLE) -> Optional[bytes]:
    """The widget bundle without its Google Fonts import, or None if `npm ci` has not run."""
    try:
        return FONT_IMPORT.sub(b"", path.read_bytes())
    except FileNotFoundError:
        return None


async def webchat_js(request: web.Request) -> web.Response:
    bundle = request.app["webchat_js"]
    if bundle is None:
        return web.Response(status=503, text="rasa-webchat is not installed: run `make install`.\n")
    return web.Response(body=bundle, content_type="application/javascript", charset="utf-8",
                        headers={"Cache-Control": "public, max-age=3600"})


# ---------------- socket.io reverse proxy ----------------
def _upstream_headers(request: web.Request) -> Dict[str, str]:
    headers = {k: request.headers[k] for k in FORWARD_REQUEST_HEADERS if k in request.headers}
    headers["X-Forwarded-For"] = request.remote or ""
    headers["X-Forwarded-Host"] = request.host
    headers["X-Forwarded-Proto"] = request.scheme
    return headers


async def socketio_proxy(request: web.Request) -> web.StreamResponse:
    upstream = f"{request.app['rasa_url']}{SOCKET_PATH}"
    if request.query_string:
        upstream += "?" + request.query_string
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await _proxy_websocket(request, upstream)
    try:
        async with request.app["proxy"].request(
                request.method, upstream, headers=_upstream_headers(request), data=await request.read(),
                allow_redirects=False, timeout=POLL_TIMEOUT) as resp:
            body = await resp.read()
            headers = {k: v for k, v in resp.headers.items() if k.lower() not in DROP_RESPONSE_HEADERS}
            return web.Response(status=resp.status, body=body, headers=headers)
    except (asyncio.TimeoutError, OSError) as exc:
        log.warning("socket.io upstream unavailable: %s", exc.__class__.__name__)
        return web.Response(status=502, text="the coach is not available")


async def _proxy_websocket(request: web.Request, upstream: str) -> web.StreamResponse:
    try:
        remote = await request.app["proxy"].ws_connect(
            "ws" + upstream[len("http"):], headers=_upstream_headers(request), max_msg_size=MAX_WS_MESSAGE)
    except Exception as exc:  # noqa: BLE001 - the client falls back to long-polling
        log.warning("socket.io websocket upstream refused: %s", exc.__class__.__name__)
        return web.Response(status=502, text="the coach is not available")
    local = web.WebSocketResponse(max_msg_size=MAX_WS_MESSAGE)
    await local.prepare(request)

    async def pump(src, dst) -> None:
        async for msg in src:
            if msg.type == WSMsgType.TEXT:
                await dst.send_str(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await dst.send_bytes(msg.data)
            else:  # CLOSE, CLOSING, CLOSED, ERROR
                break

    tasks = [asyncio.ensure_future(pump(local, remote)), asyncio.ensure_future(pump(remote, local))]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await remote.close()
        await local.close()
    return local


@web.middleware
async def security_headers(request: web.Request, handler):
    resp = await handler(request)
    if not resp.prepared:  # not an open WebSocket
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
    return resp


def make_app(rasa_url: str, rasa_port: Optional[int] = None,
             charts: Optional[Callable[[str], Optional[bytes]]] = None) -> web.Application:
    """`charts`: a chart's PNG by token (bot.store.stored_chart if None; run in a worker thread)."""
    app = web.Application(client_max_size=64 * 1024, middlewares=[security_headers])
    app["charts"] = charts
    app["rasa_url"] = rasa_url
    app["rasa_port"] = rasa_port if rasa_port is not None else int(rasa_url.rsplit(":", 1)[-1])
    app["webchat_js"] = load_webchat_bundle()
    if app["webchat_js"] is None:
        log.warning("%s is missing: run `make install` (npm ci in bot/web)", WEBCHAT_BUNDLE)

    async def _open(app_: web.Application) -> None:
        app_["http"] = ClientSession(timeout=ClientTimeout(total=60))
        # No total timeout: a proxied WebSocket lives as long as the page; polls get POLL_TIMEOUT.
        app_["proxy"] = ClientSession(timeout=ClientTimeout(total=None, sock_connect=10),
                                      auto_decompress=True)

    async def _close(app_: web.Application) -> None:
        await app_["http"].close()
        await app_["proxy"].close()

    app.on_startup.append(_open)
    app.on_cleanup.append(_close)
    app.router.add_get("/", index)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/config.json", config)
    app.router.add_get(chart_links.PREFIX + "{name}", chart)
    app.router.add_get("/vendor/webchat.js", webchat_js)
    app.router.add_route("*", SOCKET_PATH, socketio_proxy)
    app.router.add_post("/api/chat", chat)
    app.router.add_static("/static/", STATIC)
    return app


def main() -> None:
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    web.run_app(make_app(f"http://127.0.0.1:{rasa_port}", rasa_port), host="127.0.0.1",
                port=int(os.environ.get("WEB_PORT", "8080")), print=None)


if __name__ == "__main__":
    main()
