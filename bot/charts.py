"""The progress chart: pain score and walking minutes per day over the last 4 weeks.

Pure: records and ``today`` in, PNG bytes out (or None when there is nothing to
plot). Drawn with Pillow, 800x600 px: the shapes (grid, goal band, bars, the
pain line and its markers, spines, ticks) on a canvas twice the size, reduced
to 800x600 by averaging each 2x2 block (antialiasing), then the text drawn at
full size with the DejaVu Sans fonts that ship with matplotlib (found on disk,
matplotlib itself is never imported). The layout copies the matplotlib chart
this replaced (an 8x6 inch figure at 100 dpi, sizes in points x 100/72), at
about a fifth of its CPU time (most of what is left is PNG encoding) and
without matplotlib's memory.
The action keeps it in the store and sends its link (bot.chart_links) after the text summary.
"""
from __future__ import annotations

import importlib.util
import io
import math
import os
from collections import defaultdict
from datetime import date, timedelta
from typing import Dict, List, Optional, Sequence, Tuple

from PIL import Image, ImageDraw, ImageFont

from bot.records import ActivityRecord, CheckinRecord
from bot.thresholds import WALK_TARGET_MAX, WALK_TARGET_MIN

WINDOW_DAYS = 28
MIN_SPAN_DAYS = 7  # a single point still gets a week of axis around it
WIDTH, HEIGHT = 800, 600
WALK_GOAL = (WALK_TARGET_MIN, WALK_TARGET_MAX)  # minutes of continuous walking the coach works toward
PAIN_COLOUR = "#c0392b"
WALK_COLOUR = "#2e86c1"
GOAL_COLOUR = "#27ae60"
GOAL_ALPHA = 0.12

_SS = 2  # supersampling factor of the shapes canvas
_PT = 100 / 72  # pixels per point at the old 100 dpi

# Plot areas in output pixels (matplotlib's left=0.1, right=0.97, top=0.86, bottom=0.08,
# hspace=0.25 and height ratios 3:2 on 800x600).
_LEFT, _RIGHT = 80.0, 776.0
_PAIN_TOP, _PAIN_BOTTOM = 84.0, 333.6
_WALK_TOP, _WALK_BOTTOM = 385.6, 552.0
_PAIN_LIM = (-0.4, 10.4)  # a 0 sits just above the axis line, not on it

_BLACK = (0, 0, 0)
_GRID = (0xDD, 0xDD, 0xDD)
_TICK_LEN = 3.5 * _PT
_TICK_PAD = 3.5 * _PT
_SPINE_W = 0.8 * _PT


def _rgb(hex_colour: str) -> Tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


# ---------------- the data ----------------
def _daily_scores(checkins: Sequence[CheckinRecord], start: date, today: date) -> Dict[date, float]:
    """The day's latest score, for each day in the window that has one."""
    scores: Dict[date, float] = {}
    for c in sorted(checkins, key=lambda c: c.at):
        if c.pain_score is not None and start <= c.at.date() <= today:
            scores[c.at.date()] = float(c.pain_score)
    return scores


def _daily_walking(activities: Sequence[ActivityRecord], start: date, today: date) -> Dict[date, float]:
    minutes: Dict[date, float] = defaultdict(float)
    for a in activities:
        if a.kind == "walking" and a.minutes and start <= a.at.date() <= today:
            minutes[a.at.date()] += float(a.minutes)
    return {day: total for day, total in minutes.items() if total > 0}


def _day_label(d: date) -> str:
    return f"{d.day} {d:%b}"  # "12 Nov": no leading zero, on any platform


def _walk_ticks(top: float, nbins: int = 4) -> List[int]:
    """Round integer ticks from 0 up to ``top``, at most ``nbins`` steps (like MaxNLocator's)."""
    raw = top / nbins
    scale = 10 ** math.floor(math.log10(raw))
    step = next(s * scale for s in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 15)
                if s * scale >= raw and float(s * scale).is_integer())
    step = int(step)
    return list(range(0, int(top) + 1, step))


# ---------------- fonts ----------------
_FONTS: Dict[Tuple[bool, float], ImageFont.FreeTypeFont] = {}


def _font_path(bold: bool) -> Optional[str]:
    """DejaVu Sans from matplotlib's package data, located without importing matplotlib."""
    try:
        spec = importlib.util.find_spec("matplotlib")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = os.path.join(list(spec.submodule_search_locations)[0], "mpl-data", "fonts", "ttf", name)
    return path if os.path.exists(path) else None


