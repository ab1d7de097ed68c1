"""A change made through one web process, watched for on a page another one serves."""

from __future__ import annotations

import asyncio
import time

import httpx

from bench.ui_live import SimulatedBrowser

ARRIVAL_SECONDS = 15  # generous: how fast it arrives is measured by bench/, not asserted


async def created_issue_reaches_page(
    page_base: str,
    api_base: str,
    cookie: str,
    headers: dict[str, str],
    local_ip: str | None = None,
) -> None:
    """Open the issue list at `page_base` (signed in with `cookie`), file an issue through
    `api_base`'s API, and wait until the open page has received its row."""
    browser = SimulatedBrowser(page_base, cookie, local_ip)
    async with httpx.AsyncClient(timeout=30) as http:
        await browser.open(http)
        await asyncio.sleep(0.5)
        created = await http.post(
            f"{api_base}/api/v1/issues", headers=headers, json={"title": "Made elsewhere"}
        )
        assert created.status_code == 201, created.text
        issue = created.json()
        started = time.monotonic()
        while (issue["id"], "OPEN") not in browser.seen:
            if time.monotonic() - started > ARRIVAL_SECONDS:
                raise AssertionError(f"the page at {page_base} never received the change")
            await asyncio.sleep(0.05)
    await browser.close()
