"""A small aiohttp app: the chat page, and a same-origin relay to Rasa's REST channel.

The relay checks the input before Rasa sees it (a JSON object, an opaque sender
id, text of a sane length) so bad requests get a clear 400 instead of a stack trace.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from aiohttp import ClientSession, ClientTimeout, web

STATIC = Path(__file__).resolve().parent / "static"
MAX_TEXT = 4000
SENDER_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


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
    if not isinstance(sender, str) or not SENDER_RE.match(sender):
        return _bad("sender must be 8-64 letters, digits, '-' or '_'")
    if not isinstance(message, str) or not message.strip():
        return _bad("message must be non-empty text")
    if len(message) > MAX_TEXT:
        return _bad(f"message is longer than {MAX_TEXT} characters")
    url = f"{request.app['rasa_url']}/webhooks/rest/webhook"
    async with request.app["http"].post(url, json={"sender": sender, "message": message}) as resp:
        if resp.status != 200:
            return web.json_response({"error": "the coach is not available"}, status=502)
        return web.json_response(await resp.json())


async def index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def healthz(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


def make_app(rasa_url: str) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app["rasa_url"] = rasa_url

    async def _open(app_: web.Application) -> None:
        app_["http"] = ClientSession(timeout=ClientTimeout(total=60))

    async def _close(app_: web.Application) -> None:
        await app_["http"].close()

    app.on_startup.append(_open)
    app.on_cleanup.append(_close)
    app.router.add_get("/", index)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/chat", chat)
    app.router.add_static("/static/", STATIC)
    return app


def main() -> None:
    rasa_url = f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
    web.run_app(make_app(rasa_url), host="127.0.0.1", port=int(os.environ.get("WEB_PORT", "8080")),
                print=None)


if __name__ == "__main__":
    main()
