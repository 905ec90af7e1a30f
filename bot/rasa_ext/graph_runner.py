"""Runs a trained model's graph node after node, without dask, for the Rasa server.

Rasa 3.6 runs the prediction graph twice or more per message (the NLU pipeline, then the
policies before each action) through `DaskGraphRunner`, which on every run rebuilds the
minimal schema for the targets, builds a dask graph of it and lets dask order and execute
it. With a handful of nodes that run one after the other anyway, that bookkeeping cost more
than some of the nodes (bench/profile_load.py: dask was part of the 38% of the server's
busy time spent in Rasa's own machinery).

`SequentialGraphRunner` works out once, per set of targets and inputs, which nodes a run
needs and in which order (each after what it needs), then calls them in that order. Each
node gets exactly what dask hands it: a `(name, value)` pair per need, an input as
`(input name, value)`. Results, the clash check for inputs and the errors are Rasa's.
Training keeps Rasa's runner (bot.rasa_ext.hot_path only replaces the one the server's
MessageProcessor loads). tests/test_rasa_ext_graph_runner.py runs a trained model's graph
both ways.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, FrozenSet, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

logger = logging.getLogger(__name__)


class SequentialGraphRunner(DaskGraphRunner):
    """Rasa's graph runner without dask's per-run bookkeeping (see the module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: Dict[Tuple[Tuple[Text, ...], FrozenSet[Text]], List[Tuple[Text, Tuple[Text, ...]]]] = {}

    def _plan(self, targets: Tuple[Text, ...], inputs: FrozenSet[Text]) -> List[Tuple[Text, Tuple[Text, ...]]]:
        """The nodes to call, each after the nodes it needs, with the names it needs."""
        key = (targets, inputs)
        plan = self._plans.get(key)
        if plan is None:
            nodes = self._graph_schema.nodes
            plan, done, visiting = [], set(), set()

            def visit(name: Text) -> None:
                if name in done or name in inputs:
                    return
                if name not in nodes:
                    raise GraphRunError(f"Nothing provides '{name}': neither a node of the graph "
                                        f"nor an input.")
                if name in visiting:
                    raise GraphRunError(f"The graph has a cycle through '{name}'.")
                visiting.add(name)
                needs = tuple(nodes[name].needs.values())
                for need in needs:
                    visit(need)
                visiting.discard(name)
                done.add(name)
                plan.append((name, needs))

            for target in targets:
                visit(target)
            self._plans[key] = plan
        return plan

    def run(self, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        run_targets = list(targets if targets else self._graph_schema.target_names)
        plan = self._plan(tuple(run_targets), frozenset(inputs or ()))
        values: Dict[Text, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and (value in values or any(value == n for n, _ in plan)):
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none of "
                    f"the input names passed to the `run` method are the same as node names "
                    f"in the graph schema.")
            values[name] = (name, value)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(f"Running graph with inputs: {inputs}, targets: {targets} "
                         f"and {self._execution_context}.")
        try:
            for name, needs in plan:
                values[name] = self._instantiated_nodes[name](*(values[need] for need in needs))
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(values[target] for target in run_targets)
