"""The progress chart (bot.charts) and the action that sends it after the summary."""
from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime, timedelta

import numpy as np
from PIL import Image
from rasa_sdk.executor import CollectingDispatcher

from actions.progress import ActionProgressSummary
from bot import chart_links
from bot import charts, thresholds
from bot.charts import progress_chart_png
from bot.records import ActivityRecord, CheckinRecord

TODAY = date(2026, 11, 25)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def at(days_ago: int, hour: int = 9) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time()).replace(hour=hour)


def decoded(png: bytes):
    """The chart's pixels as floats 0-1, rows x columns x RGB."""
    assert png[:8] == PNG_SIGNATURE
    assert len(png) < 100_000, f"{len(png)} bytes"
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (800, 600)
    pixels = np.asarray(image.convert("RGB"), dtype=float) / 255
    assert pixels.shape == (600, 800, 3)
    return pixels


def ink(pixels, colour, tolerance: float = 0.08) -> int:
    """How many pixels are (close to) an RGB colour: a series is drawn iff it leaves some."""
    rgb = pixels[:, :, :3]
    return int((abs(rgb - [c / 255 for c in colour]).max(axis=2) < tolerance).sum())


def rows_of(pixels, colour, tolerance: float = 0.08):
    """Row numbers (top = 0) holding (close to) a colour."""
    return np.nonzero((abs(pixels - [c / 255 for c in colour]).max(axis=2) < tolerance).any(axis=1))[0]


PAIN_RGB = (0xC0, 0x39, 0x2B)
WALK_RGB = (0x2E, 0x86, 0xC1)
# The goal band: #27ae60 at 12% over white (pale: matched tightly, antialiased text comes close).
BAND_TOLERANCE = 0.015
BAND_RGB = tuple(round(255 - 0.12 * (255 - c)) for c in (0x27, 0xAE, 0x60))
NOTE_RGB = (0x77, 0x77, 0x77)
# The two panels, by rows: pain above (its title above row 80), walking below.
TOP_PANEL = slice(80, 340)
BOTTOM_PANEL = slice(380, 560)


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


def test_each_series_is_drawn_in_its_own_panel_with_the_goal_band():
    checkins = [CheckinRecord(at=at(d), pain_score=d % 11) for d in range(28)]
    walks = [ActivityRecord(at=at(d), kind="walking", minutes=5 + d) for d in range(28)]
    pixels = decoded(progress_chart_png(checkins, walks, TODAY))
    top, bottom = pixels[TOP_PANEL], pixels[BOTTOM_PANEL]
    assert ink(top, PAIN_RGB) > 500 and ink(bottom, PAIN_RGB) == 0
    assert ink(bottom, WALK_RGB) > 2000 and ink(top, WALK_RGB) == 0
    assert ink(bottom, BAND_RGB, BAND_TOLERANCE) > 1000 and ink(top, BAND_RGB, BAND_TOLERANCE) == 0
    # The band is there (and only there) with no walks at all.
    no_walks = decoded(progress_chart_png(checkins[:1], [], TODAY))
    assert ink(no_walks[BOTTOM_PANEL], BAND_RGB, BAND_TOLERANCE) > 5000
    assert ink(no_walks[TOP_PANEL], BAND_RGB, BAND_TOLERANCE) == 0


def test_bars_and_markers_sit_at_their_values():
    # A 30-minute day reaches the top of the 20-30 minute band: bars and band share one scale.
    pixels = decoded(progress_chart_png([], [ActivityRecord(at=at(0), kind="walking", minutes=30)], TODAY))
    band = rows_of(pixels[:, :400], BAND_RGB, BAND_TOLERANCE)  # left half: band only, the bar is on today (right)
    bar = rows_of(pixels, WALK_RGB)
    assert abs(bar.min() - band.min()) <= 2 and bar.max() > band.max() + 20
    short = rows_of(decoded(progress_chart_png([], [ActivityRecord(at=at(0), kind="walking", minutes=10)],
                                               TODAY)), WALK_RGB)
    assert short.min() > band.max() and short.max() == bar.max()  # shorter, on the same baseline
    # Lower pain is drawn lower, and the whole scale fits the top panel.
    def marker_row(score):
        rows = rows_of(decoded(progress_chart_png([CheckinRecord(at=at(0), pain_score=score)], [], TODAY)), PAIN_RGB)
        assert TOP_PANEL.start < rows.min() and rows.max() < TOP_PANEL.stop
        return rows.mean()
    zero, five, ten = marker_row(0), marker_row(5), marker_row(10)
    assert zero - five > 80 and five - ten > 80 and abs((zero - five) - (five - ten)) <= 2


