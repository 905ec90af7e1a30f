"""The web chat cannot be pushed to: the day's nudge is shown when the person next opens it.

The dispatcher renders a web-chat person's nudge through Rasa (so it is in their
conversation) and marks it sent; when their widget next asks for its session, the
socket.io channel calls `take_unshown` and shows what they have not seen yet.
"""
from __future__ import annotations

from datetime import datetime
from typing import List

from bot.localtime import local_day
from bot.nudges import wording
from bot.store.outbox import NudgeOutbox
from bot.store.repository import CoachStore


def take_unshown(store: CoachStore, sender_id: str, now: datetime) -> List[str]:
    """Texts of today's nudges this web-chat person has not seen, marked as shown."""
    outbox = NudgeOutbox(store.engine)
    today = local_day(now, store.zone(sender_id))
    found = outbox.unshown_web_nudges(sender_id, since=today)
    outbox.mark_shown([nudge_id for nudge_id, _ in found], now)
    return [wording.render(message) for _, message in found]
