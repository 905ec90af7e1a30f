"""bot.rasa_ext.graph_runner: the trained model's graph run node after node gives what dask gives."""
from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest
import rasa.core.processor as processor
from rasa.core.channels.channel import UserMessage
from rasa.engine import loader
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext import hot_path  # noqa: F401 - installs the runner into rasa.core.processor
from bot.rasa_ext.graph_runner import SequentialGraphRunner
from bot.serve import MODELS_DIR

TEXTS = ["hi", "my back is a 3 today", "what should I do today?", "walked 20 minutes after lunch",
         "my leg hurts more and I can't feel my foot", "no numbness, just stiff", "yes", "5"]


@pytest.fixture(scope="module")
def runners(tmp_path_factory):
    model = MODELS_DIR / "coach.tar.gz"
    loaded = {}
    for cls in (DaskGraphRunner, SequentialGraphRunner):
        metadata, runner = loader.load_predict_graph_runner(
            tmp_path_factory.mktemp(cls.__name__), model, LocalModelStorage, cls)
        loaded[cls] = (metadata, runner)
    return loaded


def _parse(metadata, runner, text, tracker):
    results = runner.run(inputs={PLACEHOLDER_MESSAGE: [UserMessage(text)], PLACEHOLDER_TRACKER: tracker},
                         targets=[metadata.nlu_target])
    return results[metadata.nlu_target][0].as_dict(only_output_properties=True)


def _tracker(domain_slots, *events):
    return DialogueStateTracker.from_events("someone", [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        *events], domain_slots)


def _untimed(events):
    return [{k: v for k, v in e.as_dict().items() if k != "timestamp"} for e in events]


def test_the_server_loads_models_with_the_sequential_runner():
    assert processor.DaskGraphRunner is SequentialGraphRunner


def test_rasas_processor_uses_the_runner_name_only_to_load_the_model():
    """If a Rasa upgrade used DaskGraphRunner there for anything else, this fails first."""
    tree = ast.parse(inspect.getsource(processor))
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "DaskGraphRunner"]
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and n.func.attr == "load_predict_graph_runner"]
    assert len(uses) == 1 and len(calls) == 1 and uses[0] in calls[0].args


def test_parse_and_prediction_are_the_same_as_with_dask(runners):
    (dmeta, dask), (smeta, seq) = runners[DaskGraphRunner], runners[SequentialGraphRunner]
    assert dmeta.nlu_target == smeta.nlu_target and dmeta.core_target == smeta.core_target
    slots = dmeta.domain.slots
    for text in TEXTS:
        tracker = _tracker(slots)
        ours, theirs = _parse(smeta, seq, text, tracker), _parse(dmeta, dask, text, tracker)
        assert ours["intent"] == theirs["intent"] and ours["entities"] == theirs["entities"], text
        assert ours["intent_ranking"] == theirs["intent_ranking"], text
        assert ours.get("clinical") == theirs.get("clinical"), text

        after_message = _tracker(slots, UserUttered(text, theirs["intent"], theirs["entities"],
                                                    parse_data=theirs))
        after_action = _tracker(slots, UserUttered(text, theirs["intent"], theirs["entities"],
                                                   parse_data=theirs),
                                ActionExecuted("utter_greet"), SlotSet("returning_person", True))
        for state in (after_message, after_action):
            mine = seq.run(inputs={PLACEHOLDER_TRACKER: state}, targets=[smeta.core_target])[smeta.core_target]
            dasks = dask.run(inputs={PLACEHOLDER_TRACKER: state}, targets=[dmeta.core_target])[dmeta.core_target]
            assert mine.policy_name == dasks.policy_name, text
            assert np.allclose(mine.probabilities, dasks.probabilities), text
            assert _untimed(mine.events) == _untimed(dasks.events), text


def test_each_node_runs_after_what_it_needs_and_only_what_the_targets_need(runners):
    metadata, runner = runners[SequentialGraphRunner]
    schema = runner._graph_schema
    nlu_plan = runner._plan((metadata.nlu_target,), frozenset({PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER}))
    names = [name for name, _ in nlu_plan]
    assert names[-1] == metadata.nlu_target and len(names) == len(set(names))
    for position, (name, needs) in enumerate(nlu_plan):
        assert needs == tuple(schema.nodes[name].needs.values())
        for need in needs:
            assert need in (PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER) or names.index(need) < position
    expected = set(schema.minimal_graph_schema([metadata.nlu_target]).nodes)
    assert set(names) == expected
    assert metadata.core_target not in names  # no policy runs for a parse


def test_an_input_stands_in_for_the_node_of_that_name(runners):
    metadata, runner = runners[SequentialGraphRunner]
    target = metadata.nlu_target
    given = ["already parsed"]
    assert runner.run(inputs={target: given}, targets=[target]) == {target: given}
    assert runner._plan((target,), frozenset({target})) == []


def test_an_input_named_like_a_node_or_a_missing_need_is_refused(runners):
    metadata, runner = runners[SequentialGraphRunner]
    some_node = next(iter(runner._graph_schema.minimal_graph_schema([metadata.nlu_target]).nodes))
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        runner.run(inputs={PLACEHOLDER_MESSAGE: some_node, PLACEHOLDER_TRACKER: None},
                   targets=[metadata.nlu_target])
    with pytest.raises(GraphRunError, match="Nothing provides"):
        runner.run(inputs={}, targets=[metadata.nlu_target])
