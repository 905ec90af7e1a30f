"""bot/store/window_cache.py: what lies before a turn's window, kept per person and day."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

from bot.records import CheckinRecord, Earlier
from bot.store.window_cache import BeforeWindowCache, key_for

SINCE = date(2026, 10, 31)
START = datetime(2026, 10, 31)


def _value(since=SINCE, checkins=3):
    return (Earlier(since=since, checkins=checkins, run=2, logs=True),
            (CheckinRecord(at=datetime.combine(since, datetime.min.time()) - timedelta(hours=5), pain_score=4.0),))


def test_kept_per_person_creation_time_window_and_onset():
    cache = BeforeWindowCache()
    created = datetime(2026, 1, 1, 9, 0, 0, 123456)
    cache.put(key_for(1, created, SINCE, None), _value())
    assert cache.get(key_for(1, created, SINCE, None)) == _value()
    for other in (key_for(2, created, SINCE, None), key_for(1, created + timedelta(microseconds=1), SINCE, None),
                  key_for(1, created, SINCE + timedelta(days=1), None),
                  key_for(1, created, SINCE, date(2026, 10, 1))):
        assert cache.get(other) is None


def test_a_log_from_before_a_kept_window_clears_it_and_a_new_one_does_not():
    cache = BeforeWindowCache()
    key = key_for(1, None, SINCE, None)
    cache.put(key, _value())
    cache.logged(START + timedelta(days=30))  # today's log
    cache.logged(START)  # the window's first instant is inside it
    assert cache.get(key) == _value()
    cache.logged(START - timedelta(seconds=1))
    assert cache.get(key) is None and len(cache) == 0
    cache.logged(datetime(2000, 1, 1))  # nothing kept: nothing to clear


def test_the_least_recently_used_goes_first():
    cache = BeforeWindowCache(size=2)
    a, b, c = (key_for(i, None, SINCE, None) for i in (1, 2, 3))
    cache.put(a, _value())
    cache.put(b, _value())
    assert cache.get(a) is not None  # a is now the most recently used
    cache.put(c, _value())
    assert cache.get(b) is None and cache.get(a) is not None and cache.get(c) is not None


def test_threads_share_it_safely():
    cache = BeforeWindowCache(size=64)
    errors = []

    def work(n):
        try:
            for i in range(300):
                key = key_for((n * 1000 + i) % 100, None, SINCE, None)
                cache.put(key, _value())
                cache.get(key)
                if i % 50 == 0:
                    cache.logged(START - timedelta(days=1))
        except Exception as exc:  # noqa: BLE001 - any escape fails the test below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(cache) <= 64