class _RememberingFont(ImageFont.FreeTypeFont):
    """A FreeType font that keeps the glyph masks it rendered: the same labels (titles,
    ticks, day names) come back on every chart, and rendering them was half its time.
    The key is every argument Pillow passes, the sub-pixel start included, so a mask is
    reused only where Pillow would have rendered the same one."""

    _LIMIT = 4096

    def getmask2(self, text, *args, **kwargs):
        key = (text, args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:  # an argument Pillow may pass as a list: render afresh
            return super().getmask2(text, *args, **kwargs)
        cache = self.__dict__.setdefault("_masks", {})
        hit = cache.get(key)
        if hit is None:
            if len(cache) >= self._LIMIT:
                cache.clear()
            hit = cache[key] = super().getmask2(text, *args, **kwargs)
        return hit


def _font(points: float, bold: bool = False):
    key = (bold, points)
    if key not in _FONTS:
        size = points * _PT
        path = _font_path(bold)
        try:
            if path is None:
                raise OSError("DejaVu Sans not found")
            _FONTS[key] = _RememberingFont(path, size, layout_engine=ImageFont.Layout.BASIC)
        except OSError:
            _FONTS[key] = ImageFont.load_default(size)
    return _FONTS[key]


# ---------------- drawing ----------------
class _Canvas:
    """The shapes canvas, addressed in output pixels (scaled by _SS here)."""

    def __init__(self) -> None:
        self.image = Image.new("RGB", (WIDTH * _SS, HEIGHT * _SS), "white")
        self.draw = ImageDraw.Draw(self.image, "RGBA")  # RGBA fills blend onto the RGB image

    @staticmethod
    def _px(v: float) -> int:
        return round(v * _SS)

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill) -> None:
        px = self._px
        if px(x1) > px(x0) and px(y1) > px(y0):
            self.draw.rectangle((px(x0), px(y0), px(x1) - 1, px(y1) - 1), fill=fill)

    def hline(self, x0: float, x1: float, y: float, width: float, fill) -> None:
        self.rect(x0, y - width / 2, x1, y + width / 2, fill)

    def vline(self, x: float, y0: float, y1: float, width: float, fill) -> None:
        self.rect(x - width / 2, y0, x + width / 2, y1, fill)

    def polyline(self, points: List[Tuple[float, float]], width: float, fill) -> None:
        if len(points) > 1:
            self.draw.line([(x * _SS, y * _SS) for x, y in points], fill=fill,
                           width=round(width * _SS), joint="curve")

    def dot(self, x: float, y: float, diameter: float, fill) -> None:
        r = diameter * _SS / 2
        self.draw.ellipse((x * _SS - r, y * _SS - r, x * _SS + r, y * _SS + r), fill=fill)

    def reduced(self) -> Image.Image:
        return self.image.reduce(_SS)


def _snap(v: float) -> float:
    """Centre of the output pixel row/column ``v`` falls in: 1-px lines stay crisp."""
    return math.floor(v) + 0.5


def _text(draw: ImageDraw.ImageDraw, xy, text: str, font, fill=_BLACK, anchor: str = "la") -> None:
    draw.text(xy, text, font=font, fill=fill, anchor=anchor)


def _vertical_text(image: Image.Image, text: str, font, right: float, centre_y: float) -> None:
    """Text read bottom to top, its right edge at ``right``, centred on ``centre_y``."""
    left, top, r, bottom = font.getbbox(text)
    mask = Image.new("L", (r - left + 2, bottom - top + 2), 0)
    ImageDraw.Draw(mask).text((1 - left, 1 - top), text, font=font, fill=255)
    mask = mask.transpose(Image.Transpose.ROTATE_90)
    x = round(right - mask.width)
    y = round(centre_y - mask.height / 2)
    image.paste(_BLACK, (x, y, x + mask.width, y + mask.height), mask)


