"""`make eval-seeds`: three trainings from scratch with different random seeds, each scored.

Issue 11 asks that the NLU and safety figures hold across trainings, not for one lucky
model. Each run copies config.yml with every `random_seed` / `random_state` set to the
seed, trains from an empty cache (RASA_CACHE_DIRECTORY) into a temporary folder, times
it, and scores the model with scripts/evaluate.py's functions (the same ones `make eval`
and tests/test_nlu_eval.py use). The table at the end has one row per seed.

The intent classifier (bot/nlu/intent_classifier.py) is logistic regression fitted by
L-BFGS, which is deterministic: its seed changes nothing, and the table shows that.

    python -m scripts.seeds [--seeds 1 2 3]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import yaml

from bot.settings import PROJECT_ROOT
from scripts import evaluate as ev

SEED_KEYS = ("random_seed", "random_state")


def seeded_config(seed: int, out: Path) -> Path:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    for part in config.get("pipeline", []) + config.get("policies", []):
        for key in SEED_KEYS:
            if key in part:
                part[key] = seed
    path = out / f"config-{seed}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def train(seed: int, work: Path) -> Dict[str, object]:
    config = seeded_config(seed, work)
    env = {**os.environ, "RASA_CACHE_DIRECTORY": str(work / f"cache-{seed}")}
    started = time.monotonic()
    subprocess.run([str(Path(sys.executable).parent / "rasa"), "train", "--config", str(config),
                    "--domain", "domain.yml", "--data", "data", "--out", str(work),
                    "--fixed-model-name", f"seed-{seed}"],
                   cwd=PROJECT_ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    model = work / f"seed-{seed}.tar.gz"
    row: Dict[str, object] = {"seed": seed, "training_s": seconds,
                              "intent_f1": ev.evaluate_intents(model).macro_f1}
    for path in ev.SAFETY_SETS + ev.REPORTED_SAFETY_SETS:
        report = ev.evaluate_safety(model, path)
        row[f"{path.stem} recall"] = report.recall
        row[f"{path.stem} false alarms"] = report.false_alarm_rate
    entities = ev.evaluate_entities(model)
    for entity in ev.GATED_ENTITIES:
        row[f"F1 {entity}"] = entities.per_entity[entity][2]
    ev._agent.cache_clear()
    return row


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="coach-seeds-"))
    try:
        rows = []
        for seed in args.seeds:
            print(f"seed {seed}: training from scratch and scoring ...", flush=True)
            rows.append(train(seed, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    keys = list(rows[0])
    print("\n| " + " | ".join(keys) + " |\n|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) and k != "training_s" else
                                f"{v:.0f}" if k == "training_s" else str(v)
                                for k, v in row.items()) + " |")
    gated = [r for r in rows if not (
        r["intent_f1"] >= ev.INTENT_F1_TARGET
        and all(r[f"{p.stem} recall"] >= ev.RED_FLAG_RECALL_TARGET for p in ev.SAFETY_SETS)
        and all(r[f"{p.stem} false alarms"] <= ev.FALSE_ALARM_TARGET for p in ev.SAFETY_SETS)
        and all(r[f"F1 {e}"] >= ev.ENTITY_F1_TARGET for e in ev.GATED_ENTITIES))]
    print(f"\n{len(rows) - len(gated)} of {len(rows)} trainings meet every gated target "
          f"(intent F1 >= {ev.INTENT_F1_TARGET}, recall 1.000 and false alarms <= "
          f"{ev.FALSE_ALARM_TARGET} on {', '.join(p.stem for p in ev.SAFETY_SETS)}, entity F1 >= "
          f"{ev.ENTITY_F1_TARGET}); {', '.join(p.stem for p in ev.REPORTED_SAFETY_SETS)} is reported only")
    return 1 if gated else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
