"""`make eval`: the trained pipeline on data it never saw.

Three held-out sets, all parsed by the real trained model (DIET plus the
clinical component), one model load for all:

- tests/nlu_holdout.yml: intent macro F1 (target >= 0.95);
- tests/safety_set.yml and tests/safety_blind.yml: red-flag recall on tiers 1-2
  (target 100%) and the false-alarm rate on negated, resolved, third-party,
  question, low-mood and ordinary messages (target <= 2%); the tier of advice
  comes from bot.triage.triage_parse, the call the escalation action makes;
- tests/entity_holdout.yml: entity F1 for body_part, pain_score and trend
  (target >= 0.95 each), side and symptom reported too.

tests/test_nlu_eval.py asserts the same targets, so CI fails when one slips.
"""
from __future__ import annotations

import asyncio
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

from bot.settings import PROJECT_ROOT

HOLDOUT = PROJECT_ROOT / "tests" / "nlu_holdout.yml"
SAFETY_SET = PROJECT_ROOT / "tests" / "safety_set.yml"
# Written later by someone who had not seen the rules; its first, blind score is in the README.
SAFETY_SECOND_SET = PROJECT_ROOT / "tests" / "safety_blind.yml"
SAFETY_SETS = (SAFETY_SET, SAFETY_SECOND_SET)
# A second blind set, written on 2026-11-30 by someone who had seen neither the rules nor the other
# sets. Reported, not gated: its first scores (README, "Speed and memory") showed the reader does
# not yet generalise to it; a set the rules were tuned on is no longer blind.
SAFETY_THIRD_SET = PROJECT_ROOT / "tests" / "safety_blind_2.yml"
REPORTED_SAFETY_SETS = (SAFETY_THIRD_SET,)
ENTITY_HOLDOUT = PROJECT_ROOT / "tests" / "entity_holdout.yml"
TEST_STORIES = PROJECT_ROOT / "tests" / "test_stories.yml"
MODEL = PROJECT_ROOT / "models" / "coach.tar.gz"

INTENT_F1_TARGET = 0.95
RED_FLAG_RECALL_TARGET = 1.0
FALSE_ALARM_TARGET = 0.02
ENTITY_F1_TARGET = 0.95
GATED_ENTITIES = ("body_part", "pain_score", "trend")
REPORTED_ENTITIES = GATED_ENTITIES + ("side", "symptom")
RED_FLAG_INTENT = "report_red_flag"
# `rasa test --e2e` fails on any wrong intent in a test story. A story message whose intent is
# right but below this confidence can flip when training runs on another machine (it did once).
STORY_MARGIN_WARNING = 0.8


# --------------------------------------------------------------------------- parsing

@lru_cache(maxsize=2)
def _agent(model: Path):
    """One model load per process: the three reports share it."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no per-message debug lines with the texts
    return Agent.load(str(model))


async def _parse_all(model: Path, texts: Sequence[str]) -> List[dict]:
    agent = _agent(model)
    return [await agent.parse_message(text) for text in texts]


def parse(texts: Sequence[str], model: Path = MODEL) -> List[dict]:
    """The trained pipeline's parse result for each text."""
    return asyncio.run(_parse_all(model, list(texts)))


# --------------------------------------------------------------------------- intents

@dataclass(frozen=True)
class IntentReport:
    macro_f1: float
    per_intent: Dict[str, Tuple[float, int]]  # intent -> (f1, support)
    errors: List[Tuple[str, str, str]]  # (text, expected, predicted)


def holdout_examples(path: Path = HOLDOUT) -> List[Tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(ex.get("text"), ex.get("intent")) for ex in data.intent_examples]


def evaluate_intents(model: Path = MODEL, path: Path = HOLDOUT) -> IntentReport:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    examples = holdout_examples(path)
    texts = [t for t, _ in examples]
    expected = [i for _, i in examples]
    predicted = [p["intent"]["name"] for p in parse(texts, model)]
    labels = sorted(set(expected))
    _, _, f1s, support = precision_recall_fscore_support(
        expected, predicted, labels=labels, zero_division=0)
    macro = f1_score(expected, predicted, labels=labels, average="macro", zero_division=0)
    errors = [(t, e, p) for t, e, p in zip(texts, expected, predicted) if e != p]
    return IntentReport(float(macro), {l: (float(f), int(s)) for l, f, s in zip(labels, f1s, support)}, errors)


# --------------------------------------------------------------------------- safety

@dataclass(frozen=True)
class SafetyItem:
    text: str
    tier: int
    reason: str
    form: str


@dataclass(frozen=True)
class SafetyReport:
    items: int
    flagged_items: int
    recall: float
    tier_accuracy: float  # of caught red flags, how many got exactly the right tier of advice
    negatives: int
    false_alarm_rate: float
    by_form: Dict[str, Tuple[int, int]]  # form -> (correct, total)
    misses: List[SafetyItem]
    false_alarms: List[SafetyItem]
    under_triaged: List[Tuple[SafetyItem, int]]  # an emergency told to see a doctor today
    over_triaged: List[Tuple[SafetyItem, int]]  # same-day flags sent to the emergency department


