"""Encouragement lines sent after a check-in, an activity or a sleep log.

Pure: records in, chat lines out. Follows clinical-guidance.md "Progress and
encouragement": celebrate meaningful change, streaks, continuous walks and
strengthening; reassure that hurt is not always harm. Never diagnoses and
never talks about medication. A tier-3 referral (bot.escalation) given with a
check-in is merged into the same reply so no advice is said twice.
"""
from __future__ import annotations

import re
from typing import List, Optional, Sequence

from bot.clinical import meaningful_improvement
from bot.escalation import SPREADING_REASONS, referral_advice
from bot.progress import STRENGTH_KINDS, WALK_TARGET_MAX, WALK_TARGET_MIN, fmt_number
from bot.records import AEROBIC_ACTIVITIES, ActivityRecord, CheckinRecord

STREAK_MILESTONES = (3, 7, 14, 30)
SHORT_SLEEP_HOURS = 6.0

_SESSION_NAMES = {
    "walking": "walk",
    "cycling": "bike ride",
    "swimming": "swim",
    "water_therapy": "pool session",
    "stretching": "stretching session",
    "strengthening": "strengthening session",
    "stabilization": "stabilization session",
    "mckenzie": "McKenzie session",
}

HURT_NOT_HARM = ("Remember that hurt does not always mean harm: a flare-up is common "
                 "while your back gets used to moving again.")


# --- check-ins -------------------------------------------------------------

def _acknowledge(current: CheckinRecord) -> str:
    if current.pain_score is None:
        return "Thanks for checking in, I've noted how you're doing."
    return f"Thanks for checking in! I've logged your pain at {fmt_number(current.pain_score)}/10."


def _improvement_line(score: float, previous: Optional[float], first: Optional[float]) -> Optional[str]:
    """Celebrate a 2-point / 30% drop, against last time first, else since the start."""
    if previous is not None and meaningful_improvement(previous, score):
        return (f"That's down from {fmt_number(previous)} last time, a meaningful "
                "improvement. Well done!")
    if first is not None and meaningful_improvement(first, score):
        return (f"Since your first check-in you've come down from {fmt_number(first)} to "
                f"{fmt_number(score)}, a meaningful improvement. Your work is paying off!")
    return None


def _is_worse(current: CheckinRecord, previous_score: Optional[float]) -> bool:
    if current.pain_score is not None and previous_score is not None:
        return current.pain_score > previous_score
    return current.trend == "worse"


def _worse_line(current: CheckinRecord, previous_score: Optional[float], direction: str,
                referred: bool) -> str:
    if current.pain_score is not None and previous_score is not None:
        opening = f"I'm sorry it's gone up from {fmt_number(previous_score)} since last time."
    else:
        opening = "I'm sorry it's feeling worse today."
    if direction == "peripheralizing" or referred:
        # Spreading leg pain or a referral is a warning; don't soften it with reassurance.
        return opening
    return f"{opening} {HURT_NOT_HARM}"


CENTRALIZING = ("Good sign: your pain is moving back toward your lower back. Keep doing "
                "what you've been doing, as that's what seems to be helping.")
SPREAD_SEEN = "Your pain has spread further from your back, down toward or along your leg."
SPREAD_SELF_CARE = ("Please stop or ease off the movement that seemed to set it off. If moving "
                    "the opposite way helped before, lean on that instead.")
SPREAD_WATCH = ("Tell me if it keeps spreading or you notice new numbness or tingling, because "
                "then it's worth getting checked by a doctor or physiotherapist.")


def _direction_line(direction: str, referral: Sequence[str]) -> Optional[str]:
    """Direction advice, trimmed by what a referral in the same reply already says.

    A spreading referral explains the spread and says to stop or reduce the
    movement, so the line is dropped; any other referral already sends the
    person to a clinician, so the "tell me if it gets worse" part is dropped.
    """
    if direction == "centralizing":
        return CENTRALIZING
    if direction != "peripheralizing":
        return None
    if SPREADING_REASONS.intersection(referral):
        return None
    if referral:
        return f"{SPREAD_SEEN} {SPREAD_SELF_CARE}"
    return f"{SPREAD_SEEN} {SPREAD_SELF_CARE} {SPREAD_WATCH}"


