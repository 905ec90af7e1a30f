"""The benchmark's arithmetic only (the figures themselves live in `make bench`)."""
from bench.compare import Sample, percentile, ratio, summarize, table


def test_percentile_interpolates_like_numpy():
    assert percentile([], 50) is None
    assert percentile([7.0], 99) == 7.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(101)), 95) == 95
    assert percentile([10, 0, 5], 100) == 10


def test_summary_counts_errors_apart_from_latencies():
    samples = [Sample(0, 1, 100, None), Sample(1, 2, 300, None, empty=True),
               Sample(2, 3, 30000, "timeout"), Sample(3, 4, 5, "http 500")]
    got = summarize(samples, seconds=4.0)
    assert (got["requests"], got["ok"], got["errors"], got["empty_replies"]) == (4, 2, 2, 1)
    assert got["throughput"] == 0.5 and got["p50_ms"] == 200
    assert got["error_kinds"] == {"timeout": 1, "http 500": 1}
    assert ratio(3, 0) is None and ratio(None, 1) is None and ratio(3, 1.5) == 2


def test_table_aligns_columns():
    lines = table(["a", "long header"], [["xyz", "1"]]).splitlines()
    assert lines[0] == "a   | long header" and lines[2] == "xyz | 1"
