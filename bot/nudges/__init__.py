"""Nudges: reminders the coach sends first, at times the person chose, in their own time zone.

- `records`: plain values shared by everything below.
- `policy`: pure rules: which nudges are due at an instant, and at send time whether
  to send, skip or wait, and what to say.
- `wording`: the text of every nudge, in one place.
- `dispatcher`: one run: plan outbox rows, claim them, decide, render through Rasa, deliver.
- `telegram_delivery`: the Bot API adapter that paces and classifies each send.
- `scheduler`: the process `make run` supervises (every minute) and `make nudge-once`.
"""
