"""Encouragement lines sent after a check-in, an activity or a sleep log.

Pure: records in, chat lines out. Follows clinical-guidance.md "Progress and
encouragement": celebrate meaningful change, streaks, continuous walks and
strengthening; reassure that hurt is not always harm. Never diagnoses and
never talks about medication. A tier-3 referral (bot.escalation) given with a
check-in is merged into the same reply so no advice is said twice.

Check-in feedback cites the record: the earlier score with its day ("down from
6 on Monday to 4 today") and what was logged since ("with three walks since").
direction_advice gives the article's words on spreading and centralizing pain.
The fear reply answers the fear the message names, with a first small step
from today's plan.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple

from bot.clinical import is_meaningful_change, location_rank, meaningful_improvement
from bot.escalation import SPREAD_SELF_CARE, SPREADING_REASONS, EpisodeAge, referral_advice
from bot.guidance import clean_text, word_pattern
from bot.progress import STRENGTH_KINDS, fmt_number, say_day
from bot.records import AEROBIC_ACTIVITIES, ActivityRecord, ActivityReport, CheckinRecord
from bot.thresholds import SHORT_SLEEP_HOURS, WALK_TARGET_MAX, WALK_TARGET_MIN

if TYPE_CHECKING:  # only for the annotation: the planner stays free to import this module
    from bot.knowledge.model import Exercise
    from bot.planner import Plan

STREAK_MILESTONES = (3, 7, 14, 30)

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
_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")

HURT_NOT_HARM = ("Remember that hurt does not always mean harm: a flare-up is common "
                 "while your back gets used to moving again.")


# --- check-ins -------------------------------------------------------------

def _acknowledge(current: CheckinRecord) -> str:
    if current.pain_score is None:
        return "Thanks for checking in, I've noted how you're doing."
    return f"Thanks for checking in! I've logged your pain at {fmt_number(current.pain_score)}/10."


def _count(count: int, noun: str) -> str:
    """3, "walk" -> "three walks"."""
    number = _COUNT_WORDS[count] if count < len(_COUNT_WORDS) else str(count)
    return f"{number} {noun}" if count == 1 else f"{number} {noun}s"


def sessions_since(activities: Sequence[ActivityRecord], since: datetime,
                   until: Optional[datetime] = None) -> Optional[str]:
    """What was logged after `since` up to `until`: "three walks and one swim".

    Most frequent first; None when nothing was logged.
    """
    counts: Dict[str, int] = {}
    for activity in activities:
        if activity.at > since and (until is None or activity.at <= until):
            name = _SESSION_NAMES.get(activity.kind, "session")
            counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    parts = [_count(n, name) for name, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _when(record: CheckinRecord, today: date, on: bool = True) -> str:
    """When an earlier check-in was: "yesterday", "on Monday", "on 12 Nov", "earlier today"."""
    day = record.at.date()
    return "earlier today" if day >= today else say_day(day, today, on)


def _warning_given(direction: Optional[str], referral: Sequence[str]) -> bool:
    """Spreading leg pain or a referral is a warning; don't soften it with reassurance."""
    return direction == "peripheralizing" or bool(referral)


def _score_change_line(score: float, previous: CheckinRecord, today: date, done: Optional[str],
                       warned: bool) -> str:
    """The score against the last scored check-in, dated and linked to what was done since."""
    before = float(previous.pain_score)
    was, now_ = fmt_number(before), fmt_number(score)
    since = f", with {done} since" if done else ""
    if meaningful_improvement(before, score):
        return (f"That's down from {was} {_when(previous, today)} to {now_} today{since}: "
                "a meaningful improvement. Well done!")
    if score < before:
        return (f"A little lower than {_when(previous, today, on=False)} ({was}){since}. "
                "Small steps add up, so keep going.")
    if score == before:
        return (f"About the same as {_when(previous, today, on=False)} ({was}){since}. "
                "Steady is fine: recovery often comes in plateaus, and keeping gently active "
                "is what moves it on.")
    if is_meaningful_change(before, score):
        opening = f"I'm sorry it's gone up from {was} {_when(previous, today)}."
    else:
        opening = (f"A little up from {was} {_when(previous, today)}. Small ups and downs "
                   "are normal.")
    return opening if warned else f"{opening} {HURT_NOT_HARM}"