def _streak_line(streak: int) -> Optional[str]:
    if streak in STREAK_MILESTONES:
        return (f"That's {streak} days in a row of checking in. Great consistency, "
                "it really helps us see how you're doing!")
    return None


def checkin_feedback(
    current: CheckinRecord,
    previous: Optional[CheckinRecord],
    first_score: Optional[float],
    direction: str,
    streak: int,
    referral: Sequence[str] = (),
) -> List[str]:
    """Lines to send after a check-in, most important first after the thanks.

    `referral` holds the tier-3 reasons to give now (bot.escalation); their
    advice closes the reply, so it is the last thing the person reads.
    """
    previous_score = previous.pain_score if previous else None
    lines: List[Optional[str]] = [_acknowledge(current)]
    if current.pain_score is not None:
        lines.append(_improvement_line(current.pain_score, previous_score, first_score))
    if _is_worse(current, previous_score):
        lines.append(_worse_line(current, previous_score, direction, bool(referral)))
    lines.append(_direction_line(direction, referral))
    lines.append(_streak_line(streak))
    lines.append(referral_advice(referral))
    return [line for line in lines if line]


# --- activities ------------------------------------------------------------

def _with_current(activity: ActivityRecord, week: Sequence[ActivityRecord]) -> List[ActivityRecord]:
    """The week's sessions including this one, without counting it twice."""
    sessions = list(week)
    if activity not in sessions:
        sessions.append(activity)
    return sessions


def _aerobic_line(activity: ActivityRecord) -> str:
    name = _SESSION_NAMES.get(activity.kind, "session")
    if activity.minutes is None:
        return (f"Nice {name}! Next time, tell me how many minutes it was. The aim is "
                f"{WALK_TARGET_MIN}-{WALK_TARGET_MAX} minutes at a steady pace without stopping.")
    minutes = fmt_number(activity.minutes)
    if activity.minutes >= WALK_TARGET_MIN:
        return (f"A {minutes}-minute {name}, brilliant! A continuous session of "
                f"{WALK_TARGET_MIN}-{WALK_TARGET_MAX}+ minutes is real conditioning for your back.")
    line = (f"Good job on your {minutes}-minute {name}! Next time try adding a few minutes, "
            f"building toward {WALK_TARGET_MIN}-{WALK_TARGET_MAX} minutes without stopping.")
    if activity.kind == "walking":
        line += " Stop-and-go walking on errands doesn't count toward that."
    return line


def _aerobic_minutes(sessions: Sequence[ActivityRecord]) -> float:
    return sum(float(a.minutes or 0) for a in sessions if a.kind in AEROBIC_ACTIVITIES)


def _aerobic_total_line(sessions: Sequence[ActivityRecord]) -> str:
    total = _aerobic_minutes(sessions)
    return f"That brings you to {fmt_number(total)} minutes of aerobic activity this week."


def _strength_line(activity: ActivityRecord) -> str:
    name = _SESSION_NAMES[activity.kind]
    extra = {
        "mckenzie": " Notice whether any leg pain moves back toward your lower back; that's a good sign.",
        "stabilization": " Holding a comfortable neutral spine is exactly the skill to build.",
        "strengthening": " Stronger support muscles make future flare-ups less likely.",
    }[activity.kind]
    return f"Nice work finishing your {name}!{extra}"


def _count_line(sessions: Sequence[ActivityRecord], kinds: Sequence[str], label: str) -> str:
    count = sum(1 for a in sessions if a.kind in kinds)
    noun = "session" if count == 1 else "sessions"
    return f"That's {count} {label} {noun} this week."


