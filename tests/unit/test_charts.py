"""Daily charts tick on days, never hours, however short the range."""

from __future__ import annotations

import datetime as dt

from pages import charts

DAY = dt.date(2026, 12, 3)


def test_two_days_tick_once_a_day() -> None:
    axis = charts.day_axis(DAY, DAY + dt.timedelta(days=1))
    assert axis["dtick"] == 86_400_000 and axis["tickformat"] == "%b %d"
    assert axis["range"] == ["2026-12-02T12:00:00", "2026-12-04T12:00:00"]


def test_long_ranges_leave_the_spacing_to_the_width_but_keep_day_labels() -> None:
    axis = charts.day_axis(DAY, DAY + dt.timedelta(days=89))
    assert "dtick" not in axis and axis["tickformat"] == "%b %d"


def test_history_note_only_when_days_are_missing() -> None:
    assert charts.history_note(DAY, DAY, admin=True) == ("", None)
    note, command = charts.history_note(DAY, DAY - dt.timedelta(days=5), admin=True)
    assert note.startswith("Daily counts start on Dec 03, 2026")
    assert command == "tracker stats backfill --since 2026-11-28"
    assert charts.history_note(None, DAY, admin=False)[1] is None
