"""The trained pipeline on held-out data it never saw (figures printed by `make eval`).

Targets from the safety-engine issue: intent macro F1 >= 0.95; red-flag recall
100% on tiers 1-2 with at most 2% false alarms on the safety set; entity F1 >=
0.95 for body_part, pain_score and trend.
"""
from __future__ import annotations

from collections import Counter

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.settings import PROJECT_ROOT
from scripts.evaluate import (
    ENTITY_F1_TARGET, ENTITY_HOLDOUT, FALSE_ALARM_TARGET, GATED_ENTITIES, INTENT_F1_TARGET, MODEL,
    SAFETY_SETS,
    evaluate_entities, evaluate_intents, evaluate_safety, holdout_examples, safety_items,
)

CONTRACT_INTENTS = ["greet", "goodbye", "affirm", "deny", "thank", "bot_challenge", "start_checkin",
                    "report_symptoms", "report_red_flag", "ask_plan", "report_activity", "report_sleep",
                    "express_fear", "ask_progress", "ask_exercise_info", "ask_medication", "ask_lifestyle",
                    "set_reminder", "stop_reminders", "delete_my_data"]


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _training_texts():
    return {_norm(ex.get("text")) for ex in load_data(str(PROJECT_ROOT / "data" / "nlu.yml")).intent_examples}


def test_holdout_sets_are_not_in_training_data():
    training = _training_texts()
    held = [t for t, _ in holdout_examples()] + [i.text for p in SAFETY_SETS for i in safety_items(p)]
    held += [ex.get("text") for ex in load_data(str(ENTITY_HOLDOUT)).training_examples]
    assert [t for t in held if _norm(t) in training] == []


def test_every_contract_intent_is_held_out_and_trained_enough():
    held = {i for _, i in holdout_examples()}
    trained = Counter(ex.get("intent") for ex in load_data(str(PROJECT_ROOT / "data" / "nlu.yml")).intent_examples)
    assert set(CONTRACT_INTENTS) <= held
    assert {i: n for i, n in trained.items() if i in CONTRACT_INTENTS and n < 20} == {}


@pytest.mark.parametrize("path", SAFETY_SETS, ids=lambda p: p.stem)
def test_safety_sets_cover_every_red_flag_and_form(path):
    items = safety_items(path)
    assert len(items) >= (150 if path == SAFETY_SETS[0] else 100)
    reasons = Counter(i.reason for i in items if i.tier > 0)
    assert len(reasons) >= 13 and min(reasons.values()) >= (5 if path == SAFETY_SETS[0] else 3), reasons
    forms = Counter(i.form for i in items)
    for form in ("affirmed", "misspelled", "negated", "resolved", "third_party", "question"):
        assert forms[form] >= 5, forms


@pytest.fixture(scope="module")
def model():
    assert MODEL.exists(), "train first: make train"
    return MODEL


def test_heldout_intent_macro_f1(model):
    report = evaluate_intents(model)
    assert report.macro_f1 >= INTENT_F1_TARGET, (report.macro_f1, report.errors)


@pytest.mark.parametrize("path", SAFETY_SETS, ids=lambda p: p.stem)
def test_every_red_flag_is_caught_with_few_false_alarms(model, path):
    report = evaluate_safety(model, path)
    assert report.misses == [], report.misses
    assert report.false_alarm_rate <= FALSE_ALARM_TARGET, report.false_alarms
    assert report.under_triaged == [], report.under_triaged  # never "today" for an emergency


@pytest.fixture(scope="module")
def entity_report(model):
    return evaluate_entities(model)


@pytest.mark.parametrize("entity", GATED_ENTITIES)
def test_heldout_entity_f1(entity_report, entity):
    report = entity_report
    precision, recall, f1, support = report.per_entity[entity]
    assert support >= 30, support
    assert f1 >= ENTITY_F1_TARGET, (entity, f1, report.errors)
