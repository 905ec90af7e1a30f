"""Thin rasa_sdk actions: read the tracker, call `bot/`, speak.

rasa_sdk imports every module of this package, so each concern lives in its
own module (check-in, plan, logs, info, reminders, privacy, safety, session).
"""

from bot import log_privacy as _log_privacy

_log_privacy.install()  # no message text, entity value or symptom in the action server's logs
