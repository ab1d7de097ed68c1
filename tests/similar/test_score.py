"""Codes, facets, the re-ranker's scores and reasons."""

from __future__ import annotations

import pytest

import services.similar as similar
from services.similar import Embedder, Item, embed_item, embed_items, extract_codes, rank
from services.similar import facets as fc
from services.similar.score import features
from services.similar.text import prepare_body


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("net::ERR_CONNECTION_REFUSED when updating", {"ERR_CONNECTION_REFUSED"}),
        ("Payment fails with card_declined", {"CARD_DECLINED"}),
        ("ORA-00942: table or view does not exist", {"ORA-00942"}),
        ("E11000 duplicate key error", {"E11000"}),
        ("read ECONNRESET while uploading", {"ECONNRESET"}),
        ("failed with HRESULT 0x80070005", {"0x80070005"}),
        ("Playback error (3016) on Linux", {"ERROR 3016"}),
        ("the page returns 500 instead of a list", {"HTTP 500"}),
        ("413 Request Entity Too Large", {"HTTP 413"}),
        ("502 Bad Gateway for an hour", {"HTTP 502"}),
        ("a project with 500 tasks and a due_date field", set()),
        ("", set()),
    ],
)
def test_extract_codes(text: str, codes: set[str]) -> None:
    assert extract_codes(text) == codes


def test_facet_conflicts_name_what_differs() -> None:
    a = fc.facets("Users are logged out every few minutes on Safari")
    b = fc.facets("Users are logged out every few minutes on Firefox")
    assert fc.conflicts(a, b) == ["browser: safari / firefox"]
    roles = fc.conflicts(fc.facets("Members can't download"), fc.facets("Billing contacts can't"))
    assert roles == ["role: member / billing contact"]
    moves = fc.conflicts(fc.facets("Charged when upgrading"), fc.facets("Charged when downgrading"))
    assert moves == ["action: upgrade / downgrade"]
    same = fc.conflicts(fc.facets("Crash on iPhone"), fc.facets("iOS app crashes"))
    assert same == []


def test_prepared_bodies_keep_prose_and_the_exception_line() -> None:
    body = (
        "Export fails ![shot](/attachments/3) see [log](https://x.example/l).\n"
        "Traceback (most recent call last):\n"
        '  File "reports/export.py", line 118, in export_rows\n'
        '    row["assignee"] = users[task.assignee_id].name\n'
        "KeyError: 4411"
    )
    assert prepare_body(body) == "Export fails shot see log. KeyError: 4411"
    assert prepare_body("") == ""
    assert len(prepare_body("word " * 1000)) <= 1500


def item(embedder: Embedder, id_: object, title: str, body: str = "", **kw: object) -> Item:
    t, b = embed_item(embedder, title, body)
    return Item(id_, title, body, t, b, **kw)  # type: ignore[arg-type]


def test_a_reworded_duplicate_is_flagged_with_reasons(embedder: Embedder) -> None:
    candidates = [
        item(embedder, 1, "Members can't download invoices", "Non-admin members get a 403."),
        item(embedder, 2, "Dark mode resets after restarting the app"),
        item(embedder, 3, "Invoice PDF shows the wrong VAT rate for German customers"),
    ]
    query = item(
        embedder,
        None,
        "Regular members get 403 when downloading an invoice",
        "Team members who are not admins can't download invoice PDFs, they get 403.",
    )
    matches = rank(query, candidates, k=2, embedder=embedder)
    assert matches[0].id == 1
    best = matches[0]
    assert best.likely_duplicate
    assert 0.0 <= best.score <= 1.0
    assert "similar title" in best.reasons
    assert "same HTTP status 403" in best.reasons
    assert not matches[1].likely_duplicate


def test_a_near_opposite_is_not_flagged_and_says_why(embedder: Embedder) -> None:
    candidates = [item(embedder, 1, "Users are logged out every few minutes on Safari")]
    query = item(embedder, None, "Users are logged out every few minutes on Firefox")
    (match,) = rank(query, candidates, embedder=embedder)
    assert not match.likely_duplicate
    assert "but a different browser: firefox / safari" in match.reasons