def safety_items(path: Path = SAFETY_SET) -> List[SafetyItem]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    return [SafetyItem(str(i["text"]), int(i["tier"]), str(i.get("reason") or ""), str(i["form"]))
            for i in raw]


def _advice_tier(parsed: dict) -> int:
    """The tier the escalation action advises for this parse: the same call it makes
    (bot.triage.triage_parse), so these figures measure the code that speaks."""
    from bot.triage import triage_parse

    return triage_parse(parsed).tier


def evaluate_safety(model: Path = MODEL, path: Path = SAFETY_SET) -> SafetyReport:
    items = safety_items(path)
    results = parse([i.text for i in items], model)
    misses, alarms, under, over = [], [], [], []
    by_form: Dict[str, List[int]] = {}
    for item, parsed in zip(items, results):
        flagged = parsed["intent"]["name"] == RED_FLAG_INTENT  # what runs action_escalate_urgent
        correct = flagged == (item.tier > 0)
        tally = by_form.setdefault(item.form, [0, 0])
        tally[0] += int(correct)
        tally[1] += 1
        if item.tier > 0 and not flagged:
            misses.append(item)
        elif item.tier == 0 and flagged:
            alarms.append(item)
        elif item.tier > 0 and _advice_tier(parsed) > item.tier:
            under.append((item, _advice_tier(parsed)))
        elif item.tier > 0 and _advice_tier(parsed) < item.tier:
            over.append((item, _advice_tier(parsed)))
    positives = sum(1 for i in items if i.tier > 0)
    negatives = len(items) - positives
    caught = positives - len(misses)
    return SafetyReport(
        items=len(items), flagged_items=positives,
        recall=caught / positives if positives else 1.0,
        tier_accuracy=(caught - len(under) - len(over)) / caught if caught else 1.0,
        negatives=negatives, false_alarm_rate=len(alarms) / negatives if negatives else 0.0,
        by_form={k: (v[0], v[1]) for k, v in sorted(by_form.items())},
        misses=misses, false_alarms=alarms, under_triaged=under, over_triaged=over,
    )


# --------------------------------------------------------------------------- entities

@dataclass(frozen=True)
class EntityReport:
    per_entity: Dict[str, Tuple[float, float, float, int]]  # entity -> (precision, recall, f1, support)
    errors: List[Tuple[str, str, List[Tuple[str, str]], List[Tuple[str, str]]]]


def _expected_entities(path: Path) -> List[Tuple[str, List[dict]]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(ex.get("text"), list(ex.get("entities") or [])) for ex in data.training_examples]


def _same_mention(expected: dict, predicted: dict) -> bool:
    """Same entity type and canonical value, and the spans overlap."""
    return (expected["entity"] == predicted["entity"]
            and str(expected["value"]).lower() == _value(predicted)
            and predicted.get("start", 0) < expected["end"] and expected["start"] < predicted.get("end", 0))


def _value(entity: dict) -> str:
    value = str(entity.get("value")).lower()
    try:
        number = float(value)
        return str(int(number)) if number.is_integer() else f"{number:g}"
    except ValueError:
        return value


def evaluate_entities(model: Path = MODEL, path: Path = ENTITY_HOLDOUT) -> EntityReport:
    examples = _expected_entities(path)
    results = parse([t for t, _ in examples], model)
    counts = {e: Counter() for e in REPORTED_ENTITIES}
    errors = []
    for (text, expected), parsed in zip(examples, results):
        predicted = [e for e in parsed.get("entities") or [] if e["entity"] in REPORTED_ENTITIES]
        expected = [e for e in expected if e["entity"] in REPORTED_ENTITIES]
        unmatched = list(predicted)
        missed = []
        for exp in expected:
            match = next((p for p in unmatched if _same_mention(exp, p)), None)
            if match is None:
                counts[exp["entity"]]["fn"] += 1
                missed.append(exp)
            else:
                counts[exp["entity"]]["tp"] += 1
                unmatched.remove(match)
        for extra in unmatched:
            counts[extra["entity"]]["fp"] += 1
        if missed or unmatched:
            errors.append((text, parsed["intent"]["name"],
                           [(e["entity"], str(e["value"])) for e in missed],
                           [(e["entity"], _value(e)) for e in unmatched]))
    per_entity = {}
    for entity, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_entity[entity] = (precision, recall, f1, c["tp"] + c["fn"])
    return EntityReport(per_entity, errors)


# --------------------------------------------------------------------------- test stories

def story_messages(path: Path = TEST_STORIES) -> List[Tuple[str, str]]:
    """(plain text, intent) for every user line of the e2e test stories."""
    from rasa.shared.nlu.training_data import entities_parser

    stories = yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]
    return [(entities_parser.replace_entities(step["user"]).strip(), step["intent"])
            for story in stories for step in story["steps"] if "user" in step]


