"""Markdown that takes long to render: the guarded renderer against plain markdown-it.

    python -m bench markdown

Each input is as long as a description may be (20,000 characters). Prints a markdown
table: milliseconds with the app's renderer (`services.markdown.render`) and with
markdown-it unguarded, and whether all the text survived.
"""

from __future__ import annotations

import time

from services import markdown
from services.schemas import MAX_DESCRIPTION

CASES = {
    "a bug report (realistic)": "**Steps**\n\n1. Open the page\n2. Click *Save*\n\n> It fails.\n\n"
    * 400,
    "20,000 `[`": "[" * MAX_DESCRIPTION,
    "`> ` x 3, then lines": "> " * 3 + "a\n" + "a\n" * MAX_DESCRIPTION,
    "`> ` x 20, then lines": "> " * 20 + "a\n" + "a\n" * MAX_DESCRIPTION,
    "`> ` x 150, then lines": "> " * 150 + "a\n" + "a\n" * MAX_DESCRIPTION,
    "`- ` x 10, then lines": "- " * 10 + "a\n" + "a\n" * MAX_DESCRIPTION,
    "`*a` repeated": "*a" * MAX_DESCRIPTION,
    "table, 3,000 rows": "|a|b|\n|-|-|\n" + "|x|y|\n" * MAX_DESCRIPTION,
    "10,000 lines": "a\n" * MAX_DESCRIPTION,
}


def best_of(render, text: str, runs: int = 3) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    times, html = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        html = render(text)
        times.append(time.perf_counter() - started)
    return min(times) * 1000, html


def main() -> None:
    print("| input | app ms | markdown-it unguarded ms | text kept (app / unguarded) |")
    print("|---|---|---|---|")
    for name, source in CASES.items():
        text = source[:MAX_DESCRIPTION]
        ours, html = best_of(markdown.render, text)
        theirs, raw = best_of(markdown._renderer().render, text, runs=1)
        letters = text.count("a")
        print(
            f"| {name} | {ours:.0f} | {theirs:.0f} | "
            f"{html.count('a') >= letters} / {raw.count('a') >= letters} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