def test_a_day_shows_its_latest_score_and_its_total_walking():
    latest = [CheckinRecord(at=at(3), pain_score=5), CheckinRecord(at=at(0, 20), pain_score=2)]
    walk = [ActivityRecord(at=at(0, 12), kind="walking", minutes=30)]
    same_day = [CheckinRecord(at=at(0, 20), pain_score=2), CheckinRecord(at=at(0, 8), pain_score=8),
                CheckinRecord(at=at(3), pain_score=5)]
    split_walk = [ActivityRecord(at=at(0, 7), kind="walking", minutes=10),
                  ActivityRecord(at=at(0, 18), kind="walking", minutes=20),
                  ActivityRecord(at=at(0, 9), kind="stretching", minutes=15)]
    assert progress_chart_png(same_day, split_walk, TODAY) == progress_chart_png(latest, walk, TODAY)


def test_an_empty_panel_says_so():
    def note_ink(pixels, rows):
        return ink(pixels[rows, 250:610], NOTE_RGB)
    pain_rows, walk_rows = slice(195, 225), slice(488, 518)
    pain_only = decoded(progress_chart_png([CheckinRecord(at=at(0), pain_score=4)], [], TODAY))
    walks_only = decoded(progress_chart_png([], [ActivityRecord(at=at(0), kind="walking", minutes=25)], TODAY))
    assert note_ink(pain_only, walk_rows) > 30 and note_ink(pain_only, pain_rows) == 0
    assert note_ink(walks_only, pain_rows) > 30 and note_ink(walks_only, walk_rows) == 0


def test_the_walking_goal_comes_from_thresholds():
    assert charts.WALK_GOAL == (thresholds.WALK_TARGET_MIN, thresholds.WALK_TARGET_MAX)


def test_the_chart_does_not_load_matplotlib():
    code = ("import sys, datetime; from bot.charts import progress_chart_png; from bot.records import CheckinRecord; "
            "assert progress_chart_png([CheckinRecord(at=datetime.datetime(2026, 11, 25, 9), pain_score=3)], [], "
            "datetime.date(2026, 11, 25)); print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


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
    token = chart_links.chart_token(image["image"])  # a short URL, not the picture itself
    assert token is not None and not image.get("text") and len(image["image"]) < 64
    decoded(store.chart_png(token))


async def test_progress_action_without_history_sends_no_image(store, tracker_factory, domain):
    dispatcher = CollectingDispatcher()
    await ActionProgressSummary().run(dispatcher, tracker_factory("show my progress", "ask_progress"), domain)
    assert len(dispatcher.messages) == 1 and dispatcher.messages[0]["text"]
    assert not dispatcher.messages[0].get("image")


def test_remembered_glyphs_draw_exactly_what_fresh_rendering_draws(monkeypatch):
    checkins = [CheckinRecord(at=at(d), pain_score=float(7 - d % 5)) for d in range(20)]
    walks = [ActivityRecord(at=at(d, 17), kind="walking", minutes=5 + d) for d in range(0, 20, 2)]
    monkeypatch.setattr(charts, "_FONTS", {})  # fonts made afresh for this test
    first = progress_chart_png(checkins, walks, TODAY)
    remembered = progress_chart_png(checkins, walks, TODAY)
    assert any(getattr(font, "_masks", None) for font in charts._FONTS.values())
    monkeypatch.setattr(charts._RememberingFont, "getmask2", charts.ImageFont.FreeTypeFont.getmask2)
    fresh = progress_chart_png(checkins, walks, TODAY)
    assert first == remembered == fresh