def _first_line(score: float, first_score: float, first_day: Optional[date],
                today: date) -> Optional[str]:
    """A meaningful drop since the first check-in, dated when its day is known."""
    if not meaningful_improvement(first_score, score):
        return None
    when = "" if first_day is None else (
        " earlier today" if first_day >= today else f" {say_day(first_day, today)}")
    return (f"Since your first check-in{when} you've come down from {fmt_number(first_score)} "
            f"to {fmt_number(score)}, a meaningful improvement. Your work is paying off!")


def _trend_line(trend: Optional[str], warned: bool) -> Optional[str]:
    """Without two scores to compare, the person's own word decides."""
    if trend == "worse":
        opening = "I'm sorry it's feeling worse today."
        return opening if warned else f"{opening} {HURT_NOT_HARM}"
    if trend == "better":
        return "Good to hear it's easing. Keep up what you've been doing."
    if trend == "same":
        return "Steady is fine: keeping gently active is what moves recovery on."
    return None


PERIPHERALIZING_SEEN = ("Your pain is spreading further down your leg, moving away from your "
                        "spine (peripheralizing), which is a sign to change course.")
# The same, when it has spread only as far as the buttock, hip or groin (not yet the leg).
PERIPHERALIZING_SEEN_NEAR = ("Your pain is spreading out into your {place}, moving away from your "
                             "spine (peripheralizing), which is a sign to change course.")
PERIPHERALIZING_WATCH = ("If it keeps spreading, or you notice new numbness or tingling, please "
                         "see a doctor or physiotherapist.")
CENTRALIZING = ("Good sign: your pain is moving back toward the middle of your lower back "
                "(centralizing). Drawing pain back toward the spine is exactly what McKenzie "
                "exercises aim for, so keep doing what helped.")


def direction_advice(direction: Optional[str], referral: Sequence[str] = (),
                     location: Optional[str] = None) -> Optional[str]:
    """What the article says about the pain's direction, or None when there is nothing to say.

    Peripheralizing: name it, stop or reduce what set it off, prefer the
    opposite direction if it helped, see a clinician if it keeps spreading.
    Centralizing: name it as the good sign and keep doing what helped.
    `referral` (tier-3 reasons given in the same reply) trims what it already
    says: a spreading referral explains the spread and the self-care, so
    nothing is added; any other referral already sends them to a clinician.
    `location`, where the pain now reaches, keeps a spread into the buttock, hip or
    groin from being called a spread down the leg.
    """
    if direction == "centralizing":
        return CENTRALIZING
    if direction != "peripheralizing":
        return None
    if SPREADING_REASONS.intersection(referral):
        return None
    self_care = SPREAD_SELF_CARE[0].upper() + SPREAD_SELF_CARE[1:]
    seen = PERIPHERALIZING_SEEN
    if location is not None and location_rank(location) == location_rank("buttock"):
        seen = PERIPHERALIZING_SEEN_NEAR.format(place=location.replace("_", " "))
    if referral:
        return f"{seen} {self_care}"
    return f"{seen} {self_care} {PERIPHERALIZING_WATCH}"


