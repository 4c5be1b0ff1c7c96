"""Browser tests: Playwright driving Debian's Chromium against the live server.

`make test` installs the `chromium` package and axe-core when they are missing
(see the Makefile's browser-deps target). Outside CI a machine without Chromium
skips these tests with a visible reason; under CI (CI=true) a missing browser is
an error, never a skip.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _missing():
    missing = []
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing.append(f"Chromium at {CHROMIUM}")
    if not AXE.exists():
        missing.append(f"axe-core at {AXE}")
    return missing


def pytest_collection_modifyitems(config, items):
    missing = _missing()
    if not missing:
        return
    reason = "browser tests need " + " and ".join(missing) + " (run `make test`)"
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI: {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


# ``playwright_instance`` and ``browser`` (session-wide, one Chromium for the
# whole run) are in tests/conftest.py, so that browser tests in other folders
# share them: a second sync Playwright in one process cannot start.


@pytest.fixture
def contexts(browser, live_server):
    """Browser contexts on demand, ``contexts(width) -> (context, page)``: a
    second editor, a second reader. Each is watched as ``page`` is (no other
    host, nothing the CSP refused) and closed at the end."""
    opened = []

    def open_context(width=1280):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        problems = []
        page.on(
            "console",
            lambda message: (
                problems.append(message.text)
                if "Content Security Policy" in message.text
                or "Refused to" in message.text
                else None
            ),
        )
        page.on(
            "request",
            lambda request: (
                problems.append(request.url)
                if not request.url.startswith((live_server.url, "data:", "blob:"))
                else None
            ),
        )
        opened.append((context, problems))
        return context, page

    yield open_context
    for context, problems in opened:
        context.close()
        assert problems == [], problems


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    external = []

    def watch(request):
        if not request.url.startswith((live_server.url, "data:", "blob:")):
            external.append(request.url)

    csp_violations = []

    def console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            csp_violations.append(message.text)

    page.on("request", watch)
    page.on("console", console)
    yield page
    context.close()
    assert not external, f"the page requested other hosts: {external}"
    assert not csp_violations, f"CSP refused something: {csp_violations}"


def run_axe(page):
    """Inject axe-core and return the serious and critical violations."""
    # evaluate() runs through DevTools, outside the page's CSP, which the test
    # keeps strict: an injected <script> tag would be (rightly) refused.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run("
        "document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