def test_a_shared_crash_signature_is_strong_evidence(embedder: Embedder) -> None:
    sig = frozenset({"jvm:NullPointerException@StartupActivity.applyLocale"})
    candidates = [
        item(embedder, 1, "Android app crashes on startup after update 5.3", signatures=sig),
        item(embedder, 2, "App won't open on my tablet"),
    ]
    query = item(embedder, None, "App won't open anymore", "It closes at once.", signatures=sig)
    best = rank(query, candidates, embedder=embedder)[0]
    assert best.id == 1
    assert best.likely_duplicate
    assert best.reasons[0] == "same crash signature"
    other = frozenset({"jvm:IllegalStateException@MapLayer.draw"})
    query2 = item(embedder, None, "App won't open anymore", "It closes at once.", signatures=other)
    match = next(m for m in rank(query2, candidates, embedder=embedder) if m.id == 1)
    assert "but a different crash signature" in match.reasons
    assert match.score < best.score


def test_a_shared_error_code_and_screenshot_text(embedder: Embedder) -> None:
    candidates = [item(embedder, 1, "Desktop app auto-update fails with ERR_CONNECTION_REFUSED")]
    query = Item(
        None,
        "Updater broken behind our proxy",
        "",
        *embed_item(embedder, "Updater broken behind our proxy"),
        attachment_text="net::ERR_CONNECTION_REFUSED (screenshot text)",
    )
    (match,) = rank(query, candidates, embedder=embedder)
    assert "same error code ERR_CONNECTION_REFUSED (in an attachment's text)" in match.reasons
    without = Item(None, query.title, "", query.title_vec, query.body_vec)
    (plain,) = rank(without, candidates, embedder=embedder)
    assert match.score > plain.score + 0.1
    assert plain.reasons == ()


def test_without_vectors_the_lexical_mode_scores() -> None:
    candidates = [
        Item(1, "Export to Excel fails for large projects"),
        Item(2, "Dark mode resets after restarting the app"),
    ]
    matches = rank(Item(None, "Exporting large projects to Excel fails"), candidates)
    assert matches[0].id == 1
    assert matches[0].score > matches[1].score
    assert similar.threshold("lexical") == similar.LIKELY_DUPLICATE_LEXICAL


def test_a_candidate_without_vectors_is_scored_lexically_in_model_mode(
    embedder: Embedder,
) -> None:
    query = item(embedder, None, "Exporting large projects to Excel fails")
    matches = rank(query, [Item(1, "Export to Excel fails for large projects")], k=1)
    assert matches[0].id == 1


def test_public_constants() -> None:
    assert 0.0 < similar.LIKELY_DUPLICATE < 1.0
    assert similar.VERSION.startswith(similar.MODEL_ID)
    with pytest.raises(AttributeError):
        similar.NOT_THERE  # noqa: B018


def test_embed_items_matches_embed_item(embedder: Embedder) -> None:
    pairs = [("Export fails", ""), ("Search is slow", "It takes ten seconds to answer.")]
    together = embed_items(embedder, pairs)
    for (title, body), (t, b) in zip(pairs, together, strict=True):
        t1, b1 = embed_item(embedder, title, body)
        assert float(t @ t1) > 0.9999
        assert (b is None) == (b1 is None)
        if b is not None and b1 is not None:
            assert float(b @ b1) > 0.9999


def test_the_same_words_the_other_way_round_are_not_a_duplicate() -> None:
    owner = Item(1, "Invoice emails go to the account owner instead of the billing contact")
    contact = Item(None, "Invoice emails go to the billing contact instead of the account owner")
    f = features(contact, owner, mode="lexical")
    assert f["reversed"] == 1.0
    assert "but the other way round" in rank(contact, [owner])[0].reasons
    assert features(owner, owner, mode="lexical")["reversed"] == 0.0
    up = Item(2, "Charged twice when moving from the monthly to the annual plan")
    down = Item(None, "Charged twice when moving from annual to monthly billing")
    assert features(down, up, mode="lexical")["reversed"] == 1.0


def test_numbers_conflict_by_value_not_by_how_they_are_written() -> None:
    a = Item(None, "Big uploads over 2GB stop at 99 percent")
    b = Item(1, "Uploading files larger than 2 GB fails at 99%")
    assert features(a, b, mode="lexical")["number_conflict"] == 0.0
    ios = Item(None, "Push notifications not delivered on iOS 17")
    older = Item(2, "Push notifications not delivered on iOS 16")
    assert features(ios, older, mode="lexical")["number_conflict"] == 1.0
    # a title's number written in the other's description is no conflict
    pages = Item(None, "Monthly report stops at 10 pages")
    cut = Item(3, "PDF report is cut off at 25 rows", "Only the first 10 pages are printed.")
    assert features(pages, cut, mode="lexical")["number_conflict"] == 0.0
    # HTTP statuses are compared as codes, not as numbers
    status = Item(None, "Upload of 60MB gives a 413 error")
    assert status.title_numbers() == frozenset({"60"})