def checkin_update(record: CheckinRecord, asked_again: bool = False) -> str:
    """A later report the same day amends today's check-in: say what it now holds.
    `asked_again`: they asked to check in again with nothing new to add."""
    parts = []
    if record.pain_score is not None:
        parts.append(f"pain {fmt_number(record.pain_score)}/10")
    if record.location:
        parts.append(f"furthest point: {record.location.replace('_', ' ')}")
    if record.symptoms:
        parts.append(", ".join(record.symptoms))
    summary = f" ({'; '.join(parts)})" if parts else ""
    if asked_again:
        return (f"You've already checked in today{summary}. If anything has changed, just tell "
                "me, for example \"it's in my calf now\" or \"it's a 5\".")
    return f"Got it, I've updated today's check-in{summary}."


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
    *,
    activities: Sequence[ActivityRecord] = (),
    today: Optional[date] = None,
    first: Optional[CheckinRecord] = None,
    episode: Optional[EpisodeAge] = None,
) -> List[str]:
    """Lines to send after a check-in, most important first after the thanks.

    `previous` is the latest earlier scored check-in and `first` the episode's
    first scored one (else only `first_score` is known and no date is given).
    `activities` are the logged sessions (any span: those after `previous`
    are counted, "with three walks since"); `today` defaults to the current
    check-in's day. `referral` holds the tier-3 reasons to give now
    (bot.escalation) and `episode` how long the episode has run, for the
    "see a doctor" reason; their advice closes the reply, so it is the last
    thing the person reads.
    """
    today = today or current.at.date()
    warned = _warning_given(direction, referral)
    score = current.pain_score
    lines: List[Optional[str]] = [_acknowledge(current)]
    if score is not None and previous is not None and previous.pain_score is not None:
        done = sessions_since(activities, previous.at, current.at)
        lines.append(_score_change_line(float(score), previous, today, done, warned))
        if first is not None and first.pain_score is not None:
            first_score, first_day = float(first.pain_score), first.at.date()
        else:
            first_day = None
        if first_score is not None and not meaningful_improvement(float(previous.pain_score),
                                                                  float(score)):
            lines.append(_first_line(float(score), float(first_score), first_day, today))
    else:
        lines.append(_trend_line(current.trend, warned))
    lines.append(direction_advice(direction, referral, current.location))
    lines.append(_streak_line(streak))
    lines.append(referral_advice(referral, episode))
    return [line for line in lines if line]


# --- activities ------------------------------------------------------------

# The reply to an activity report that names nothing loggable.
ASK_WHICH_ACTIVITY = ("Nice work! What did you do: a walk, the bike, the pool, stretches or "
                      "strengthening? Add the minutes too, e.g. \"walked 20 minutes\".")
# The reply when every activity the message names was not done ("didn't walk today").
NOTHING_LOGGED = ("Okay, I haven't logged anything. When you've been for a walk or done your "
                  "exercises, tell me what and for how long, e.g. \"walked 20 minutes\".")


def _with_current(activity: ActivityRecord, week: Sequence[ActivityRecord]) -> List[ActivityRecord]:
    """The week's sessions including this one, without counting it twice."""
    sessions = list(week)
    if activity not in sessions:
        sessions.append(activity)
    return sessions


def _aerobic_line(kind: str, minutes: Optional[float]) -> str:
    name = _SESSION_NAMES.get(kind, "session")
    if minutes is None:
        return (f"Nice {name}! Next time, tell me how many minutes it was. The aim is "
                f"{WALK_TARGET_MIN}-{WALK_TARGET_MAX} minutes at a steady pace without stopping.")
    said = fmt_number(minutes)
    if minutes >= WALK_TARGET_MIN:
        return (f"A {said}-minute {name}, brilliant! A continuous session of "
                f"{WALK_TARGET_MIN}-{WALK_TARGET_MAX}+ minutes is real conditioning for your back.")
    line = (f"Good job on your {said}-minute {name}! Next time try adding a few minutes, "
            f"building toward {WALK_TARGET_MIN}-{WALK_TARGET_MAX} minutes without stopping.")
    if kind == "walking":
        line += " Stop-and-go walking on errands doesn't count toward that."
    return line


def _aerobic_minutes(sessions: Sequence[ActivityRecord]) -> float:
    return sum(float(a.minutes or 0) for a in sessions if a.kind in AEROBIC_ACTIVITIES)


def _aerobic_total_line(sessions: Sequence[ActivityRecord]) -> str:
    total = _aerobic_minutes(sessions)
    return f"That brings you to {fmt_number(total)} minutes of aerobic activity this week."


def _strength_line(kind: str) -> str:
    name = _SESSION_NAMES[kind]
    extra = {
        "mckenzie": " Notice whether any leg pain moves back toward your lower back; that's a good sign.",
        "stabilization": " Holding a comfortable neutral spine is exactly the skill to build.",
        "strengthening": " Stronger support muscles make future flare-ups less likely.",
    }[kind]
    return f"Nice work finishing your {name}!{extra}"


