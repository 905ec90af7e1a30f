"""How long the pure text parsers take on huge and hostile inputs (figures, not a gate)."""
from __future__ import annotations

import time

from bot import lexicon, parsing
from bot.safety import screen

INPUTS = {
    "100k letters + score": "x" * 100_000 + " 6/10",
    "12k words": "backpack " * 12_000 + "and my calf",
    "100k digits": "9" * 100_000,
    "emoji x 20k": "👍" * 20_000,
}


def main() -> None:
    for name, text in INPUTS.items():
        t0 = time.perf_counter()
        parsing.parse_pain_score(text)
        parsing.parse_minutes(text)
        parsing.parse_days_since(text)
        parsing.parse_sleep(text)
        for entity in lexicon.SYNONYMS:
            lexicon.find_values(entity, text)
        screen(text)
        print(f"{name:<22} {1000 * (time.perf_counter() - t0):8.1f} ms for all parsers")


if __name__ == "__main__":
    main()
