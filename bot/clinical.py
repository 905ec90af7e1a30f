"""Pure clinical rules: pain location ranking, direction, phase, change, streaks.

Records in, decisions out. Nothing here reads the clock or a database, so every
rule can be tested with plain values (``today`` is always a parameter).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Iterable, Mapping, Optional, Sequence, Tuple

from bot.records import CheckinRecord
from bot.thresholds import ACUTE_MAX_DAYS, MEANINGFUL_FRACTION, MEANINGFUL_POINTS, SUBACUTE_MAX_DAYS

# Proximal (0) to distal (5). Pain moving down this scale is peripheralizing,
# pain moving up it is centralizing (clinical-guidance.md).
LOCATION_RANK: Mapping[str, int] = MappingProxyType({
    "lower_back": 0,
    "upper_back": 0,
    "buttock": 1,
    "hip": 1,
    "groin": 1,
    "thigh": 2,
    "leg": 2,  # an unspecified "leg" counts as thigh level
    "knee": 3,
    "calf": 4,
    "shin": 4,
    "foot": 5,
})

_EPSILON = 1e-9  # keeps "exactly 30%" meaningful despite float rounding


def location_rank(location: Optional[str]) -> Optional[int]:
    """Rank of a canonical body part, or None when it is unknown."""
    if location is None:
        return None
    return LOCATION_RANK.get(location)


def most_distal(locations: Iterable[Optional[str]]) -> Optional[str]:
    """The furthest-from-the-spine known location; the first seen wins ties."""
    best: Optional[str] = None
    best_rank = -1
    for location in locations:
        rank = location_rank(location)
        if rank is not None and rank > best_rank:
            best, best_rank = location, rank
    return best


def previous_location(checkins: Sequence[CheckinRecord]) -> Optional[str]:
    """Location of the latest check-in (by ``at``) that reported one.

    Among records with the same timestamp the later one in the sequence wins.
    """
    latest: Optional[CheckinRecord] = None
    for checkin in checkins:
        if checkin.location is None:
            continue
        if latest is None or checkin.at >= latest.at:
            latest = checkin
    return latest.location if latest else None


def pain_direction(previous: Optional[str], current: Optional[str]) -> str:
    """Compare two locations: moving down the leg is peripheralizing."""
    before, now = location_rank(previous), location_rank(current)
    if before is None or now is None:
        return "unknown"
    if now > before:
        return "peripheralizing"
    if now < before:
        return "centralizing"
    return "stable"


# "Leg pain": thigh level (or an unspecified leg) and further from the spine.
LEG_RANK = LOCATION_RANK["thigh"]
# Pain retreating "to the back" means it is now at buttock level or above.
CENTRAL_RANK = LOCATION_RANK["buttock"]


def report_direction(earlier: Optional[str], current: Optional[str], trend: Optional[str] = None,
                     spread: Optional[str] = None) -> str:
    """The pain direction one report shows (clinical-guidance.md, centralization).

    `earlier` is the latest earlier location (this conversation first, then the
    stored history), `current` the most distal place in this report, `trend`
    its worse/better/same and `spread` the reader's cue: "further" (spreading
    down, "the sciatica is worse") or "retreat" ("only in my back now").

    - Both places known and different: moving down the leg is peripheralizing,
      moving up centralizing.
    - Otherwise, distal symptoms that increase are peripheralizing, with or
      without an earlier place: pain said to spread, or leg pain (thigh level or
      further) that gets worse ("my leg hurts more").
    - Distal symptoms that fade while the back remains are centralizing.
    - The same place with nothing else said is stable; no comparison, unknown.
    """
    moved = pain_direction(earlier, current)
    if moved in ("peripheralizing", "centralizing"):
        return moved
    rank = location_rank(current)
    if spread == "further" or (trend == "worse" and rank is not None and rank >= LEG_RANK):
        return "peripheralizing"
    if spread == "retreat" and (rank is None or rank <= CENTRAL_RANK):
        return "centralizing"
    return moved


# What each phase means for the plan, in the person's terms (clinical-guidance.md); each
# follows "That puts you ..." (actions/questions.py).
PHASE_WORDS: Mapping[str, str] = MappingProxyType({
    "acute": "in the first two weeks, when gentle movement, walking and easy stretches help most",
    "subacute": "past the first two weeks, when strengthening joins the stretching and walking",
    "chronic": "past twelve weeks, when steady, progressive strengthening and fitness matter most",
})


def phase_for(onset: Optional[date], today: date) -> Optional[str]:
    """Episode phase by days since onset; a future onset counts as today."""
    if onset is None:
        return None
    days = max((today - onset).days, 0)
    if days <= ACUTE_MAX_DAYS:
        return "acute"
    if days <= SUBACUTE_MAX_DAYS:
        return "subacute"
    return "chronic"


def is_meaningful_change(before: float, after: float) -> bool:
    """A change of 2 points, or 30% of the starting score, matters clinically."""
    delta = abs(after - before)
    if delta + _EPSILON >= MEANINGFUL_POINTS:
        return True
    return before > 0 and delta > 0 and delta + _EPSILON >= MEANINGFUL_FRACTION * before


def meaningful_improvement(before: float, after: float) -> bool:
    """Pain went down by a clinically meaningful amount."""
    return after < before and is_meaningful_change(before, after)


def checkin_streak(days: Iterable[date], today: date,
                   run_before: Optional[Tuple[date, int]] = None) -> int:
    """Consecutive check-in days ending today, or yesterday if today is still open.

    Counting from yesterday means the streak is not shown as broken in the
    morning before the person has had a chance to check in. Datetimes are
    reduced to their calendar day. `run_before` = (since, n) stands for n more
    days in a row with a check-in, ending the day before `since` (a windowed
    history's bot.records.Earlier): counted, not listed, so a year-long streak
    costs no more than a week-long one.
    """
    seen = {d.date() if isinstance(d, datetime) else d for d in days}
    first = last = None
    if run_before is not None and run_before[1] > 0:
        last = run_before[0] - timedelta(days=1)
        first = run_before[0] - timedelta(days=run_before[1])

    def checked_in(day: date) -> bool:
        return day in seen or (first is not None and first <= day <= last)

    day = today if checked_in(today) else today - timedelta(days=1)
    streak = 0
    while checked_in(day):
        if first is not None and first <= day <= last:  # the whole run before at once
            streak += (day - first).days + 1
            day = first - timedelta(days=1)
        else:
            streak += 1
            day -= timedelta(days=1)
    return streak


def streak_gained(earlier: Iterable[date], today: date,
                  run_before: Optional[Tuple[date, int]] = None) -> int:
    """The streak today's check-in makes, or 0 if today already had one.

    `earlier` are the days of the stored check-ins before this one, so a
    milestone ("3 days in a row") is celebrated once, not at every check-in;
    `run_before` as for checkin_streak.
    """
    seen = {d.date() if isinstance(d, datetime) else d for d in earlier}
    if today in seen or (run_before is not None and run_before[0] - timedelta(days=run_before[1])
                         <= today < run_before[0]):
        return 0
    return checkin_streak(seen | {today}, today, run_before)
