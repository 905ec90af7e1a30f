"""bot.nlu.intent_classifier: TF-IDF + logistic regression, saved as plain arrays and loaded back."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from scipy.sparse import csr_matrix
from sklearn.pipeline import Pipeline

from bot.nlu.intent_classifier import LinearIntentClassifier
from bot.settings import PROJECT_ROOT

X = csr_matrix(np.array([[3, 0, 1, 0], [2, 0, 0, 0], [0, 4, 0, 1], [0, 1, 0, 3]] * 3, dtype=float))
Y = ["greet", "greet", "ask_plan", "ask_plan"] * 3


@pytest.fixture()
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def _component(storage, config=None):
    return LinearIntentClassifier.create(
        {**LinearIntentClassifier.get_default_config(), **(config or {})}, storage,
        Resource("intents"), ExecutionContext(GraphSchema({}), node_name="intents"))


def test_counts_are_tfidf_weighted_before_the_model_and_c_is_a_setting(storage):
    component = _component(storage, {"C": 7})
    steps = dict(component.clf.steps)
    assert steps["tfidf"].sublinear_tf is True
    assert steps["model"].C == 7.0 and steps["model"].class_weight == "balanced"


def test_a_saved_classifier_loads_and_predicts_the_same(storage):
    component = _component(storage)
    component.clf.fit(X, Y)
    component.persist()
    loaded = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), storage, Resource("intents"),
        ExecutionContext(GraphSchema({}), node_name="intents"))
    assert list(loaded.clf.classes_) == ["ask_plan", "greet"]
    assert np.allclose(loaded.clf.predict_proba(X), component.clf.predict_proba(X))
    assert loaded.clf.predict(X[:1])[0] == "greet"


def _load(storage):
    return LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), storage, Resource("intents"),
        ExecutionContext(GraphSchema({}), node_name="intents"))


def test_three_intents_round_trip_and_the_files_are_plain_arrays_and_json(storage):
    y = ["greet", "greet", "ask_plan", "bye"] * 3
    component = _component(storage)
    component.clf.fit(X, y)
    component.persist()
    with storage.read_from(Resource("intents")) as folder:
        assert sorted(p.name for p in folder.iterdir()) == ["intents.classes.json", "intents.npz"]
        assert json.loads((folder / "intents.classes.json").read_text()) == ["ask_plan", "bye", "greet"]
        with np.load(folder / "intents.npz", allow_pickle=False) as arrays:
            assert arrays["coef"].shape == (3, 4) and arrays["idf"].shape == (4,)
    loaded = _load(storage)
    assert np.allclose(loaded.clf.predict_proba(X), component.clf.predict_proba(X))
    assert list(loaded.clf.predict(X[[0, 2, 3]])) == ["greet", "ask_plan", "bye"]


def test_a_file_holding_pickled_objects_is_refused(storage):
    with storage.write_to(Resource("intents")) as folder:
        np.savez(folder / "intents.npz", idf=np.array([object()], dtype=object),
                 coef=np.zeros((1, 1)), intercept=np.zeros(1))
        (folder / "intents.classes.json").write_text('["a", "b"]')
    with pytest.raises(ValueError, match="pickle"):
        _load(storage)


@pytest.mark.parametrize("classes, coef_shape", [(["a", "b", "c"], (1, 4)), (["a"], (1, 4)), ([1, 2], (1, 4)),
                                                 (["a", "b"], (1, 3))])
def test_arrays_that_do_not_fit_together_are_refused_with_what_is_wrong(storage, classes, coef_shape):
    with storage.write_to(Resource("intents")) as folder:
        np.savez(folder / "intents.npz", idf=np.ones(4), coef=np.zeros(coef_shape),
                 intercept=np.zeros(coef_shape[0]))
        (folder / "intents.classes.json").write_text(json.dumps(classes))
    with pytest.raises(ValueError, match="saved"):
        _load(storage)


def test_a_model_without_a_saved_classifier_gets_an_unfitted_one(storage):
    loaded = _load(storage)
    assert not hasattr(loaded.clf.named_steps["model"], "coef_")


def test_loading_leaves_the_root_logger_a_plain_logger(tmp_path):
    """skops imported numpy.distutils, which swapped the root logger's class for one whose
    `_log` refuses exc_info: `logging.exception` then raised inside the Rasa server."""
    code = f"""
import logging
from pathlib import Path
from tests.test_intent_classifier import X, Y, _component, _load
from rasa.engine.storage.local_model_storage import LocalModelStorage
storage = LocalModelStorage(Path({str(tmp_path)!r}))
component = _component(storage)
component.clf.fit(X, Y)
component.persist()
_load(storage)
logging.getLogger().addHandler(logging.NullHandler())
try:
    raise RuntimeError("boom")
except RuntimeError:
    logging.exception("failed")
print(type(logging.getLogger()).__name__)
"""
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["RootLogger"]


def test_features_are_stacked_as_rasas_own_classifier_stacks_them(storage):
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    def message(row, dense=None):
        m = Message(data={"text": "x"})
        m.add_features(Features(csr_matrix(np.vstack([row, row])), "sequence", "text", "CountVectorsFeaturizer"))
        m.add_features(Features(csr_matrix(row), "sentence", "text", "CountVectorsFeaturizer"))
        m.add_features(Features(csr_matrix(row[:, :2] * 2), "sentence", "text", "RegexFeaturizer"))
        m.add_features(Features(csr_matrix(row[:, :3]), "sentence", "intent", "CountVectorsFeaturizer"))
        if dense is not None:
            m.add_features(Features(np.array([dense]), "sentence", "text", "dense"))
        return m

    ours = _component(storage)
    for batch in ([message(X[0].toarray())], [message(X[i].toarray()) for i in range(3)],
                  [message(X[0].toarray(), [0.5, 1.5])]):
        expected = LogisticRegressionClassifier._create_X(ours, batch)
        got = ours._create_X(batch)
        assert got.shape == expected.shape and (got != expected).nnz == 0


def test_the_direct_multinomial_probabilities_are_scikit_learns(storage):
    rng = np.random.default_rng(7)
    counts = rng.poisson(0.4, size=(60, 25)).astype(float)
    y = [("greet", "bye", "ask_plan", "inform")[i % 4] for i in range(60)]
    component = _component(storage)
    component.clf.fit(csr_matrix(counts), y)
    queries = csr_matrix(np.vstack([counts[:10], np.zeros((1, 25)), rng.poisson(2.0, size=(3, 25))]))
    ours = component.clf.predict_proba(queries)
    sklearns = Pipeline.predict_proba(component.clf, queries)
    assert ours.shape == (14, 4) and np.allclose(ours, sklearns, rtol=1e-9, atol=1e-12)
    assert np.allclose(component.clf.predict_proba(queries.toarray()), sklearns)  # dense: sklearn's path
    with pytest.raises(ValueError, match="features"):
        component.clf.predict_proba(csr_matrix(np.ones((1, 24))))
    component.clf.fit(csr_matrix(counts[:, ::-1].copy()), y)  # refitted: no stale weighting
    assert np.allclose(component.clf.predict_proba(queries), Pipeline.predict_proba(component.clf, queries))


def test_messages_with_different_feature_widths_are_refused(storage):
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    def message(width):
        m = Message(data={"text": "x"})
        m.add_features(Features(csr_matrix(np.ones((1, width))), "sentence", "text", "CountVectorsFeaturizer"))
        return m

    with pytest.raises(ValueError, match="sentence features"):
        _component(storage)._create_X([message(3), message(4)])
