"""How am I doing? The person's recent history in, the progress summary out.

Reads what the reply shows and nothing else: the check-ins and activities of the
turn's window with the landmarks and facts of the older history (bot.records.Earlier),
not the sleep logs or movement notes. The action renders the summary and draws the
chart from the same records.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Tuple

from bot.progress import ProgressSummary, summarize_progress
from bot.records import ActivityRecord, CheckinRecord
from bot.store import CoachStore


@dataclass(frozen=True)
class ProgressReport:
    summary: ProgressSummary
    checkins: Tuple[CheckinRecord, ...]  # what the chart draws from
    activities: Tuple[ActivityRecord, ...]


def progress_report(store: CoachStore, sender: str, today: date) -> ProgressReport:
    """The summary of the person's progress on `today` (one read)."""
    profile = store.profile(sender, today, sleeps=False, notes=False)
    summary = summarize_progress(profile.checkins, profile.activities, today, profile.earlier)
    return ProgressReport(summary, profile.checkins, profile.activities)
