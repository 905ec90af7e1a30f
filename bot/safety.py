"""Red flags: the screen every message goes through, and the advice each tier gets.

Tiers follow clinical-guidance.md: 1 = emergency now, 2 = urgent same day.
The screen is the spaCy clinical reader (bot.nlu.clinical), so a negated,
resolved, someone else's or hypothetical mention ("no numbness", "my friend
had...", "what are the warning signs?") is not a red flag.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Mapping, Optional

from bot.nlu.clinical import analyse
from bot.nlu.red_flags import EMERGENCY, URGENT

__all__ = ["EMERGENCY", "URGENT", "RedFlag", "screen", "screen_all", "from_parse",
           "urgent_advice", "reminder_of_open_flag"]


@dataclass(frozen=True)
class RedFlag:
    tier: int
    reason: str  # a stable code, stored with the escalation


def screen_all(text: str) -> List[RedFlag]:
    """Every affirmed red flag in the text, most urgent first."""
    return [RedFlag(f.tier, f.reason) for f in analyse(text).affirmed_red_flags()]


def screen(text: str) -> Optional[RedFlag]:
    """The most urgent affirmed red flag the text mentions, or None."""
    flags = screen_all(text)
    return flags[0] if flags else None


def from_parse(parse_data: Mapping) -> Optional[List[RedFlag]]:
    """Affirmed red flags the NLU pipeline already found, or None if it did not screen."""
    clinical = (parse_data or {}).get("clinical")
    if not isinstance(clinical, Mapping):
        return None
    flags = [RedFlag(int(f["tier"]), str(f["reason"])) for f in clinical.get("red_flags") or []
             if f.get("status") == "affirmed"]
    return sorted(flags, key=lambda f: f.tier)


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
