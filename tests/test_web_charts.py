"""The web page's server hands out a progress chart by its link (bot.chart_links), nothing else."""
from __future__ import annotations

import asyncio
from datetime import datetime

from aiohttp.test_utils import TestClient, TestServer

from bot import chart_links
from bot.store import open_store
from bot.web.server import make_app

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


def _get_all(app, paths):
    async def scenario():
        async with TestClient(TestServer(app)) as client:
            answers = []
            for path in paths:
                resp = await client.get(path)
                answers.append((resp.status, resp.headers.get("Content-Type"), await resp.read(),
                                resp.headers.get("Cache-Control")))
            return answers

    return asyncio.run(scenario())


def test_a_kept_chart_is_served_as_png_and_anything_else_is_not_found(sqlite_url):
    store = open_store(sqlite_url)
    token = store.save_chart("someone", PNG, datetime(2026, 11, 30, 9, 0))
    app = make_app("http://127.0.0.1:9", 9, charts=store.chart_png)
    ok, unknown, bad_name, traversal, no_suffix = _get_all(app, [
        chart_links.chart_url(token), chart_links.chart_url("z" * 24), "/charts/short.png",
        "/charts/..%2F..%2Fetc%2Fpasswd", chart_links.PREFIX + token])
    assert ok[:3] == (200, "image/png", PNG) and ok[3] == "private, max-age=86400"
    assert [a[0] for a in (unknown, bad_name, traversal, no_suffix)] == [404, 404, 404, 404]
    store.engine.dispose()


def test_a_link_reads_the_store_once_per_request_and_never_for_a_malformed_name():
    asked = []

    def charts(token):
        asked.append(token)
        return PNG

    app = make_app("http://127.0.0.1:9", 9, charts=charts)
    good = "a" * 24
    answers = _get_all(app, [chart_links.chart_url(good), "/charts/" + "a" * 23 + ".png", "/charts/" + good + ".gif"])
    assert [a[0] for a in answers] == [200, 404, 404] and asked == [good]
