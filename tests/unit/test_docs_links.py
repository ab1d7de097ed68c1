"""Every relative link in the documentation points at a file of the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)  # examples in code are not links


def _documents() -> list[Path]:
    skipped = {".venv", ".git", "node_modules"}
    return [p for p in ROOT.rglob("*.md") if not skipped & set(p.relative_to(ROOT).parts)]


def test_relative_links_point_at_files_that_exist():
    documents = _documents()
    assert ROOT / "README.md" in documents
    broken = [
        f"{doc.relative_to(ROOT)}: {target}"
        for doc in documents
        for target in LINK.findall(CODE.sub("", doc.read_text(encoding="utf-8")))
        if "://" not in target
        and not target.startswith("mailto:")
        and not (doc.parent / target).exists()
    ]
    assert broken == []
