"""Fixtures of the browser tests: Debian's chromium, driven by Playwright.

The browser is ``/usr/bin/chromium`` (``scripts/ensure-browser`` installs it),
headless and without the sandbox (CI runs as root). Each test gets a fresh
context whose page records what a person would notice: console errors,
uncaught exceptions, dialogs (dismissed at once) and every request it made.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import sync_playwright
from tests.browser.watch import Watched

# The sample web of the integration tests, built once for these tests too.
from tests.integration.conftest import manifest, web_db
from tests.integration.web_server import REQUEST_S

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Dialog, ViewportSize

__all__ = ["browser", "manifest", "watched", "web_db"]

CHROMIUM = Path("/usr/bin/chromium")
#: The window the screenshots show.
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, for one test module.

    Not for the session: between its calls the sync API leaves its asyncio loop
    marked as running in this thread, so ``asyncio.run`` in any test after it
    would fail while the browser lives.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-browser (as root) first")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    """A new page in a context of its own, watched for errors, dialogs and requests."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(REQUEST_S * 1000)  # a first dashboard visit computes the audit
    page = context.new_page()
    seen = Watched(page)

    def on_dialog(dialog: Dialog) -> None:
        seen.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
    page.on("dialog", on_dialog)
    context.on("request", lambda request: seen.requests.append(request.url))
    yield seen
    context.close()
