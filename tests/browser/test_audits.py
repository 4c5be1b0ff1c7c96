"""Lighthouse, axe-core and the Nu Html Checker on the reader pages, served as
``make run`` serves them (tests/browser/audits.py): the front page, a story, a
tag, an author and search, from the demo newsroom on gunicorn with DEBUG off.

Lighthouse (mobile) must score 100 for accessibility, best practices and SEO
(search results are noindex on purpose, so the search page's SEO leaves out
``is-crawlable``); performance, which depends on how busy this shared machine
is, at least 90 here; ``make audit`` asks 100 of it on a quiet machine. axe
finds no violation at all, of any impact, at a phone's width; the checker
finds no HTML error. Each page gets one Lighthouse run (a performance score
below the floor is tried again, twice at most); the reports and every run's
scores are kept in artifacts/lighthouse/.
"""

import json
import os
import re

import pytest

from tests.browser import audits
from tests.browser.conftest import AXE, AXE_TAGS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.own_stack]

ARTIFACTS = audits.ROOT / "artifacts" / "lighthouse"
PAGES = ["front", "story", "tag", "author", "search"]
PERFORMANCE_FLOOR = 0.9


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    missing = audits.missing_tools()
    if missing:
        reason = "the audits need " + ", ".join(missing) + " (run `make test`)"
        if os.environ.get("CI"):
            pytest.fail(f"CI: {reason}")
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("audited-site")
    pages = audits.build_site(directory)
    assert sorted(pages) == sorted(PAGES)
    with audits.serve(directory) as base:
        yield {"base": base, "pages": pages, "directory": directory}


