"""Red-flag screening of a message and the advice each tier gets.

Tiers follow clinical-guidance.md: 1 = emergency now, 2 = urgent same day.
This is a keyword screen: it errs toward escalation and knows no negation
(that is the spaCy safety engine's job); the words are matched case-insensitively.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

EMERGENCY, URGENT = 1, 2


@dataclass(frozen=True)
class RedFlag:
    tier: int
    reason: str  # a stable code, stored with the escalation


_PATTERNS: Tuple[Tuple[int, str, str], ...] = (
    (EMERGENCY, "self_harm", r"kill myself|suicid|end (it all|my life)|self[- ]?harm|hurt myself"
                             r"|don'?t want to (live|be here)|better off dead|no reason to live"),
    (EMERGENCY, "bladder_bowel", r"bladder|bowel|incontinen|wet (myself|the bed)|can'?t (pee|wee|urinate)"
                                 r"|(pee|wee|urinat\w*|poo)\b.*\b(control|start|hold|stop)|soiled"),
    (EMERGENCY, "saddle_numbness", r"saddle|genital|private parts|when i wipe|wiping"
                                   r"|numb\w*\b.*\b(bum|buttocks|groin|inner thighs?|between my legs)"
                                   r"|(bum|buttocks|groin|inner thighs?|between my legs)\b.*\bnumb"),
    (EMERGENCY, "both_legs", r"both (legs|feet)|(legs|feet) are both|either leg"),
    (EMERGENCY, "leg_weakness", r"foot drop|foot (is )?(slapping|slaps|drags|dragging|floppy)"
                                r"|can'?t (lift|raise) my (foot|toes)|legs? (keeps? )?(giving way|buckling)"
                                r"|legs? (is |are )?getting weaker"),
    (EMERGENCY, "chest_pain", r"chest (pain|hurts|is tight|tightness)|pain in my chest"),
    (EMERGENCY, "major_trauma", r"accident|crash|collision|hit by|fell (off|down|from)|bad fall|big fall"),
    (URGENT, "fever", r"fever|chills|high temperature|shivering|night sweats"),
    (URGENT, "weight_loss", r"(losing|lost|loss of) (a lot of )?weight|weight loss"),
    (URGENT, "cancer_history", r"cancer|tumou?r|chemo"),
    (URGENT, "night_pain", r"(worse|bad|pain\w*) at night|wakes me|keeps me (up|awake)|rest (doesn'?t|does not|won'?t) (help|ease)"
                           r"|(not|never) (eased|better) (by|with|when) rest"),
    (URGENT, "lump", r"\blump\b|swelling on my (back|spine)|shape of my (back|spine)"),
    (URGENT, "bone_fragility", r"osteoporo|steroids?"),
)
_COMPILED = tuple((tier, reason, re.compile(p, re.IGNORECASE)) for tier, reason, p in _PATTERNS)


def screen(text: str) -> Optional[RedFlag]:
    """The most urgent red flag the text mentions, or None."""
    text = (text or "")[:5000]
    for tier, reason, pattern in _COMPILED:
        if pattern.search(text):
            return RedFlag(tier, reason)
    return None


_EMERGENCY_ADVICE = (
    "⚠️ What you describe can be a sign of a serious problem that needs checking straight away. "
    "Please call your local emergency number (999 in the UK, 911 in the US, 112 in the EU) "
    "or go to the nearest emergency department now. Don't wait to see if it settles."
)
_SELF_HARM_ADVICE = (
    "I'm really sorry you're feeling this way, and I'm glad you told me. "
    "If you might act on these thoughts, call your local emergency number now. "
    "You can also talk to someone at a crisis line any time: Samaritans 116 123 (UK/Ireland), "
    "988 Suicide & Crisis Lifeline (US), or your local crisis service."
)
_URGENT_ADVICE = (
    "⚠️ Back pain together with what you describe should be looked at by a doctor today. "
    "Please contact your doctor for a same-day appointment or go to urgent care."
)
_PAUSE_NOTE = (
    "I'll hold off on exercise suggestions until you've been assessed. "
    "When a clinician has seen you, tell me (\"I've seen a doctor\") and we'll carry on."
)


def urgent_advice(flag: RedFlag) -> str:
    """The message a red flag gets, fitted to its tier."""
    if flag.reason == "self_harm":
        return _SELF_HARM_ADVICE
    head = _EMERGENCY_ADVICE if flag.tier == EMERGENCY else _URGENT_ADVICE
    return f"{head}\n\n{_PAUSE_NOTE}"


def reminder_of_open_flag(tier: int) -> str:
    """What a plan request gets while a red flag is still open."""
    where = ("call your local emergency number or go to an emergency department"
             if tier == EMERGENCY else "get a same-day appointment with a doctor or urgent care")
    return (
        "Earlier you mentioned a symptom that needs a clinician's assessment first, so I won't "
        f"suggest exercises yet. Please {where}. Once you've been assessed, tell me and "
        "I'll put your plan together."
    )
