"""Use cases: one turn's work against the store, in one transaction each."""