@pytest.fixture(scope="module")
def lighthouse_report(site, request):
    """Lighthouse once per page, whichever test asks first (``again``: one
    more run, for performance); the scores of every run end up in
    artifacts/lighthouse/scores.json."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    runs = {}

    def report(page, again=False):
        if again or page not in runs:
            url = site["base"] + site["pages"][page]
            number = len(runs.get(page, [])) + 1
            output = ARTIFACTS / f"{page}-{number}.json"
            runs.setdefault(page, []).append(audits.lighthouse(url, output))
        return runs[page][-1]

    yield report
    summary = {
        page: [audits.scores(run, page) for run in page_runs]
        for page, page_runs in runs.items()
    }
    (ARTIFACTS / "scores.json").write_text(json.dumps(summary, indent=2) + "\n")
    # The scores in the run's log too (CI's included), not only on failure.
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line("Lighthouse (mobile): " + ", ".join(audits.CATEGORIES))
            for page, page_runs in summary.items():
                runs_text = "; ".join(
                    " ".join(str(round(run[name] * 100)) for name in audits.CATEGORIES)
                    for run in page_runs
                )
                reporter.write_line(f"  {page:8} {runs_text}")


def test_the_site_is_served_as_readers_get_it(site):
    base = site["base"]
    status, body = audits.get(base + "/no-such-page/")
    assert status == 404
    assert b"Page not found" in body
    assert b"URLconf" not in body  # Django's debug 404 lists every pattern
    status, story = audits.get(base + site["pages"]["story"])
    assert status == 200
    pictures = re.findall(rb'src="(/media/[^"]+)"', story)
    assert pictures, "the story shows its lead picture"
    for picture in pictures:
        status, _ = audits.get(base + picture.decode())
        assert status == 200, picture
    status, _ = audits.get(base + "/favicon.ico")
    assert status == 200
    # The page cache is on, in its embedded store: the second reader is a hit.
    seen = [audits.head(base + site["pages"]["tag"]) for _ in range(2)]
    assert [headers["X-Page-Cache"] for headers in seen] == ["miss", "hit"]
    assert not any("Set-Cookie" in headers for headers in seen)


@pytest.mark.parametrize("page", PAGES)
def test_lighthouse_scores_100_for_accessibility_best_practices_and_seo(
    lighthouse_report, page
):
    report = lighthouse_report(page)
    scores = audits.scores(report, page)
    found = audits.shortfalls(report, page, ("accessibility", "best-practices", "seo"))
    assert scores["accessibility"] == 1, found
    assert scores["best-practices"] == 1, found
    assert scores["seo"] == 1, found
    assert report["configSettings"]["formFactor"] == "mobile"


@pytest.mark.parametrize("page", PAGES)
def test_lighthouse_performance_holds_on_a_shared_machine(lighthouse_report, page):
    def performance(report):
        return audits.scores(report, page)["performance"]

    runs = [lighthouse_report(page)]
    # Timings move with what else the machine runs: a run below the floor is
    # tried again, twice at most, and the best run counts.
    while performance(runs[-1]) < PERFORMANCE_FLOOR and len(runs) < 3:
        runs.append(lighthouse_report(page, again=True))
    best = max(runs, key=performance)
    found = audits.shortfalls(best, page, ("performance",))
    assert performance(best) >= PERFORMANCE_FLOOR, (
        [performance(run) for run in runs],
        found,
    )


def test_search_is_noindex_and_only_that_is_left_out_of_its_seo(lighthouse_report):
    report = lighthouse_report("search")
    assert report["audits"]["is-crawlable"]["score"] == 0
    assert audits.category_score(report, "seo") < 1
    assert audits.category_score(report, "seo", {"is-crawlable"}) == 1


@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_violation_at_a_phones_width(browser, site, page):
    context = browser.new_context(
        base_url=site["base"], viewport={"width": 390, "height": 844}
    )
    tab = context.new_page()
    errors, failed = [], []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on(
        "response",
        lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    try:
        tab.goto(site["pages"][page], wait_until="load")
        tab.evaluate(AXE.read_text())
        result = tab.evaluate(
            "async (tags) => await axe.run("
            "document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
    finally:
        context.close()
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [n["target"] for n in v["nodes"]],
        }
        for v in result["violations"]
    ]
    assert violations == []
    assert errors == []
    assert failed == []


@pytest.fixture(scope="module")
def korean_site(tmp_path_factory):
    """The Korean demo (``load_demo --language ko``) on a site whose language
    is Korean (``LANGUAGE_CODE=ko``), served as ``make run`` serves it."""
    missing = audits.missing_tools()
    if missing:
        pytest.fail(f"the audits need {', '.join(missing)} (run `make test`)")
    directory = tmp_path_factory.mktemp("korean-site")
    pages = audits.build_site(directory, language="ko")
    with audits.serve(directory, language="ko") as base:
        yield {"base": base, "pages": pages}


@pytest.mark.parametrize("page", PAGES)
def test_lighthouse_keeps_100_for_accessibility_and_seo_on_the_korean_site(
    korean_site, page
):
    url = korean_site["base"] + korean_site["pages"][page]
    status, body = audits.get(url)
    assert status == 200, url
    assert b'<html lang="ko"' in body
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = audits.lighthouse(url, ARTIFACTS / f"ko-{page}.json")
    found = audits.shortfalls(report, page, ("accessibility", "best-practices", "seo"))
    scores = audits.scores(report, page)
    assert scores["accessibility"] == 1, found
    assert scores["best-practices"] == 1, found
    assert scores["seo"] == 1, found


def test_the_html_checker_finds_no_error(site):
    files = []
    for page in PAGES:
        status, body = audits.get(site["base"] + site["pages"][page])
        assert status == 200, page
        path = site["directory"] / f"{page}.html"
        path.write_bytes(body)
        files.append(path)
    assert audits.html_errors(files) == []


def test_the_html_checker_reports_what_it_finds(tmp_path):
    """The check above cannot pass because the checker read nothing."""
    missing = audits.missing_tools()
    if missing:
        pytest.skip(", ".join(missing))
    broken = tmp_path / "broken.html"
    broken.write_text("<!doctype html><html lang=en><title>x</title><p><div></span>")
    errors = audits.html_errors([broken])
    assert errors
    assert {error["file"] for error in errors} == {"broken.html"}
