"""Red flags found in a text by the clinical reader (for tests and tools).

The decision the coach acts on, the tier and the advice, is made in one place:
bot/triage.py. This module only lists what the rules find in a text, and keeps
the names other modules import (`reminder_of_open_flag`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from bot.triage import EMERGENCY, URGENT, reminder_of_open_flag

__all__ = ["EMERGENCY", "URGENT", "RedFlag", "screen", "screen_all", "reminder_of_open_flag"]


@dataclass(frozen=True)
class RedFlag:
    tier: int
    reason: str  # a stable code, stored with the escalation


def screen_all(text: str) -> List[RedFlag]:
    """Every affirmed red flag in the text, most urgent first."""
    from bot.nlu.clinical import analyse  # the reader (spaCy) only when a text is screened

    return [RedFlag(f.tier, f.reason) for f in analyse(text).affirmed_red_flags()]


def screen(text: str) -> Optional[RedFlag]:
    """The most urgent affirmed red flag the text mentions, or None."""
    flags = screen_all(text)
    return flags[0] if flags else None
