"""The scale benchmark's summary of repeated runs (bench/bench_scale.py --repeat)."""

from __future__ import annotations

import pytest

from bench.bench_scale import Run, median_run, spread


def _run(wall: float, peak: float, report: bytes = b"{}") -> Run:
    return Run("local", 10, wall, wall, peak, {}, {}, 1.0, 1.0, (report, b"# md"), (1.0, 1.0))


def test_median_run_is_the_middle_wall_time_and_the_lower_middle_of_an_even_count() -> None:
    runs = [_run(9.0, 1), _run(7.0, 2), _run(8.0, 3)]
    assert median_run(runs).wall == 8.0
    assert median_run([*runs, _run(10.0, 4)]).wall == 8.0
    assert median_run([_run(5.0, 1)]).wall == 5.0


def test_spread_prints_the_range_the_highest_peak_and_whether_the_reports_match(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spread([_run(9.0, 100), _run(7.0, 300), _run(8.0, 200)])
    line = capsys.readouterr().out
    assert "3 runs: wall min 7.0, median 8.0, max 9.0 s; peak max 300 MiB" in line
    assert line.rstrip().endswith("reports identical across runs: True")
    spread([_run(9.0, 100), _run(7.0, 300, b'{"other": 1}')])
    assert capsys.readouterr().out.rstrip().endswith("reports identical across runs: False")
