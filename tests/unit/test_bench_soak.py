"""The soak benchmark's one piece of arithmetic: the slope of memory over time."""

from __future__ import annotations

import pytest

from bench.soak import slope_kb_per_minute


def test_the_slope_is_the_growth_per_minute() -> None:
    rising = [(t, 1000 + 250 * t) for t in (0.0, 1.0, 2.5, 4.0)]
    assert slope_kb_per_minute(rising) == pytest.approx(250)
    assert slope_kb_per_minute([(t, 5000) for t in range(6)]) == 0
    assert slope_kb_per_minute([(1.0, 700)]) == 0  # one sample says nothing