def progress_chart_png(
    checkins: Sequence[CheckinRecord],
    activities: Sequence[ActivityRecord],
    today: date,
) -> Optional[bytes]:
    """PNG of the last 28 days (pain 0-10 above, walking minutes per day below), or None."""
    window_start = today - timedelta(days=WINDOW_DAYS - 1)
    scores = _daily_scores(checkins, window_start, today)
    walks = _daily_walking(activities, window_start, today)
    if not scores and not walks:
        return None

    first = min(list(scores) + list(walks))
    start = min(first, today - timedelta(days=MIN_SPAN_DAYS - 1))
    span = (today - start).days + 1
    day_width = (_RIGHT - _LEFT) / span

    def x_of(day: date) -> float:
        """Points and bars sit in the middle of their day."""
        return _LEFT + ((day - start).days + 0.5) * day_width

    def pain_y(score: float) -> float:
        lo, hi = _PAIN_LIM
        return _PAIN_BOTTOM - (score - lo) / (hi - lo) * (_PAIN_BOTTOM - _PAIN_TOP)

    walk_top = max([WALK_GOAL[1] * 1.2] + [m * 1.15 for m in walks.values()])

    def walk_y(minutes: float) -> float:
        return _WALK_BOTTOM - minutes / walk_top * (_WALK_BOTTOM - _WALK_TOP)

    pain_ticks = list(range(0, 11, 2))
    walk_ticks = _walk_ticks(walk_top)
    step = max(1, -(-span // 7))  # at most 7 date labels, the last one on today
    label_days = [today - timedelta(days=i) for i in range(0, span, step)]

    canvas = _Canvas()
    grid_w = _SPINE_W
    # Below everything: the light horizontal grid.
    for t in pain_ticks:
        canvas.hline(_LEFT, _RIGHT, _snap(pain_y(t)), grid_w, _GRID)
    for t in walk_ticks:
        canvas.hline(_LEFT, _RIGHT, _snap(walk_y(t)), grid_w, _GRID)

    # Walking: the goal band (translucent, edged), then total minutes a day as bars.
    goal = _rgb(GOAL_COLOUR) + (round(255 * GOAL_ALPHA),)
    band_top, band_bottom = walk_y(WALK_GOAL[1]), walk_y(WALK_GOAL[0])
    canvas.rect(_LEFT, band_top, _RIGHT, band_bottom, goal)
    for y in (band_top, band_bottom):
        canvas.hline(_LEFT, _RIGHT, _snap(y), _SPINE_W, goal)
    walk_rgb = _rgb(WALK_COLOUR)
    for day, minutes in walks.items():
        x = x_of(day)
        # Edges on whole output pixels, so bars stay crisp after the reduction.
        canvas.rect(round(x - 0.35 * day_width), round(walk_y(minutes)), round(x + 0.35 * day_width),
                    _WALK_BOTTOM, walk_rgb)

    # Spines (left and bottom only) and outward ticks.
    for top, bottom, y_of, ticks in ((_PAIN_TOP, _PAIN_BOTTOM, pain_y, pain_ticks),
                                     (_WALK_TOP, _WALK_BOTTOM, walk_y, walk_ticks)):
        left_x, bottom_y = _snap(_LEFT), _snap(bottom)
        canvas.vline(left_x, top, bottom_y + _SPINE_W / 2, _SPINE_W, _BLACK)
        canvas.hline(left_x - _SPINE_W / 2, _RIGHT, bottom_y, _SPINE_W, _BLACK)
        for t in ticks:
            canvas.hline(left_x - _TICK_LEN, left_x, _snap(y_of(t)), _SPINE_W, _BLACK)
        for day in label_days:
            canvas.vline(_snap(x_of(day)), bottom_y, bottom_y + _TICK_LEN, _SPINE_W, _BLACK)

    # Pain: one point a day (the day's latest score), lower is better; drawn over the spines.
    pain_rgb = _rgb(PAIN_COLOUR)
    points = [(x_of(d), pain_y(scores[d])) for d in sorted(scores)]
    canvas.polyline(points, 2 * _PT, pain_rgb)
    for x, y in points:
        canvas.dot(x, y, 8 * _PT, pain_rgb)  # markersize 7 plus its 1-point edge

    image = canvas.reduced()
    draw = ImageDraw.Draw(image)

    # Titles.
    centre = WIDTH / 2
    _text(draw, (centre, 0.02 * HEIGHT),
          "Your progress: the last 4 weeks" if span > MIN_SPAN_DAYS else "Your progress so far",
          _font(16, bold=True), anchor="mt")
    _text(draw, (centre, 0.09 * HEIGHT), f"{start.day} {start:%b} – {today.day} {today:%b %Y}",
          _font(11), fill=(0x55, 0x55, 0x55), anchor="ms")
    title_font = _font(11)
    _text(draw, (_LEFT, _PAIN_TOP - 6 * _PT), "Pain score (0 = no pain, 10 = worst)", title_font,
          fill=(0x33, 0x33, 0x33), anchor="ls")
    _text(draw, (_LEFT, _WALK_TOP - 6 * _PT),
          f"Walking minutes per day (green band: the {WALK_GOAL[0]}-{WALK_GOAL[1]} minute goal)",
          title_font, fill=(0x33, 0x33, 0x33), anchor="ls")

    # Tick labels, axis labels and the notes for an empty panel.
    tick_font = _font(11)
    label_right = _LEFT - _TICK_LEN - _TICK_PAD
    for top, bottom, y_of, ticks, label in (
            (_PAIN_TOP, _PAIN_BOTTOM, pain_y, pain_ticks, "Pain (0-10)"),
            (_WALK_TOP, _WALK_BOTTOM, walk_y, walk_ticks, "Walking (min)")):
        widest = 0.0
        for t in ticks:
            _text(draw, (label_right, _snap(y_of(t))), str(t), tick_font, anchor="rm")
            widest = max(widest, draw.textlength(str(t), font=tick_font))
        _vertical_text(image, label, _font(12), label_right - widest - 4 * _PT, (top + bottom) / 2)
    for day in label_days:
        _text(draw, (_snap(x_of(day)), _WALK_BOTTOM + _TICK_LEN + _TICK_PAD), _day_label(day),
              tick_font, anchor="mt")
    note = (0x77, 0x77, 0x77)
    if not scores:
        _text(draw, ((_LEFT + _RIGHT) / 2, (_PAIN_TOP + _PAIN_BOTTOM) / 2),
              "No pain scores yet: a check-in adds one", _font(12), fill=note, anchor="mm")
    if not walks:
        _text(draw, ((_LEFT + _RIGHT) / 2, _WALK_BOTTOM - 0.3 * (_WALK_BOTTOM - _WALK_TOP)),
              "No walks logged yet", _font(12), fill=note, anchor="mm")

    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
