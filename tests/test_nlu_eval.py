"""The trained model on held-out messages it never saw: intent macro F1 >= 0.95."""
from __future__ import annotations

from scripts.evaluate import INTENT_F1_TARGET, MODEL, evaluate_intents, holdout_examples
from rasa.shared.nlu.training_data.loading import load_data

from bot.settings import PROJECT_ROOT


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def test_holdout_is_not_in_training_data():
    training = {_norm(ex.get("text")) for ex in load_data(str(PROJECT_ROOT / "data" / "nlu.yml")).intent_examples}
    overlap = [t for t, _ in holdout_examples() if _norm(t) in training]
    assert overlap == []


def test_every_contract_intent_is_held_out_and_trained_enough():
    held = {i for _, i in holdout_examples()}
    trained = {}
    for ex in load_data(str(PROJECT_ROOT / "data" / "nlu.yml")).intent_examples:
        trained[ex.get("intent")] = trained.get(ex.get("intent"), 0) + 1
    contract = ["greet", "goodbye", "affirm", "deny", "thank", "bot_challenge", "start_checkin",
                "report_symptoms", "report_red_flag", "ask_plan", "report_activity", "report_sleep",
                "express_fear", "ask_progress", "ask_exercise_info", "ask_medication", "ask_lifestyle",
                "set_reminder", "stop_reminders", "delete_my_data"]
    assert set(contract) <= held
    assert {i: n for i, n in trained.items() if i in contract and n < 20} == {}


def test_heldout_intent_macro_f1():
    assert MODEL.exists(), "train first: make train"
    report = evaluate_intents()
    assert report.macro_f1 >= INTENT_F1_TARGET, (report.macro_f1, report.errors)