_STRETCH_LINE = ("Stretching done, nice! Go as far as is comfortable, in a slow and controlled "
                 "way; tight hamstrings in particular put extra strain on the low back.")
_OTHER_SESSION_LINE = "Thanks, I've logged that session. Every bit of gradual activity helps."


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


def _stop_and_go_lines(minutes: Optional[float]) -> List[str]:
    walked = f"{fmt_number(minutes)} minutes on your feet" if minutes else "your walking"
    return [
        f"Thanks, I've noted {walked}. Walking on errands or with lots of stops is good "
        "everyday movement, but it doesn't count toward the continuous walk that conditions "
        "your back, so I haven't added the minutes to your walking total.",
        f"When you can, try one walk of {WALK_TARGET_MIN}-{WALK_TARGET_MAX} minutes at a "
        "steady pace without stopping.",
    ]


def _stays_line(sessions: Sequence[ActivityRecord]) -> Optional[str]:
    """The continuous aerobic total, unchanged by a stop-and-go walk (None while it is 0)."""
    total = _aerobic_minutes(sessions)
    if total > 0:
        return f"Your continuous aerobic total this week stays at {fmt_number(total)} minutes."
    return None


def _session_lines(report: ActivityReport) -> List[str]:
    """What is said about one reported session, before the week's figures."""
    if report.stop_and_go:
        return _stop_and_go_lines(report.minutes)
    if report.kind in AEROBIC_ACTIVITIES:
        return [_aerobic_line(report.kind, report.minutes)]
    if report.kind in STRENGTH_KINDS:
        return [_strength_line(report.kind)]
    if report.kind == "stretching":
        return [_STRETCH_LINE]
    return [_OTHER_SESSION_LINE]


def _week_line(report: ActivityReport, reports: Sequence[ActivityReport],
               week: Sequence[ActivityRecord]) -> Optional[str]:
    """The week's figure for the group `report` belongs to (aerobic minutes, strengthening or
    stretching sessions). A stop-and-go walk alone leaves the aerobic total where it was."""
    if report.kind in AEROBIC_ACTIVITIES:
        if any(r.kind in AEROBIC_ACTIVITIES and not r.stop_and_go for r in reports):
            return _aerobic_total_line(week)
        return _stays_line(week)
    if report.kind in STRENGTH_KINDS:
        return _count_line(week, STRENGTH_KINDS, "strengthening")
    if report.kind == "stretching":
        return _count_line(week, ("stretching",), "stretching")
    return None


def activities_feedback(reports: Sequence[ActivityReport], week: Sequence[ActivityRecord]) -> List[str]:
    """Praise each session a message reported, in its order, then where the week stands.

    `week` holds the week's logged sessions, these included. Each weekly figure is said
    once, after all the sessions ("a walk and a swim" get one aerobic total), and a line
    two sessions share ("did the cat cow and child's pose") is said once.
    """
    lines: List[Optional[str]] = []
    for report in reports:
        lines.extend(_session_lines(report))
    for report in reports:
        lines.append(_week_line(report, reports, week))
    return [line for line in dict.fromkeys(lines) if line]


def stop_and_go_feedback(minutes: Optional[float], week: Sequence[ActivityRecord]) -> List[str]:
    """Acknowledge an errands walk without counting it toward the continuous goal.

    The caller logs it without minutes, so `week` totals and plans stay about
    continuous sessions only.
    """
    return activities_feedback([ActivityReport("walking", minutes, stop_and_go=True)], week)


def activity_feedback(activity: ActivityRecord, week: Sequence[ActivityRecord]) -> List[str]:
    """Praise a logged session and put it in the context of the week so far."""
    report = ActivityReport(activity.kind, activity.minutes, activity.exercise_id)
    return activities_feedback([report], _with_current(activity, week))


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


