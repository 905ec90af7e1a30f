"""The progress chart: pain score and walking minutes per day over the last 4 weeks.

Pure: records and ``today`` in, PNG bytes out (or None when there is nothing to
plot). Drawn on matplotlib's Agg canvas through the object API (no pyplot, so no
global figure state and nothing that needs a display), 800x600 px at 100 dpi.
The action sends it as a data: URI image after the text summary.
"""
from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Dict, List, Optional, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import date2num, num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from bot.records import ActivityRecord, CheckinRecord

WINDOW_DAYS = 28
MIN_SPAN_DAYS = 7  # a single point still gets a week of axis around it
SIZE_INCHES = (8, 6)
DPI = 100
WALK_GOAL = (20, 30)  # minutes of continuous walking the coach works toward
PAIN_COLOUR = "#c0392b"
WALK_COLOUR = "#2e86c1"


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


def _day_label(x: float, _pos=None) -> str:
    d = num2date(x)
    return f"{d.day} {d:%b}"  # "12 Nov": no leading zero, on any platform


def _noon(day: date) -> float:
    """Points and bars sit in the middle of their day."""
    return date2num(datetime.combine(day, time(12)))


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

    fig = Figure(figsize=SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(fig)
    pain_ax, walk_ax = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    fig.subplots_adjust(left=0.1, right=0.97, top=0.86, bottom=0.08, hspace=0.25)
    fig.suptitle("Your progress: the last 4 weeks" if span > MIN_SPAN_DAYS else "Your progress so far",
                 fontsize=16, fontweight="bold")
    fig.text(0.5, 0.91, f"{start.day} {start:%b} – {today.day} {today:%b %Y}",
             ha="center", fontsize=11, color="#555555")

    # Pain: one point a day (the day's latest score), lower is better.
    days: List[date] = sorted(scores)
    pain_ax.plot([_noon(d) for d in days], [scores[d] for d in days], color=PAIN_COLOUR,
                 marker="o", markersize=7, linewidth=2, clip_on=False, zorder=3)
    pain_ax.set_ylim(-0.4, 10.4)  # a 0 sits just above the axis line, not on it
    pain_ax.set_yticks(range(0, 11, 2))
    pain_ax.set_ylabel("Pain (0-10)", fontsize=12)
    pain_ax.set_title("Pain score (0 = no pain, 10 = worst)", loc="left", fontsize=11, color="#333333")
    pain_ax.grid(axis="y", color="#dddddd")
    pain_ax.set_axisbelow(True)
    if not scores:
        pain_ax.text(0.5, 0.5, "No pain scores yet: a check-in adds one", transform=pain_ax.transAxes,
                     ha="center", va="center", fontsize=12, color="#777777")

    # Walking: total minutes a day, with the 20-30 minute goal shaded.
    walk_days = sorted(walks)
    walk_ax.bar([_noon(d) for d in walk_days], [walks[d] for d in walk_days], width=0.7,
                color=WALK_COLOUR, zorder=3)
    top = max([WALK_GOAL[1] * 1.2] + [m * 1.15 for m in walks.values()])
    walk_ax.set_ylim(0, top)
    walk_ax.axhspan(*WALK_GOAL, color="#27ae60", alpha=0.12, zorder=1)
    walk_ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    walk_ax.set_ylabel("Walking (min)", fontsize=12)
    walk_ax.set_title(f"Walking minutes per day (green band: the {WALK_GOAL[0]}-{WALK_GOAL[1]} minute goal)",
                      loc="left", fontsize=11, color="#333333")
    walk_ax.grid(axis="y", color="#dddddd")
    walk_ax.set_axisbelow(True)
    if not walks:
        walk_ax.text(0.5, 0.3, "No walks logged yet", transform=walk_ax.transAxes,
                     ha="center", va="center", fontsize=12, color="#777777")

    walk_ax.set_xlim(date2num(datetime.combine(start, time())),
                     date2num(datetime.combine(today + timedelta(days=1), time())))
    step = max(1, -(-span // 7))  # at most 7 date labels, the last one on today
    walk_ax.xaxis.set_major_locator(FixedLocator(
        [_noon(today - timedelta(days=i)) for i in range(0, span, step)]))
    walk_ax.xaxis.set_major_formatter(FuncFormatter(_day_label))
    for ax in (pain_ax, walk_ax):
        ax.tick_params(labelsize=11)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()
