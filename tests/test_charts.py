"""The progress chart (bot.charts) and the action that sends it after the summary."""
from __future__ import annotations

import base64
import io
from datetime import date, datetime, timedelta

import matplotlib.image as mpimg
from rasa_sdk.executor import CollectingDispatcher

from actions.progress import ActionProgressSummary
from bot.charts import progress_chart_png
from bot.records import ActivityRecord, CheckinRecord

TODAY = date(2026, 11, 25)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def at(days_ago: int, hour: int = 9) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time()).replace(hour=hour)


def decoded(png: bytes):
    assert png[:8] == PNG_SIGNATURE
    assert len(png) < 100_000, f"{len(png)} bytes"
    pixels = mpimg.imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (600, 800)  # rows x columns: 800x600 px
    return pixels


def ink(pixels, colour) -> int:
    """How many pixels are (close to) an RGB colour: a series is drawn iff it leaves some."""
    rgb = pixels[:, :, :3]
    return int((abs(rgb - [c / 255 for c in colour]).max(axis=2) < 0.08).sum())


PAIN_RGB = (0xC0, 0x39, 0x2B)
WALK_RGB = (0x2E, 0x86, 0xC1)


def test_nothing_to_plot_gives_none():
    assert progress_chart_png([], [], TODAY) is None
    # Only records the chart ignores: no score, not walking, outside the window, in the future.
    only_ignored = progress_chart_png(
        [CheckinRecord(at=at(0), location="calf"), CheckinRecord(at=at(40), pain_score=5),
         CheckinRecord(at=at(-2), pain_score=5)],
        [ActivityRecord(at=at(0), kind="stretching", minutes=10), ActivityRecord(at=at(1), kind="walking"),
         ActivityRecord(at=at(29), kind="walking", minutes=30)],
        TODAY)
    assert only_ignored is None


def test_one_point_draws_both_panels_readably():
    pixels = decoded(progress_chart_png([CheckinRecord(at=at(0), pain_score=4)], [], TODAY))
    assert ink(pixels, PAIN_RGB) > 20 and ink(pixels, WALK_RGB) == 0
    walks_only = decoded(progress_chart_png([], [ActivityRecord(at=at(0), kind="walking", minutes=25)], TODAY))
    assert ink(walks_only, WALK_RGB) > 200 and ink(walks_only, PAIN_RGB) == 0


def test_gaps_a_zero_score_and_several_reports_a_day():
    checkins = [CheckinRecord(at=at(10), pain_score=6), CheckinRecord(at=at(3), pain_score=3),
                CheckinRecord(at=at(0, 8), pain_score=2), CheckinRecord(at=at(0, 20), pain_score=0)]
    walks = [ActivityRecord(at=at(9), kind="walking", minutes=10), ActivityRecord(at=at(0, 7), kind="walking", minutes=15),
             ActivityRecord(at=at(0, 18), kind="walking", minutes=15)]
    pixels = decoded(progress_chart_png(checkins, walks, TODAY))
    assert ink(pixels, PAIN_RGB) > 50 and ink(pixels, WALK_RGB) > 200


def test_a_zero_score_is_drawn_not_clipped():
    zero = decoded(progress_chart_png([CheckinRecord(at=at(0), pain_score=0)], [], TODAY))
    # The whole marker shows: about as much ink as a marker mid-axis leaves.
    mid = decoded(progress_chart_png([CheckinRecord(at=at(0), pain_score=5)], [], TODAY))
    assert ink(zero, PAIN_RGB) >= 0.9 * ink(mid, PAIN_RGB) > 20


def test_long_history_keeps_only_the_last_28_days_and_stays_small():
    checkins = [CheckinRecord(at=at(d), pain_score=(d * 7) % 11) for d in range(400)]
    walks = [ActivityRecord(at=at(d), kind="walking", minutes=5 + d % 40) for d in range(400)]
    recent = progress_chart_png(checkins[:28], walks[:28], TODAY)
    assert progress_chart_png(checkins, walks, TODAY) == recent
    decoded(recent)


def test_rendering_is_deterministic():
    checkins = [CheckinRecord(at=at(2), pain_score=5), CheckinRecord(at=at(0), pain_score=4)]
    assert progress_chart_png(checkins, [], TODAY) == progress_chart_png(checkins, [], TODAY)


# ---------------- the action ----------------
async def test_progress_action_sends_the_summary_then_a_png_chart(store, tracker_factory, domain):
    now = datetime.utcnow()
    store.add_checkin("tester", CheckinRecord(at=now - timedelta(days=2), pain_score=7), "unknown")
    store.add_checkin("tester", CheckinRecord(at=now, pain_score=4), "unknown")
    store.add_activity("tester", ActivityRecord(at=now, kind="walking", minutes=22))
    dispatcher = CollectingDispatcher()
    await ActionProgressSummary().run(dispatcher, tracker_factory("show my progress", "ask_progress"), domain)
    text, image = dispatcher.messages
    assert "22" in text["text"] and not text.get("image")
    prefix = "data:image/png;base64,"
    assert image["image"].startswith(prefix) and not image.get("text")
    decoded(base64.b64decode(image["image"][len(prefix):]))


async def test_progress_action_without_history_sends_no_image(store, tracker_factory, domain):
    dispatcher = CollectingDispatcher()
    await ActionProgressSummary().run(dispatcher, tracker_factory("show my progress", "ask_progress"), domain)
    assert len(dispatcher.messages) == 1 and dispatcher.messages[0]["text"]
    assert not dispatcher.messages[0].get("image")
