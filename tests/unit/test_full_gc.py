"""When the web process runs its full garbage collection: on a timer, or sooner once many
pages have closed (their objects are garbage in cycles that only a full collection frees)."""

from __future__ import annotations

from tracker_app import web


def test_a_full_collection_comes_on_the_timer_or_after_many_closed_pages() -> None:
    assert not web.full_gc_due(10, 0)
    assert web.full_gc_due(web.FULL_GC_SECONDS, 0)  # at least every five minutes
    assert web.full_gc_due(web.GC_MIN_SECONDS, web.GC_AFTER_CLOSED)  # pages came and went
    # ... but never back to back, however many pages close
    assert not web.full_gc_due(web.GC_MIN_SECONDS - 1, 10 * web.GC_AFTER_CLOSED)
    assert not web.full_gc_due(web.GC_MIN_SECONDS, web.GC_AFTER_CLOSED - 1)
