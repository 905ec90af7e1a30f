"""Rule-based clinical NLU on spaCy: entities, red flags, negation scoping."""
