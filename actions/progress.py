"""How am I doing? A summary of the stored history, then a chart of the last 4 weeks."""
from __future__ import annotations

import logging
from typing import Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.chart_links import chart_url
from bot.progress import render_progress
from bot.usecases.progress import progress_report

from actions.common import StoreAction, now, store

logger = logging.getLogger(__name__)


class ActionProgressSummary(StoreAction):
    def name(self) -> Text:
        return "action_progress_summary"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict]:
        today = now().date()
        report = progress_report(store(), tracker.sender_id, today)
        # One paragraph per line: the web widget renders Markdown (a single newline is a space) and
        # Rasa's socket.io channel sends each paragraph as its own bubble.
        dispatcher.utter_message(text=render_progress(report.summary).replace("\n", "\n\n"))
        try:  # drawn in this worker thread too, and never at the cost of the text
            from bot.charts import progress_chart_png  # Pillow loads on the first chart, not with the server

            png = progress_chart_png(report.checkins, report.activities, today)
        except Exception:  # noqa: BLE001
            logger.exception("the progress chart could not be drawn")
            png = None
        if png:
            # By reference (bot.chart_links): the picture is kept in the store, the message holds its
            # short URL. The web page serves it; the Telegram channel uploads it as a photo.
            token = store().save_chart(tracker.sender_id, png, now())
            dispatcher.utter_message(image=chart_url(token))
        return []
