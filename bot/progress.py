"""Progress summary: what the logs say so far, and how to tell the person.

Pure: records and ``today`` in, a summary and chat text out. Records dated
after ``today`` are ignored so the summary is always "as of today".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import List, Optional, Sequence, Tuple

from bot.clinical import checkin_streak, is_meaningful_change
from bot.records import AEROBIC_ACTIVITIES, ActivityRecord, CheckinRecord, Earlier
from bot.thresholds import WALK_TARGET_MAX, WALK_TARGET_MIN, WEEK_DAYS

STRENGTH_KINDS = ("strengthening", "stabilization", "mckenzie")


@dataclass(frozen=True)
class ProgressSummary:
    checkin_count: int
    streak_days: int
    first_score: Optional[float]
    latest_score: Optional[float]
    change: Optional[float]  # latest - first (negative = less pain); None with < 2 scores
    meaningful: bool  # per is_meaningful_change
    improved: Optional[bool]  # latest below first; None when fewer than 2 scores
    walking_minutes_7d: float  # walking minutes in the 7 days ending today
    aerobic_minutes_7d: float  # walking + cycling + swimming + water_therapy
    longest_walk_7d: float
    strengthening_sessions_7d: int  # strengthening + stabilization + mckenzie
    # The days of the first and latest scores, and the summary's "today"; None
    # leaves the dates out of the text.
    first_score_on: Optional[date] = None
    latest_score_on: Optional[date] = None
    today: Optional[date] = None


def _in_window(activity: ActivityRecord, today: date) -> bool:
    """True for today and the 6 days before it."""
    day = activity.at.date()
    return today - timedelta(days=WEEK_DAYS - 1) <= day <= today


def _minutes(activities: Sequence[ActivityRecord], kinds: Sequence[str]) -> List[float]:
    return [float(a.minutes or 0) for a in activities if a.kind in kinds]


def checkin_days(checkins: Sequence[CheckinRecord]) -> List[date]:
    """The days (by `at`) of the check-ins."""
    return [c.at.date() for c in checkins]


def run_before(earlier: Optional[Earlier]) -> Optional[Tuple[date, int]]:
    """For a windowed profile, the run of check-in days just before its window, as
    bot.clinical.checkin_streak takes it: every day a streak counted from inside the
    window can reach. (Its landmark check-ins add nothing: they lie in that run or
    before the gap that ends it.)"""
    return None if earlier is None else (earlier.since, earlier.run)


def _checkin_count(past: Sequence[CheckinRecord], earlier: Optional[Earlier]) -> int:
    """All check-ins so far: a windowed profile's own after its window starts, plus the
    count before it (which its landmark check-ins are part of)."""
    if earlier is None:
        return len(past)
    return earlier.checkins + sum(1 for c in past if c.at >= earlier.start)


def summarize_progress(
    checkins: Sequence[CheckinRecord],
    activities: Sequence[ActivityRecord],
    today: date,
    earlier: Optional[Earlier] = None,
) -> ProgressSummary:
    """Condense the logs into the numbers the progress message needs.

    `earlier` is a windowed profile's summary of the logs before its window
    (bot.records.Profile.earlier); None when the records are the whole history.
    """
    past = sorted((c for c in checkins if c.at.date() <= today), key=lambda c: c.at)
    scored = [c for c in past if c.pain_score is not None]
    scores = [float(c.pain_score) for c in scored]
    first = scores[0] if scores else None
    latest = scores[-1] if scores else None
    change = latest - first if len(scores) >= 2 else None

    week = [a for a in activities if _in_window(a, today)]
    walks = _minutes(week, ("walking",))
    return ProgressSummary(
        checkin_count=_checkin_count(past, earlier),
        streak_days=checkin_streak(checkin_days(past), today, run_before(earlier)),
        first_score=first,
        latest_score=latest,
        change=change,
        meaningful=change is not None and is_meaningful_change(first, latest),
        improved=None if change is None else change < 0,
        walking_minutes_7d=sum(walks),
        aerobic_minutes_7d=sum(_minutes(week, AEROBIC_ACTIVITIES)),
        longest_walk_7d=max(walks, default=0.0),
        strengthening_sessions_7d=sum(1 for a in week if a.kind in STRENGTH_KINDS),
        first_score_on=scored[0].at.date() if scored else None,
        latest_score_on=scored[-1].at.date() if scored else None,
        today=today,
    )


def fmt_number(value: float) -> str:
    """3.0 -> "3", 2.5 -> "2.5": scores and minutes read naturally in chat."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def say_day(day: date, today: date, on: bool = True) -> str:
    """A past day as a person says it: "today", "yesterday", "on Monday" within
    the week, "on 12 Nov" beyond it (with the year when it differs).

    on=False drops the "on" before a weekday ("the same as Monday"); a date
    keeps it ("the same as on 12 Nov").
    """
    days = (today - day).days
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if 1 < days < WEEK_DAYS:
        name = _WEEKDAYS[day.weekday()]
        return f"on {name}" if on else name
    name = f"{day.day} {_MONTHS[day.month - 1]}"
    if day.year != today.year:
        name += f" {day.year}"
    return f"on {name}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _checkin_line(s: ProgressSummary) -> str:
    line = f"You've checked in {_plural(s.checkin_count, 'time')} so far"
    if s.streak_days >= 2:
        return line + f", and you're on a {s.streak_days}-day streak. Lovely consistency!"
    if s.streak_days == 1:
        return line + ". Your current streak is 1 day; check in again tomorrow to grow it."
    return line + ". A quick check-in today would start a new streak."


