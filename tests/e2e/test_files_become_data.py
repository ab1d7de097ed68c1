"""Attachments become data, in Chromium against a real `tracker serve` (the embedded
default: files are read by its background thread, in sandboxed child processes). A reporter
files an issue with an invoice PDF, a screenshot of an error and a log with a Java stack
trace; a maintainer, watching the issue, sees the invoice's fields, the screenshot's text and
the crash signature arrive without a reload, corrects the vendor, finds the issue by the error
code in the screenshot, and sees the crash and the invoice in the insights."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import attach_files, signed_in
from tests.serverproc import Server

CORPUS = Path(__file__).resolve().parents[1] / "intake" / "corpus"
INVOICE = CORPUS / "invoices" / "train" / "inv-00-en-classic.pdf"  # Brightline Analytics Ltd
SCREENSHOT = CORPUS / "screenshots" / "train" / "chrome_unreachable-1x-light.png"
LOG = """2026-12-04 10:00:01,553 ERROR [http-nio-8080-exec-3] c.a.shop.Checkout - checkout failed
java.lang.NullPointerException: Cannot invoke "com.acme.shop.Cart.total()" because "cart" is null
\tat com.acme.shop.Checkout.submit(Checkout.java:42)
\tat com.acme.shop.CheckoutController.post(CheckoutController.java:17)
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)
2026-12-04 10:00:02,001 INFO  [main] c.a.shop.App - still running
"""
PASSWORD = "files become data passphrase 8"


def test_invoice_screenshot_and_log_become_data(
    server: Server, browser: Any, shots: Path, tmp_path: Path
) -> None:
    for email, role in (("rosa@example.com", "REPORTER"), ("mo@example.com", "MAINTAINER")):
        server.add_user(email, PASSWORD, role)
    log = tmp_path / "checkout.log"
    log.write_text(LOG)

    reporter = signed_in(browser, server, "rosa@example.com", PASSWORD)
    reporter.goto(f"{server.url}/issues/new")
    reporter.get_by_label("Title").fill("Checkout crashes after paying the invoice")
    reporter.get_by_label("Description (Markdown)").fill("The shop is unreachable after paying.")
    attach_files(reporter, INVOICE, SCREENSHOT, log)
    reporter.get_by_role("button", name="File issue").click()
    expect(reporter).to_have_url(re.compile(r"/issues/\d+$"))
    issue_url = reporter.url

    maintainer = signed_in(browser, server, "mo@example.com", PASSWORD)
    maintainer.goto(issue_url)
    # What the files say arrives by itself (the reading happens in the background).
    expect(maintainer.get_by_text("Brightline Analytics Ltd").first).to_be_visible(timeout=60_000)
    expect(maintainer.get_by_text("11479.20")).to_be_visible()
    expect(maintainer.get_by_text("Crash signatures")).to_be_visible(timeout=60_000)
    expect(maintainer.get_by_text("java.lang.NullPointerException", exact=True)).to_be_visible()
    expect(maintainer.get_by_text("Analysing…")).to_have_count(0, timeout=60_000)
    maintainer.screenshot(path=shots / "7-files-become-data.png", full_page=True)

    maintainer.get_by_role("button", name=f"Correct what {INVOICE.name} says").click()
    maintainer.get_by_label("Vendor").fill("Brightline Analytics")
    maintainer.get_by_role("button", name="Save", exact=True).click()
    expect(maintainer.get_by_text("Brightline Analytics (corrected)")).to_be_visible()

    maintainer.goto(f"{server.url}/?q=ERR_CONNECTION_REFUSED")
    expect(
        maintainer.get_by_role("link", name="Checkout crashes after paying the invoice")
    ).to_be_visible()

    maintainer.goto(f"{server.url}/insights")
    expect(maintainer.get_by_text("Top crash signatures")).to_be_visible()
    expect(maintainer.get_by_role("cell", name="java.lang.NullPointerException")).to_be_visible()
    expect(maintainer.get_by_role("cell", name="GBP")).to_have_count(2)  # by month, by vendor
    expect(maintainer.get_by_role("cell", name="Brightline Analytics", exact=True)).to_be_visible()
    expect(maintainer.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    maintainer.screenshot(path=shots / "8-insights-from-files.png", full_page=True)