def story_confidences(model: Path = MODEL, path: Path = TEST_STORIES) -> List[Tuple[float, str, str, str]]:
    """(confidence of the expected intent, text, expected, predicted), weakest first."""
    messages = story_messages(path)
    rows = []
    for (text, expected), parsed in zip(messages, parse([t for t, _ in messages], model)):
        confidence = next((r["confidence"] for r in parsed.get("intent_ranking") or []
                           if r["name"] == expected), 0.0)
        rows.append((confidence, text, expected, parsed["intent"]["name"]))
    return sorted(rows)


# --------------------------------------------------------------------------- report

def _verdict(ok: bool) -> str:
    return "ok" if ok else "BELOW TARGET"


def main(argv: Sequence[str] = ()) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="make eval: the trained pipeline on held-out data")
    parser.add_argument("--model", type=Path, default=MODEL)
    model = parser.parse_args(list(argv)).model
    intents = evaluate_intents(model)
    safeties = [(path, evaluate_safety(model, path)) for path in SAFETY_SETS]
    reported = [(path, evaluate_safety(model, path)) for path in REPORTED_SAFETY_SETS]
    entities = evaluate_entities(model)
    stories = story_confidences(model)

    print(f"\nHeld-out intents ({HOLDOUT.relative_to(PROJECT_ROOT)}):")
    print(f"{'intent':<20} {'F1':>6} {'n':>4}")
    for intent, (f1, n) in intents.per_intent.items():
        print(f"{intent:<20} {f1:6.3f} {n:4d}")
    for text, exp, got in intents.errors:
        print(f"  miss: {text!r}: expected {exp}, got {got}")

    for path, safety in safeties + reported:
        print(f"\nSafety set ({path.relative_to(PROJECT_ROOT)}, {safety.items} messages):")
        for form, (correct, total) in safety.by_form.items():
            print(f"  {form:<13} {correct:4d}/{total:<4d} handled correctly")
        for item in safety.misses:
            print(f"  MISSED red flag (tier {item.tier}, {item.reason}): {item.text!r}")
        for item in safety.false_alarms:
            print(f"  false alarm ({item.form}): {item.text!r}")
        for item, tier in safety.under_triaged + safety.over_triaged:
            print(f"  tier {tier} advice for a tier-{item.tier} flag ({item.reason}): {item.text!r}")

    print(f"\nEntities ({ENTITY_HOLDOUT.relative_to(PROJECT_ROOT)}):")
    print(f"{'entity':<12} {'P':>6} {'R':>6} {'F1':>6} {'n':>4}")
    for entity, (p, r, f1, n) in entities.per_entity.items():
        print(f"{entity:<12} {p:6.3f} {r:6.3f} {f1:6.3f} {n:4d}")
    for text, intent, missed, extra in entities.errors:
        print(f"  {text!r}: missed {missed}, extra {extra}")

    print(f"\nTest-story messages ({TEST_STORIES.relative_to(PROJECT_ROOT)}), weakest intents first:")
    for confidence, text, expected, got in stories[:5]:
        risk = "" if confidence >= STORY_MARGIN_WARNING else "  <- could flip on retraining"
        shown = expected if got == expected else f"{expected}, got {got}"
        print(f"  {confidence:.3f} {shown:<28} {text!r}{risk}")

    checks = [
        ("intent macro F1", intents.macro_f1, intents.macro_f1 >= INTENT_F1_TARGET, f">= {INTENT_F1_TARGET}"),
    ]
    for path, safety in safeties:
        name = path.stem
        checks += [
            (f"{name}: red-flag recall, tiers 1-2 ({safety.flagged_items})", safety.recall,
             safety.recall >= RED_FLAG_RECALL_TARGET, "= 1.000"),
            (f"{name}: false-alarm rate ({safety.negatives})", safety.false_alarm_rate,
             safety.false_alarm_rate <= FALSE_ALARM_TARGET, f"<= {FALSE_ALARM_TARGET}"),
            (f"{name}: emergencies given only same-day advice", len(safety.under_triaged),
             not safety.under_triaged, "= 0"),
        ]
    checks += [
        (f"entity F1 {e}", entities.per_entity[e][2], entities.per_entity[e][2] >= ENTITY_F1_TARGET,
         f">= {ENTITY_F1_TARGET}") for e in GATED_ENTITIES
    ]
    print("\n| measure | value | target | |\n|---|---|---|---|")
    for name, value, ok, target in checks:
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"| {name} | {shown} | {target} | {_verdict(ok)} |")
    for path, safety in safeties:
        print(f"| {path.stem}: red flags given exactly their tier of advice | {safety.tier_accuracy:.3f} "
              f"| (reported; bot.triage: a flag only the classifier saw gets emergency advice) | |")
    for path, safety in reported:
        print(f"| {path.stem}: red-flag recall ({safety.flagged_items}) | {safety.recall:.3f} | "
              f"(reported, not gated) | |")
        print(f"| {path.stem}: false-alarm rate ({safety.negatives}) | {safety.false_alarm_rate:.3f} | "
              f"(reported, not gated) | |")
    return 0 if all(ok for _, _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