# The fear named, read from the person's words (whole words, first mention wins).
# Movements come before the general fears, so "scared to bend in case I hurt it
# again" is answered about bending.
_FEAR_WORDS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("bending", ("bend", "bends", "bending", "bent", "bend over", "bend down", "stoop",
                 "stooping", "lean forward", "leaning forward", "touch my toes", "flexion")),
    ("lifting", ("lift", "lifts", "lifting", "lifted", "carry", "carrying", "pick up",
                 "picking up", "pick things up", "pick my", "heavy")),
    ("twisting", ("twist", "twists", "twisting", "twisted", "turn", "turning", "rotate",
                  "rotating", "rotation")),
    ("sitting", ("sit", "sits", "sitting", "sat", "seated", "desk", "chair", "drive",
                 "driving")),
    ("walking", ("walk", "walks", "walking", "go for a walk", "on my feet", "hike")),
    ("exercise", ("exercise", "exercises", "exercising", "workout", "work out", "working out",
                  "gym", "training", "stretch", "stretches", "stretching", "move", "moving",
                  "movement", "active", "activity", "sport")),
    ("reinjury", ("make it worse", "making it worse", "made it worse", "damage", "damaging",
                  "injure", "injuring", "re injure", "re injuring", "reinjure", "reinjury",
                  "re injury", "hurt it again", "hurt my back again", "break", "harm",
                  "harming", "slipped disc", "slip a disc", "disc")),
)
_FEAR_PATTERNS = tuple((fear, word_pattern(*words)) for fear, words in _FEAR_WORDS)
_GENERAL_FEARS = ("exercise", "reinjury")
FEARS = tuple(fear for fear, _ in _FEAR_WORDS)


def fear_named(text: str) -> Optional[str]:
    """The fear a message names (FEARS), a movement before a general fear; else None."""
    cleaned = clean_text(text)
    found = []
    for fear, pattern in _FEAR_PATTERNS:
        match = pattern.search(cleaned)
        if match:
            found.append((fear in _GENERAL_FEARS, match.start(), fear))
    return min(found)[2] if found else None


_FEAR_CORE = (
    "It's very normal to worry about hurting your back again. When we're afraid, the "
    "muscles around the spine tense up to protect it, and that guarding can keep things "
    "stiff and sore. What teaches those muscles to relax and work normally again is "
    "gradual, controlled training, not resting it out. Some discomfort as you start is "
    "expected, and hurt does not always mean harm."
)
_FEAR_ANSWER: Dict[str, str] = {
    "bending": ("Bending forward is a normal, safe movement for your back, even a sore one. "
                "It may feel stiff at first, and a little at a time is how it loosens."),
    "lifting": ("Your back can learn to lift again. Begin with light things held close to "
                "your body, bending at your hips and knees, and add a little more only when "
                "that feels easy; strong back, buttock and tummy muscles make lifting feel "
                "secure."),
    "twisting": ("Turning is an everyday movement your back is built for, and the side muscles "
                 "that control it get stronger with practice. Keep the turns small and slow "
                 "at first, within a comfortable range."),
    "sitting": ("Sitting won't damage your back, though staying in one position for a long "
                "time can leave it stiff. Short spells and a change of position every so often "
                "help: movement is the remedy for stiffness."),
    "walking": ("Walking is one of the safest and most useful things you can do for back "
                "pain: it conditions your whole body, and fitter people tend to have fewer "
                "and milder flare-ups."),
    "exercise": ("Exercise done in a controlled, gradual way doesn't wear your back out; it's "
                 "the signal that tells your body to heal."),
    "reinjury": ("Gentle, gradual movement doesn't damage the spine. Aches as you get going "
                 "usually mean a sensitive back, not harm being done, and they should settle "
                 "soon after. The exception is pain spreading down your leg or new numbness "
                 "or tingling: then stop that movement and tell me."),
}

# Where each fear's first step comes from in today's plan: tiers of what fits,
# best first. Within a tier the gentlest wins (suits an acute back, then plan order).
_Fit = Callable[["Exercise"], bool]


