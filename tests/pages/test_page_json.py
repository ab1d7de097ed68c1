"""A page's elements are escaped for its HTML by `str.replace` (pages/page_json.py): the same
text NiceGUI's `str.translate` gives, and a hostile title stays text in the served page."""

from __future__ import annotations

import random
import re

import pytest
from nicegui import client
from nicegui.testing import User

from pages import page_json
from tests.factories import make_issue
from tests.pages.conftest import sign_in

SPECIAL = "&<>`$"


@pytest.mark.parametrize(
    "text",
    [
        "",
        SPECIAL,
        SPECIAL[::-1] * 3,
        "&amp;lt; already escaped &#96; stays escaped once more",
        '{"content": "<div class=\\"q-btn\\">a & b</div>", "price": "$5 `x`"}',
        "ünïcödé ✓ <b>",
    ],
)
def test_the_same_text_as_translate(text: str) -> None:
    assert page_json.Text(text).translate(client.HTML_ESCAPE_TABLE) == text.translate(
        client.HTML_ESCAPE_TABLE
    )


def test_the_same_text_as_translate_for_random_text() -> None:
    rng = random.Random(15)
    alphabet = SPECIAL + "a;#1 \"'\\/\n"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        assert page_json.Text(text).translate(client.HTML_ESCAPE_TABLE) == text.translate(
            client.HTML_ESCAPE_TABLE
        )
    other = {ord("a"): "b"}  # any other table: as str does it
    assert page_json.Text("banana").translate(other) == "bbnbnb"


async def test_a_served_page_keeps_a_hostile_title_as_text(user: User, db) -> None:
    me = sign_in(user)
    issue = make_issue(me, title="</script><script>alert(`$1`)</script> & co")
    assert isinstance(client.json.dumps({}), page_json.Text)  # installed
    page = (await user.http_client.get(f"/issues/{issue.id}")).text
    [elements] = re.findall(r"parseElements\(String\.raw`(.*?)`\)", page, re.S)
    # escaped by the markup (`&lt;`), then by the page (`&amp;lt;`, and ` and $)
    assert "alert(&#96;&#36;1&#96;)&amp;lt;/script&amp;gt; &amp;amp; co" in elements
    assert not re.search(r"[<>`$]", elements)  # nothing that could end the script or template
