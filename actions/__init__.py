"""Thin rasa_sdk actions: read the tracker, call `bot/`, speak.

rasa_sdk imports every module of this package, so each concern lives in its
own module (check-in, plan, logs, info, reminders, privacy, safety, session).
"""