def _fit(directions: Tuple[str, ...] = (), categories: Tuple[str, ...] = (),
         muscles: Tuple[str, ...] = (), avoid: Tuple[str, ...] = ()) -> _Fit:
    return lambda e: ((not directions or e.direction in directions)
                      and (not categories or e.category in categories)
                      and (not muscles or bool(set(muscles).intersection(e.muscles)))
                      and not set(avoid).intersection(e.muscles))


_GENTLE = ("stretching", "flexion", "stabilization")
_FEAR_STEPS: Dict[str, Tuple[_Fit, ...]] = {
    "bending": (_fit(("flexion",), ("stretching", "flexion")),
                _fit(("flexion_extension",), ("stretching",)),
                _fit(("neutral",), _GENTLE, avoid=("hamstrings",))),  # not a nerve stretch
    "lifting": (_fit(("neutral",), ("strengthening", "stabilization"), ("quadriceps", "gluteals")),
                _fit(("neutral",), ("stabilization",))),
    "twisting": (_fit(("rotation",), ("stretching",)),
                 _fit(("neutral",), ("stabilization",), ("obliques",))),
    "sitting": (_fit(("neutral",), ("stabilization",)),),
    "exercise": (_fit(("neutral", "flexion", "flexion_extension", "rotation"), _GENTLE),),
    "reinjury": (_fit(("neutral", "flexion", "flexion_extension", "rotation"), _GENTLE),),
}
_DEFAULT_STEP: Dict[str, str] = {
    "bending": ("lie on your back with your knees bent and slowly tilt your pelvis to flatten "
                "your low back into the floor, then let it arch a little; a few slow pelvic "
                "tilts are plenty."),
    "lifting": ("lift something light, like a cushion, from a chair seat: feet apart, bend at "
                "your hips and knees, hold it close and stand up tall."),
    "twisting": ("lie on your back with your knees bent and let both knees sway a little to one "
                 "side and back, then to the other."),
    "sitting": ("sit tall, find the easy middle between slumping and arching, and get up for a "
                "short walk every half an hour or so."),
    "walking": "a short walk of just a few minutes on level ground, at an easy pace.",
}
_DEFAULT_GENTLE = ("lie on your back with your knees bent and slowly tilt your pelvis to "
                   "flatten your low back into the floor, then relax; a few slow pelvic tilts "
                   "are plenty.")


def _gentlest(fear: str, exercises: Sequence["Exercise"]) -> Optional["Exercise"]:
    """The plan's gentlest exercise that suits the fear, or None."""
    for fits in _FEAR_STEPS.get(fear, ()):
        suitable = [e for e in exercises if fits(e)]
        if suitable:
            return min(suitable, key=lambda e: ("acute" not in e.phases, exercises.index(e)))
    return None


def fear_first_step(fear: Optional[str], plan: Optional["Plan"] = None) -> str:
    """A first small step for the fear, from today's plan when it has one that fits."""
    fear = fear or "exercise"
    if fear == "walking":
        step = _DEFAULT_STEP["walking"]
        if plan is not None and plan.aerobic_kind == "walking" and plan.aerobic_minutes:
            step = step[:-1] + (f", building toward the {plan.aerobic_minutes}-minute walk in "
                                "today's plan.")
        return "Start small: " + step
    exercises = [p.exercise for p in plan.exercises] if plan is not None else []
    chosen = _gentlest(fear, exercises)
    if chosen is not None:
        return (f"Start small: try the {chosen.name.lower()} from today's plan, just once or "
                "twice, slowly and only as far as feels comfortable.")
    return "Start small: " + _DEFAULT_STEP.get(fear, _DEFAULT_GENTLE)


def fear_reassurance(text: str = "", plan: Optional["Plan"] = None) -> str:
    """Graded-activity reassurance that answers the fear the message names.

    `plan` is today's plan (bot.planner.build_plan): the first small step is
    its gentlest exercise that suits the fear, else a gentle default. Without
    a plan (or with a red flag open, when the caller must not prescribe) pass
    None.
    """
    fear = fear_named(text)
    parts = [_FEAR_CORE]
    if fear is not None:
        parts.append(_FEAR_ANSWER[fear])
    parts.append(fear_first_step(fear, plan))
    parts.append("Then build a little at a time.")
    return " ".join(parts)
