"""The timeline and lists of similar issues are drawn as markup (pages/markup.py): a value
from a user stays text, in an element's content and in an attribute alike."""

from __future__ import annotations

import datetime as dt

from pages import markup
from services.enums import Status
from services.suggest import Suggestion

HOSTILE = '"><script>window.__xss=1</script><a href="javascript:x">'


def test_a_similar_issue_keeps_its_title_and_reasons_as_text() -> None:
    item = Suggestion(
        id=7,
        title=HOSTILE,
        status=Status.IN_PROGRESS,
        score=0.56,
        reasons=["<b>title</b>"],
        likely_duplicate=True,
    )
    html = markup.similar_issue(item, score=True, new_tab=True)
    assert "<script>" not in html and "<b>" not in html and 'javascript:x"' not in html
    assert f">#7 {markup.text(HOSTILE)}</a>" in html
    assert 'href="/issues/7" target="_blank" rel="noopener"' in html
    assert ">In progress</span>" in html and "likely the same" in html and ">56 %<" in html


def test_a_staff_list_shows_the_score_a_reporters_does_not() -> None:
    item = Suggestion(
        id=1, title="t", status=Status.OPEN, score=0.4, reasons=[], likely_duplicate=False
    )
    assert "40 %" in markup.similar_issue(item, score=True, new_tab=False)
    assert "%" not in markup.similar_issue(item, score=False, new_tab=False)
    assert "likely the same" not in markup.similar_issue(item, score=True, new_tab=False)


def test_a_moment_says_its_exact_time_in_utc() -> None:
    at = dt.datetime(2026, 12, 6, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    html = markup.moment(at, "3 h ago", "text-xs")
    assert 'datetime="2026-12-06T07:30:00+02:00"' in html
    assert 'title="2026-12-06 05:30 UTC">3 h ago</time>' in html
