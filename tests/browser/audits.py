"""The demo newsroom served as ``make run`` serves it, and the audits run on it:
Lighthouse (npm ``lighthouse``, on Debian's Chromium), the Nu Html Checker (npm
``vnu-jar``, on Java) and axe-core. Used by ``tests/browser/test_audits.py``
and ``bench/lighthouse.py`` (``make audit``).

The site is production-like: ``DEBUG`` off (our error pages), static files
collected and served by WhiteNoise, uploads served by the app
(``newsroom/media.py``), SQLite and the page cache in its embedded store,
gunicorn with two workers; its database, media and cache live in a directory
of their own, never the working copy's ``data/``.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.faults.servers import wait_until_healthy

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# Search results are noindex on purpose: there the SEO score leaves out the
# one audit that checks a page may be indexed.
NOT_SCORED = {"search": {"seo": {"is-crawlable"}}}
LIGHTHOUSE_CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
    "--disable-background-networking --disable-component-update --no-first-run"
)

PAGES_SCRIPT = """
import json
from django.db.models import Count
from articles.models import Article, Author
from taggit.models import Tag
story = (
    Article.objects.published().exclude(lead_image="")
    .annotate(n=Count("comments")).order_by("-n", "-published_at").first()
)
tag = (
    Tag.objects.annotate(n=Count("articles_taggedarticle_items"))
    .order_by("-n", "name").first()
)
author = story.bylines.order_by("order").first().author
word = max(story.headline.split(), key=len).strip(",.:;'\\"")
print(json.dumps({
    "front": "/",
    "story": story.get_absolute_url(),
    "tag": f"/tags/{tag.slug}/",
    "author": author.get_absolute_url(),
    "search": "/search/?q=" + word.lower(),
}))
"""


def missing_tools() -> list[str]:
    missing = []
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing.append(f"Chromium at {CHROMIUM}")
    if not LIGHTHOUSE.exists():
        missing.append(f"Lighthouse at {LIGHTHOUSE}")
    if not VNU.exists():
        missing.append(f"the Nu Html Checker at {VNU}")
    if not shutil.which("java"):
        missing.append("java (default-jre-headless)")
    return missing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(directory: Path, language: str = "en") -> dict[str, str]:
    """``make run``'s settings, with every file kept under ``directory``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PAGE_CACHE", "MEDIA_", "VIEWCOUNTS_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "CACHE_PATH"}
    }
    env.update(
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "audit-" + "k" * 60,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATA_DIR=str(directory / "data"),
        MEDIA_ROOT=str(directory / "media"),
        STATIC_ROOT=str(directory / "static"),
        PYTHONPATH=str(ROOT),
        LANGUAGE_CODE=language,
    )
    return env


def manage(env: dict, *args: str, timeout: int = 600) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def build_site(directory: Path, language: str = "en") -> dict[str, str]:
    """Collect static files, migrate, load the demo (in ``language``: the
    site's and the demo's); return the audited pages' paths (front, a story,
    a tag, an author, search), quoted for a URL."""
    env = production_env(directory, language)
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo", *(["--language", language] if language != "en" else []))
    pages = json.loads(
        manage(env, "shell", "-c", PAGES_SCRIPT).strip().splitlines()[-1]
    )
    return {
        name: urllib.parse.quote(path, safe="/?=&%") for name, path in pages.items()
    }


def get(url: str, timeout: float = 20) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def head(url: str, timeout: float = 20):
    """The headers of a GET (the body is read and dropped)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.headers
    except urllib.error.HTTPError as error:
        return error.headers


@contextmanager
def serve(directory: Path, port: int | None = None, language: str = "en"):
    """gunicorn as ``make run`` starts it; yields the base URL (no slash)."""
    port = port or free_port()
    log_path = directory / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "newsroom.wsgi",
                "--workers",
                "2",
                "--timeout",
                "30",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=production_env(directory, language),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log_path)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def lighthouse(url: str, output: Path, attempts: int = 2) -> dict:
    """One Lighthouse run (mobile, its default form factor); the report.

    A run that produced no report (Chromium lost under load, a protocol
    timeout) is tried again, once: a page that breaks Lighthouse fails both.
    """
    for attempt in range(attempts):
        try:
            return _lighthouse_once(url, output)
        except RuntimeError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _lighthouse_once(url: str, output: Path) -> dict:
    output.unlink(missing_ok=True)
    done = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            f"--chrome-path={CHROMIUM}",
            f"--chrome-flags={LIGHTHOUSE_CHROME_FLAGS}",
            "--output=json",
            f"--output-path={output}",
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode or not output.exists():
        raise RuntimeError(f"Lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    report = json.loads(output.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"Lighthouse on {url}: {report['runtimeError']}")
    return report


def category_score(report: dict, category: str, leave_out=frozenset()) -> float:
    """The category's score, as Lighthouse weighs it, over its audits less
    ``leave_out`` (audits that do not apply carry weight 0 in the report)."""
    refs = [
        ref
        for ref in report["categories"][category]["auditRefs"]
        if ref["weight"] > 0 and ref["id"] not in leave_out
    ]
    total = sum(ref["weight"] for ref in refs)
    scored = sum(
        ref["weight"] * (report["audits"][ref["id"]]["score"] or 0) for ref in refs
    )
    return round(scored / total, 2)


def scores(report: dict, page: str) -> dict[str, float]:
    """The four scores: Lighthouse's own, or recomputed where an audit is left
    out (``NOT_SCORED``)."""
    left_out = NOT_SCORED.get(page, {})
    return {
        category: category_score(report, category, left_out[category])
        if category in left_out
        else report["categories"][category]["score"]
        for category in CATEGORIES
    }


def shortfalls(report: dict, page: str, categories=CATEGORIES) -> list[str]:
    """What cost points: each weighed audit below 1, with what it found."""
    left_out = NOT_SCORED.get(page, {})
    found = []
    for category in categories:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if (
                ref["weight"] > 0
                and ref["id"] not in left_out.get(category, set())
                and (audit["score"] or 0) < 1
            ):
                items = (audit.get("details") or {}).get("items") or []
                detail = "; ".join(
                    str(
                        item.get("description")
                        or item.get("url")
                        or (item.get("node") or {}).get("snippet")
                        or (item.get("sourceLocation") or {}).get("url")
                        or ""
                    )[:160]
                    for item in items[:3]
                )
                found.append(
                    f"{category}/{ref['id']} {audit['score']} "
                    f"{audit.get('displayValue', '')} {detail}".strip()
                )
    return found


def html_errors(files: list[Path]) -> list[dict]:
    """The Nu Html Checker's errors in ``files``, one JVM for them all."""
    done = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # vnu writes its report to stderr and exits 1 when it found an error.
    report = json.loads(done.stderr or done.stdout)
    return [
        {
            "file": Path(message.get("url", "")).name,
            "line": message.get("lastLine"),
            "message": message.get("message"),
            "extract": message.get("extract", "")[:120],
        }
        for message in report["messages"]
        if message.get("type") in {"error", "non-document-error"}
    ]
