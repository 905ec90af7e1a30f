"""The web chat page in a real browser: headless Debian Chromium driven by Playwright.

The action, Rasa and web servers start once for this module (free ports, a fresh SQLite
database), as `make run` starts them. The page loads the rasa-webchat widget from our own
server and talks socket.io through the web server's /socket.io/ proxy. Screenshots go to
results/browser/. Without /usr/bin/chromium (`make browser` installs it) or the Playwright
package the tests skip with the reason, or fail under REQUIRE_SERVICES=1.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from bot.settings import PROJECT_ROOT
from tests.coach_servers import running_coach

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking"]
SHOTS = PROJECT_ROOT / "results" / "browser"
REPLY_TIMEOUT_MS = 60_000
SESSION_ID = re.compile(r"^[0-9a-f]{32}$")  # uuid.uuid4().hex, made by Rasa's socket.io channel
# The widget's bubbles, skipping the "typing" dots it shows while a reply is held back.
MESSAGES_JS = """[...document.querySelectorAll(
    '.rw-message:not(.rw-typing-indication) :is(.rw-client, .rw-response, img.rw-image-frame)')]
  .map(e => e.matches('img') ? ['bot', '[image]']
                             : [e.matches('.rw-client') ? 'user' : 'bot', e.innerText.trim()])"""


def _missing(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"required for the browser tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def playwright_api():
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (requirements.lock pins it)")
    # The sync API refuses to run inside an event loop; module fixtures and plain
    # (non-async) tests run outside pytest-asyncio's loops, so it is safe here.
    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="module")
def browser(playwright_api):
    b = playwright_api.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture(scope="module")
def coach(tmp_path_factory, playwright_api):
    with running_coach(tmp_path_factory.mktemp("web"), RASA_AUTH_TOKEN="") as servers:
        yield servers


@pytest.fixture(scope="module")
def shots():
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    return SHOTS


class Chat:
    """One browser tab on the chat page, with what it requested on the way."""

    def __init__(self, context, coach):
        self.context, self.coach = context, coach
        self.page = context.new_page()
        self.requests, self.websockets, self.errors = [], [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("websocket", lambda ws: self.websockets.append(ws.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        # Console errors too: a CSP violation, a 404, a failed socket.io request.
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))

    def open(self) -> "Chat":
        self.page.goto(self.coach.web_url + "/")
        self.page.wait_for_function("() => (JSON.parse(localStorage.getItem('chat_session') || '{}')"
                                    ").session_id", timeout=REPLY_TIMEOUT_MS)
        return self

    def session_id(self) -> str:
        return self.page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id")

    def messages(self):
        """(who, text) of every message shown, in order: 'user' or 'bot'; a picture reads '[image]'."""
        return [tuple(m) for m in self.page.evaluate(MESSAGES_JS)]

    def bot_texts(self) -> str:
        return "\n".join(text for who, text in self.messages() if who == "bot")

    def bot_count(self) -> int:
        return sum(1 for who, _ in self.messages() if who == "bot")

    def wait_for_bot(self, count: int, settle: float = 1.0) -> None:
        """Until at least `count` bot messages show, and nothing more arrives for `settle` seconds."""
        self.page.wait_for_function(f"() => ({MESSAGES_JS}).filter(m => m[0] === 'bot').length >= {count}",
                                    timeout=REPLY_TIMEOUT_MS)
        seen = None
        while seen != self.messages():
            seen = self.messages()
            time.sleep(settle)

    def say(self, text: str) -> None:
        bots = self.bot_count()
        self.page.fill(".rw-new-message", text)
        self.page.keyboard.press("Enter")
        self.page.wait_for_function(
            "t => [...document.querySelectorAll('.rw-message .rw-client')].some(e => e.innerText.trim() === t)",
            arg=text, timeout=10_000)
        self.wait_for_bot(bots + 1)

    def shot(self, name: str) -> Path:
        path = SHOTS / name
        self.page.screenshot(path=str(path))
        return path


def checkins_of(coach, sender: str) -> list:
    with coach.db.connect() as conn:
        return conn.execute(sa.text(
            "SELECT c.pain_score, c.location, c.trend FROM coach_checkins c "
            "JOIN coach_users u ON u.id = c.user_id WHERE u.sender_id = :s"), {"s": sender}).all()


def test_page_shows_the_disclaimer_and_loads_everything_from_its_own_server(browser, coach, shots):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        chat = Chat(context, coach).open()
        notice = chat.page.locator("#disclaimer")
        assert notice.is_visible()
        text = notice.inner_text().lower()
        assert "not medical advice" in text and "not a doctor" in text and "emergency number" in text
        assert "delete my data" in chat.page.locator("#privacy").inner_text()
        chat.wait_for_bot(1)  # the greeting, from the initPayload
        assert "coach" in chat.bot_texts().lower()
        chat.shot("01-greeting.png")
        # No CDN, no web fonts: every request stays on the web server's origin.
        outside = [u for u in chat.requests if not u.startswith((coach.web_url, "data:"))]
        assert outside == [], outside
        assert f"{coach.web_url}/vendor/webchat.js" in chat.requests
        # socket.io goes through the web server's proxy and upgrades to a WebSocket there.
        ws_origin = coach.web_url.replace("http://", "ws://")
        assert any(u.startswith(f"{ws_origin}/socket.io/") for u in chat.websockets), chat.websockets
        assert chat.errors == []
        # A narrow phone screen: the disclaimer and the chat input both still show.
        chat.page.set_viewport_size({"width": 390, "height": 844})
        assert notice.is_visible() and chat.page.locator(".rw-new-message").is_visible()
        chat.shot("02-phone.png")
    finally:
        context.close()


def test_checkin_survives_a_reload_and_progress_shows_a_png_chart(browser, coach, shots):
    context = browser.new_context(viewport={"width": 1000, "height": 1000})
    try:
        chat = Chat(context, coach).open()
        chat.wait_for_bot(1)
        me = chat.session_id()
        chat.say("my lower back is a 4 today, about the same")
        assert "4/10" in chat.bot_texts()
        assert checkins_of(coach, me) == [(4.0, "lower_back", "same")]  # socket.io sender = session id
        before = chat.messages()
        chat.shot("03-checkin.png")

        chat.page.reload()
        chat.page.wait_for_function(
            "t => [...document.querySelectorAll('.rw-message .rw-client')].some(e => e.innerText.trim() === t)",
            arg="my lower back is a 4 today, about the same", timeout=REPLY_TIMEOUT_MS)
        chat.wait_for_bot(len([m for m in before if m[0] == "bot"]))
        after = chat.messages()
        assert after[:len(before)] == before, (before, after)
        assert chat.session_id() == me
        chat.shot("04-after-reload.png")

        chat.say("I walked 25 minutes")
        chat.say("show my progress")
        image = chat.page.locator(".rw-message img.rw-image-frame").last
        image.wait_for(timeout=REPLY_TIMEOUT_MS)
        src = image.get_attribute("src")
        assert src.startswith("/charts/") and src.endswith(".png")  # by reference, from the page's server
        png = requests.get(coach.web_url + src, timeout=30).content
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < 100_000
        assert chat.page.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]",
                                  image.element_handle()) == [True, 800, 600]
        assert image.get_attribute("alt").startswith("Chart:")
        assert "checked in 1 time" in chat.bot_texts() and "25 minutes" in chat.bot_texts()
        assert chat.messages()[-1] == ("bot", "[image]")  # the summary first, then the chart
        image.scroll_into_view_if_needed()
        chat.shot("05-progress-chart.png")
        assert chat.errors == []
    finally:
        context.close()


def test_fresh_browsers_get_different_unguessable_session_ids(browser, coach):
    ids = []
    for _ in range(2):
        context = browser.new_context()
        try:
            ids.append(Chat(context, coach).open().session_id())
        finally:
            context.close()
    assert ids[0] != ids[1]
    assert all(SESSION_ID.match(i) for i in ids), ids