# Walking broken up by errands or stops (clinical-guidance.md: it does not count).
_STOP_AND_GO = re.compile(
    r"\b(stop[- ](and[- ])?go|stop[- ]start|on and off|errands?|shopping|"
    r"(a)?round the (shops?|house|supermarket|mall|office)|here and there|bits and pieces|"
    r"in bits|kept stopping|lots of stops|with (a few |some |lots of |many |several )?(stops|breaks))\b",
    re.IGNORECASE,
)


def is_stop_and_go(text: str) -> bool:
    """The walk was errands or stop-start, so it is not the continuous walk that conditions."""
    return bool(_STOP_AND_GO.search(text or ""))


def stop_and_go_feedback(minutes: Optional[float], week: Sequence[ActivityRecord]) -> List[str]:
    """Acknowledge an errands walk without counting it toward the continuous goal.

    The caller logs it without minutes, so `week` totals and plans stay about
    continuous sessions only.
    """
    walked = f"{fmt_number(minutes)} minutes on your feet" if minutes else "your walking"
    lines = [
        f"Thanks, I've noted {walked}. Walking on errands or with lots of stops is good "
        "everyday movement, but it doesn't count toward the continuous walk that conditions "
        "your back, so I haven't added the minutes to your walking total.",
        f"When you can, try one walk of {WALK_TARGET_MIN}-{WALK_TARGET_MAX} minutes at a "
        "steady pace without stopping.",
    ]
    total = _aerobic_minutes(week)
    if total > 0:
        lines.append(f"Your continuous aerobic total this week stays at {fmt_number(total)} minutes.")
    return lines


def activity_feedback(activity: ActivityRecord, week: Sequence[ActivityRecord]) -> List[str]:
    """Praise a logged session and put it in the context of the week so far."""
    sessions = _with_current(activity, week)
    if activity.kind in AEROBIC_ACTIVITIES:
        return [_aerobic_line(activity), _aerobic_total_line(sessions)]
    if activity.kind in STRENGTH_KINDS:
        return [_strength_line(activity), _count_line(sessions, STRENGTH_KINDS, "strengthening")]
    if activity.kind == "stretching":
        return ["Stretching done, nice! Go as far as is comfortable, in a slow and controlled "
                "way; tight hamstrings in particular put extra strain on the low back.",
                _count_line(sessions, ("stretching",), "stretching")]
    return ["Thanks, I've logged that session. Every bit of gradual activity helps."]


# --- sleep and fear ----------------------------------------------------------

def _sleep_tips() -> List[str]:
    return [
        "Being physically tired helps you sleep deeply, so some activity during the day, "
        "like a steady walk, can make a real difference.",
        "Try to skip caffeine and nicotine in the hours before bed; both keep your body "
        "more alert when it should be winding down.",
    ]


def sleep_feedback(quality: str, hours: Optional[float]) -> List[str]:
    """Praise good sleep; for a bad or short night, offer the article's tips."""
    short = hours is not None and hours < SHORT_SLEEP_HOURS
    if quality == "bad" or short:
        detail = f" ({fmt_number(hours)} hours)" if hours is not None else ""
        return [f"Sorry you had a rough night{detail}. Sleep matters a lot for healing."] + _sleep_tips()
    if quality == "good":
        return ["Great to hear you slept well! Good sleep gives your body the best chance to heal."]
    return ["Thanks, I've noted your sleep. Staying active during the day is one of the best "
            "ways to help sleep come more easily."]


def fear_reassurance() -> str:
    """Graded-activity reassurance for someone afraid of hurting their back again."""
    return (
        "It's very normal to worry about hurting your back again. When we're afraid, the "
        "muscles around the spine tense up to protect it, and that guarding can keep things "
        "stiff and sore. What teaches those muscles to relax and work normally again is "
        "gradual, controlled training, not resting it out. Some discomfort as you start is "
        "expected, and hurt does not always mean harm. Start small, something that feels "
        "easy, and build a little at a time."
    )
