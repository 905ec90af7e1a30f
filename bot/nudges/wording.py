"""The text of every nudge, in one place.

The policy (bot.nudges.policy) chooses *what* a nudge says as a `NudgeMessage`:
its kind, which wording variant, today's walking minutes, which sleep tip, and
whether to offer a pause. This module turns that into the words. Wording rotates
(the policy never repeats yesterday's variant) because identical reminders wear
off.

Every fact here comes from the source article: continuous walking at a steady
pace for twenty to thirty minutes conditions the back, while stop-and-start
walking does not; being active during the day brings the deep sleep that helps
healing; caffeine and nicotine are stimulants to keep away from bedtime; smoking
diminishes the blood supply to the spine and makes the nervous system more
sensitive.
"""
from __future__ import annotations

from typing import Dict, List, Tuple

from bot.nudges.records import ASSESSED, NudgeMessage
from bot.thresholds import WALK_TARGET_MIN

# --- check-in: a "yes" starts it ----------------------------------------------
_CHECKIN: Tuple[str, ...] = (
    "Hi! Ready for today's quick check-in on your back? Just reply \"yes\" and we'll start.",
    "It's check-in time: a minute on how your back and your day are going. "
    "Shall we? A simple \"yes\" gets us started.",
    "How's your back doing today? If you have a minute, reply \"yes\" and we'll do your "
    "check-in together.",
)

# --- walking: today's continuous target ---------------------------------------
_WALK: Tuple[str, ...] = (
    "Time for today's walk: {minutes} minutes in one go, at a steady pace you can keep up. "
    "Tell me when you've walked and I'll note it.",
    "Is now a good moment for a walk? Today's aim is {minutes} minutes in one go, "
    "continuous rather than stop-and-start. Let me know when you're back and how long you walked.",
    "A steady walk today: {minutes} minutes in one go is the target, at an even pace "
    "the whole way. When you're done, tell me you've walked and for how long.",
)

# --- sleep: a wind-down opener and one tip -------------------------------------
_SLEEP: Tuple[str, ...] = (
    "Evening! A gentle reminder to start winding down for the night.",
    "Bedtime is getting closer, so it's a good moment to start slowing down.",
    "Time to ease into the evening: good sleep supports your back's healing.",
    "A quiet evening nudge: time to start getting ready for bed.",
)

# The sleep advice, shared by the sleep nudge and the check-in after poor nights.
_SLEEP_TIPS: Tuple[str, ...] = (
    "Being physically active during the day helps: real tiredness from moving brings "
    "the deep sleep that supports healing.",
    "Keep caffeine and nicotine away from bedtime: both are stimulants.",
    "If you smoke, try not to before bed: smoking reduces the blood supply to the tissues "
    "of your spine and makes the nervous system more sensitive.",
    # The third tip: a steady daily rhythm (the article's "regular routine").
    "Try to go to bed and get up at about the same time every day: a steady rhythm "
    "makes deep sleep come more easily.",
)
SLEEP_TIP_COUNT = len(_SLEEP_TIPS)

# Leads the sleep tip inside a check-in, after two or more poor nights.
_POOR_NIGHTS_LEAD = "You've had a couple of rough nights, so here's one idea for sleep."

# --- red flag open: once a day, "have you been assessed?" ------------------------
_ASSESSED: Tuple[str, ...] = (
    "Have you been assessed by a doctor about the symptom you told me about? "
    "A quick \"yes\" or \"not yet\" is all I need.",
    "I'm still thinking about the symptom you mentioned: have you been able to see a doctor "
    "about it yet? Just reply \"yes\" or \"not yet\".",
)

# --- after unanswered nudges ----------------------------------------------------
_OFFER_PAUSE = ("If these reminders aren't helping right now, reply \"pause for a week\" "
                "and I'll leave you in peace for a while.")

_BY_KIND: Dict[str, Tuple[str, ...]] = {
    "checkin": _CHECKIN,
    "walk": _WALK,
    # The sleep nudge's variant is its tip (see policy), so there is one variant per tip.
    "sleep": _SLEEP_TIPS,
    ASSESSED: _ASSESSED,
}


def variants(kind: str) -> int:
    """How many wording variants a message kind has (the policy rotates through them)."""
    try:
        return len(_BY_KIND[kind])
    except KeyError:
        raise ValueError(f"unknown nudge kind: {kind!r}") from None


def sleep_tip(index: int) -> str:
    """One sleep tip (any integer; it wraps)."""
    return _SLEEP_TIPS[index % SLEEP_TIP_COUNT]


def render(message: NudgeMessage) -> str:
    """The text of one nudge: its paragraphs joined with a blank line."""
    kind = message.kind
    n = variants(kind)  # raises ValueError for an unknown kind
    variant = (message.variant or 0) % n
    parts: List[str] = []
    if kind == "checkin":
        parts.append(_CHECKIN[variant])
        if message.sleep_tip is not None:
            parts.append(f"{_POOR_NIGHTS_LEAD} {sleep_tip(message.sleep_tip)}")
    elif kind == "walk":
        minutes = message.walk_minutes if message.walk_minutes else WALK_TARGET_MIN
        parts.append(_WALK[variant].format(minutes=minutes))
    elif kind == "sleep":
        parts.append(_SLEEP[variant % len(_SLEEP)])
        parts.append(sleep_tip(message.sleep_tip if message.sleep_tip is not None else variant))
    else:  # ASSESSED
        parts.append(_ASSESSED[variant])
    if message.offer_pause:
        parts.append(_OFFER_PAUSE)
    return "\n\n".join(parts)
