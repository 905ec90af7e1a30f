"""bot.nlu.intent_classifier: TF-IDF + logistic regression, saved and loaded with skops."""
from __future__ import annotations

import collections

import numpy as np
import pytest
import skops.io as sio
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from scipy.sparse import csr_matrix

from bot.nlu.intent_classifier import LinearIntentClassifier

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


def test_a_file_holding_other_untrusted_types_is_refused(storage):
    component = _component(storage)
    component.clf.fit(X, Y)
    with storage.write_to(Resource("intents")) as folder:
        sio.dump({"model": component.clf, "odd": collections.Counter(a=1)}, folder / "intents.skops")
    with pytest.raises(ValueError, match="never saves"):
        LinearIntentClassifier.load(
            LinearIntentClassifier.get_default_config(), storage, Resource("intents"),
            ExecutionContext(GraphSchema({}), node_name="intents"))


def test_features_are_stacked_as_rasas_own_classifier_stacks_them(storage):
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    def message(row, dense=None):
        m = Message(data={"text": "x"})
        m.add_features(Features(csr_matrix(row), "sentence", "text", "CountVectorsFeaturizer"))
        if dense is not None:
            m.add_features(Features(np.array([dense]), "sentence", "text", "dense"))
        return m

    ours = _component(storage)
    for batch in ([message(X[0].toarray())], [message(X[i].toarray()) for i in range(3)],
                  [message(X[0].toarray(), [0.5, 1.5])]):
        expected = LogisticRegressionClassifier._create_X(ours, batch)
        got = ours._create_X(batch)
        assert got.shape == expected.shape and (got != expected).nnz == 0
