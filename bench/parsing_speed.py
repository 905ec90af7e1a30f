"""How long the pure text parsers and the clinical reader take (figures, not a gate).

Hostile inputs (huge, digits, emoji) and a batch of ordinary check-in messages.
"""
from __future__ import annotations

import statistics
import time

from bot import lexicon, parsing
from bot.nlu.clinical import analyse, default_reader

INPUTS = {
    "100k letters + score": "x" * 100_000 + " 6/10",
    "12k words": "backpack " * 12_000 + "and my calf",
    "100k digits": "9" * 100_000,
    "emoji x 20k": "👍" * 20_000,
}
ORDINARY = [
    "back is a 3 today", "my calf is worse, about a 6", "no numbness, bladder fine, back a 4",
    "the tingling in both legs has gone", "what are the warning signs?", "walked 25 minutes",
    "my left foot keeps flopping down and catching", "my friend had cauda equina",
]


def main() -> None:
    t0 = time.perf_counter()
    default_reader()
    print(f"{'clinical reader build':<22} {1000 * (time.perf_counter() - t0):8.1f} ms (once per process)")
    for name, text in INPUTS.items():
        t0 = time.perf_counter()
        parsing.parse_pain_score(text)
        parsing.parse_minutes(text)
        parsing.parse_days_since(text)
        parsing.parse_sleep(text)
        for entity in lexicon.SYNONYMS:
            lexicon.find_values(entity, text)
        analyse(text)
        print(f"{name:<22} {1000 * (time.perf_counter() - t0):8.1f} ms for all parsers")
    times = []
    for _ in range(50):
        for text in ORDINARY:
            t0 = time.perf_counter()
            analyse(text)
            times.append(1000 * (time.perf_counter() - t0))
    times.sort()
    print(f"{'clinical reader':<22} median {statistics.median(times):.2f} ms, "
          f"p95 {times[int(0.95 * len(times))]:.2f} ms per ordinary message ({len(times)} runs)")


if __name__ == "__main__":
    main()
