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


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
    )
    yield browser
    browser.close()


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
