"""The action server does not load spaCy, thinc, TensorFlow or matplotlib.

rasa_sdk imports every module of the `actions` package at start-up; each of these
libraries would cost the action server hundreds of MB (all four together: ~580 MB RSS,
against ~130 MB without). The actions read the red-flag decision the NLU component
recorded in the parse result; matplotlib loads when a chart is first drawn.
Each check runs in a fresh interpreter: this test process may have loaded them already.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.settings import PROJECT_ROOT

HEAVY = ("spacy", "thinc", "tensorflow", "matplotlib")


def _loaded_after(code: str) -> list:
    """Which of HEAVY (and the clinical reader) a fresh interpreter has loaded after `code`."""
    probe = code + (
        "\nimport json, sys\n"
        f"print(json.dumps([m for m in {HEAVY + ('bot.nlu.clinical', 'bot.nlu.context')!r} "
        "if m in sys.modules]))\n")
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_every_action_module_loads_no_heavy_library():
    loaded = _loaded_after(
        "import importlib, pkgutil, actions\n"
        "for m in pkgutil.iter_modules(actions.__path__):\n"
        "    importlib.import_module('actions.' + m.name)\n")
    assert loaded == []


def test_a_recorded_decision_is_used_without_reading_the_text_again():
    loaded = _loaded_after(
        "from bot.triage import EMERGENCY, triage_parse\n"
        "parse = {'text': 'I wet myself and my legs are numb',\n"
        "         'intent': {'name': 'report_red_flag', 'confidence': 1.0},\n"
        "         'clinical': {'triage': {'tier': 1, 'reasons': ['bladder_bowel', 'both_legs']},\n"
        "                      'classifier': {'name': 'report_pain', 'confidence': 0.6}}}\n"
        "d = triage_parse(parse)\n"
        "assert (d.tier, d.reasons) == (EMERGENCY, ('bladder_bowel', 'both_legs')), d\n"
        "import bot.safety, bot.usecases.plan, bot.usecases.checkin\n")
    assert loaded == []