def _score_line(s: ProgressSummary) -> Optional[str]:
    if s.latest_score is None:
        return None
    if s.change is None:
        return (f"Your pain score so far is {fmt_number(s.latest_score)}/10. "
                "One more check-in and I can start showing you the trend.")
    first, latest = fmt_number(s.first_score), fmt_number(s.latest_score)
    if s.today is not None and s.first_score_on is not None and s.latest_score_on is not None:
        moved = (f"Your pain went from {first}/10 {say_day(s.first_score_on, s.today)} "
                 f"to {latest}/10 {say_day(s.latest_score_on, s.today)}")
    else:
        moved = f"Your pain went from {first}/10 at your first check-in to {latest}/10 now"
    if s.improved and s.meaningful:
        return (f"{moved}. That's a clinically meaningful improvement "
                "(a drop of 2 points or 30% is what counts) — well done, your effort is paying off!")
    if s.improved:
        return (f"{moved}. It's heading the right way, though not yet the 2-point "
                "or 30% drop that counts as a meaningful change. Steady does it.")
    if s.change == 0:
        return (f"Your pain is at {latest}/10, the same as at your first check-in{_since(s)}. "
                "Progress can be slow and uneven; gradual, steady activity is what "
                "helps the back recover.")
    if s.meaningful:
        return (f"{moved}, which is a meaningful increase. I'm sorry it's been harder. "
                "If it keeps getting worse, please see a doctor or physiotherapist "
                "so they can check what's going on.")
    return (f"{moved}. That's a little higher, but not a meaningful change — ups and "
            "downs are normal. If it keeps getting worse, please see a doctor or "
            "physiotherapist.")


def _since(s: ProgressSummary) -> str:
    if s.today is None or s.first_score_on is None:
        return ""
    return f" {say_day(s.first_score_on, s.today)}"


def _walking_line(s: ProgressSummary) -> str:
    if s.walking_minutes_7d <= 0:
        return (f"No walks logged in the last 7 days. A steady walk, building up to "
                f"{WALK_TARGET_MIN}-{WALK_TARGET_MAX} minutes without stopping, is a great "
                "way to condition your back.")
    total, longest = fmt_number(s.walking_minutes_7d), fmt_number(s.longest_walk_7d)
    line = f"You've walked {total} minutes in the last 7 days (longest walk: {longest} minutes). "
    if s.longest_walk_7d >= WALK_TARGET_MIN:
        return line + (f"That reaches the {WALK_TARGET_MIN}-{WALK_TARGET_MAX} minute "
                       "continuous walk that builds real fitness. Brilliant!")
    return line + (f"Next aim: stretch one walk a few minutes longer, working toward "
                   f"{WALK_TARGET_MIN}-{WALK_TARGET_MAX} minutes at a steady pace without stopping.")


def _other_activity_line(s: ProgressSummary) -> Optional[str]:
    parts = []
    other_aerobic = s.aerobic_minutes_7d - s.walking_minutes_7d
    if other_aerobic > 0:
        parts.append(f"{fmt_number(other_aerobic)} minutes of cycling or pool work")
    if s.strengthening_sessions_7d:
        parts.append(_plural(s.strengthening_sessions_7d, "strengthening session"))
    if not parts:
        return None
    return "This week you also logged " + " and ".join(parts) + ". Nice work!"


def render_progress(summary: ProgressSummary) -> str:
    """Friendly chat text for a progress summary."""
    s = summary
    if s.checkin_count == 0:
        lines = ["There are no check-ins yet — say 'check in' to start, and I'll "
                 "track how you're doing from there."]
        if s.walking_minutes_7d > 0:
            lines.append(_walking_line(s))
        other = _other_activity_line(s)
        if other:
            lines.append(other)
        return "\n".join(lines)
    lines = [_checkin_line(s), _score_line(s), _walking_line(s), _other_activity_line(s)]
    return "\n".join(line for line in lines if line)
