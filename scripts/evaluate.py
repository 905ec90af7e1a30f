"""`make eval`: intent macro F1 of the trained model on the held-out file.

tests/nlu_holdout.yml is never trained on; tests/test_nlu_eval.py asserts the
same figure stays at or above 0.95.
"""
from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from bot.settings import PROJECT_ROOT

HOLDOUT = PROJECT_ROOT / "tests" / "nlu_holdout.yml"
MODEL = PROJECT_ROOT / "models" / "coach.tar.gz"
INTENT_F1_TARGET = 0.95


@dataclass(frozen=True)
class IntentReport:
    macro_f1: float
    per_intent: Dict[str, Tuple[float, int]]  # intent -> (f1, support)
    errors: List[Tuple[str, str, str]]  # (text, expected, predicted)


def holdout_examples(path: Path = HOLDOUT) -> List[Tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(ex.get("text"), ex.get("intent")) for ex in data.intent_examples]


async def _predict(model: Path, texts: List[str]) -> List[str]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no per-message debug lines with the texts

    agent = Agent.load(str(model))
    predictions = []
    for text in texts:
        parsed = await agent.parse_message(text)
        predictions.append(parsed["intent"]["name"])
    return predictions


def evaluate_intents(model: Path = MODEL, path: Path = HOLDOUT) -> IntentReport:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    examples = holdout_examples(path)
    texts = [t for t, _ in examples]
    expected = [i for _, i in examples]
    predicted = asyncio.run(_predict(model, texts))
    labels = sorted(set(expected))
    _, _, f1s, support = precision_recall_fscore_support(
        expected, predicted, labels=labels, zero_division=0)
    macro = f1_score(expected, predicted, labels=labels, average="macro", zero_division=0)
    errors = [(t, e, p) for t, e, p in zip(texts, expected, predicted) if e != p]
    return IntentReport(float(macro), {l: (float(f), int(s)) for l, f, s in zip(labels, f1s, support)}, errors)


def main() -> int:
    report = evaluate_intents()
    print(f"\nHeld-out intent evaluation ({HOLDOUT.relative_to(PROJECT_ROOT)}):")
    print(f"{'intent':<20} {'F1':>6} {'n':>4}")
    for intent, (f1, n) in report.per_intent.items():
        print(f"{intent:<20} {f1:6.3f} {n:4d}")
    for text, exp, got in report.errors:
        print(f"  miss: {text!r}: expected {exp}, got {got}")
    verdict = "meets" if report.macro_f1 >= INTENT_F1_TARGET else "BELOW"
    print(f"\nintent macro F1 = {report.macro_f1:.3f} ({verdict} the {INTENT_F1_TARGET} target)")
    return 0 if report.macro_f1 >= INTENT_F1_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
