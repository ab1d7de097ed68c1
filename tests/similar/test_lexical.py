"""The lexical fallback: normalisation, similarity, the index."""

from __future__ import annotations

import pytest

from services.similar import LexicalIndex, lexical


def test_terms_are_normalised() -> None:
    assert lexical.terms("Exporting reports FAILS") == ["export", "report", "not"]
    assert lexical.terms("Can't log in with Résumé") == ["not", "signin", "resume"]
    assert lexical.terms("the app is frozen") == ["app", "hang"]
    assert lexical.terms("Dropped uploads") == ["drop", "upload"]


def test_reworded_titles_score_above_unrelated_ones() -> None:
    original = "Export fails for large reports"
    reworded = "Exporting a large report fails"
    unrelated = "Dark mode resets after restart"
    assert lexical.similarity(original, reworded) > 0.6
    assert lexical.similarity(original, unrelated) < 0.2
    assert (
        lexical.similarity(original, original) == 1.0
        or abs(lexical.similarity(original, original) - 1.0) < 1e-9
    )
    assert lexical.similarity("", original) == 0.0


def test_trigrams_join_typos() -> None:
    assert lexical.similarity("Dashbaord widgets load forever", "Dashboard widgets") > 0.4


def test_index_add_search_update_remove() -> None:
    idx = LexicalIndex()
    idx.add(1, "Members can't download invoices")
    idx.add(2, "Dark mode resets after restarting the app")
    idx.add(3, "Invoice PDF shows the wrong VAT rate")
    idx.add(4, "Search ignores words with hyphens")
    assert len(idx) == 4
    best = idx.search("Unable to download an invoice as a member", k=2)
    assert best[0][0] == 1
    assert idx.search("dark theme resets", k=1)[0][0] == 2
    assert [i for i, _ in idx.search("invoice", k=5, allowed={3})] == [3]
    assert 1 not in [i for i, _ in idx.search("download invoices", k=5, exclude=[1])]
    idx.update(2, "Search results are not sorted")
    assert idx.search("dark mode", k=5) == []
    assert idx.remove(4) is True
    assert idx.remove(4) is False
    assert all(i != 4 for i, _ in idx.search("hyphens search", k=5))


def test_common_words_do_not_flood_the_search() -> None:
    idx = LexicalIndex()
    for i in range(3000):
        idx.add(i, f"app does not work item {i}")
    idx.add(9999, "app does not work when exporting invoices")
    got = idx.search("exporting invoices does not work", k=3, shortlist=50)
    assert got[0][0] == 9999


def test_the_index_keeps_a_bounded_number_of_profiles_and_finds_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = {
        i: f"printer {i} jams on page {i % 7} when duplex is on, tray {i % 3}" for i in range(300)
    }
    queries = ("printer jams on page 3", "duplex tray 2", "printer 17 jams", "tray 1 jams")

    def index() -> LexicalIndex:
        idx = LexicalIndex()
        for i, text in texts.items():
            idx.add(i, text)
        return idx

    unbounded = index()
    expected = [unbounded.search(query, k=5) for query in queries]
    assert len(unbounded._profiles) == 200  # a shortlist of 200 compared each time
    monkeypatch.setattr(lexical, "PROFILES_KEPT", 20)
    bounded = index()
    assert [bounded.search(query, k=5) for query in queries] == expected
    assert len(bounded._profiles) == 20
