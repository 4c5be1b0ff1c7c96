import os
import threading

import pytest
from django.core.cache import cache
from django.test import testcases


def pytest_addoption(parser):
    parser.addoption(
        "--browser-widths",
        default="",
        help="comma-separated page widths: browser tests parametrized on "
        "`width` run at these only (default: all). CI's second run, on "
        "PostgreSQL, takes one: the layouts were checked in the first.",
    )


def pytest_collection_modifyitems(config, items):
    widths = {int(w) for w in config.getoption("--browser-widths").split(",") if w}
    if not widths:
        return
    kept, left_out = [], []
    for item in items:
        width = getattr(item, "callspec", None) and item.callspec.params.get("width")
        (left_out if isinstance(width, int) and width not in widths else kept).append(
            item
        )
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def pytest_sessionstart(session):
    """Under a configured Redis, fail at once if it is not answering.

    The cache ignores Redis errors by design (an outage must not become a 500),
    so without this check a suite "against Redis" could pass without it.
    """
    url = os.environ.get("REDIS_URL")
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            pytest.exit(f"REDIS_URL is set but Redis does not answer: {exc}", 3)


@pytest.fixture(autouse=True)
def _two_factor_off(request, settings):
    """The suite signs in with ``force_login`` or the password form alone, so
    the desk's second factor is off in tests, except those marked
    ``two_factor``: they see ``STAFF_2FA`` as settings.py resolves it
    (production: required). Production's default is tested in tests/twofactor/.
    """
    if request.node.get_closest_marker("two_factor") is None:
        settings.STAFF_2FA = "off"


@pytest.fixture(autouse=True)
def _isolated_environment(settings, tmp_path):
    """Each test gets a fresh cache, its own MEDIA_ROOT and plain static files."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Axes needs the request to authenticate, which Client.login() does not pass;
    # the login throttling tests (tests/newsroom/test_login.py) switch it on.
    settings.AXES_ENABLED = False
    # Tests see freshly rendered pages (query budgets measure rendering); the
    # page cache's own tests (tests/articles/test_cache.py) switch it on.
    settings.PAGE_CACHE = False
    if "pagecache" in settings.CACHES:
        # The embedded default's shared cache file (newsroom/sqlitecache.py):
        # a fresh one per test, never the site's own under DATA_DIR.
        settings.CACHES = {
            **settings.CACHES,
            "pagecache": {
                **settings.CACHES["pagecache"],
                "LOCATION": str(tmp_path / "cache.sqlite3"),
            },
        }
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page_cache_on(settings):
    """The page cache on, as readers meet it, emptied before and after: what
    a change retires is what the test sees (``pagecache.store``)."""
    from pagecache import store, versions

    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_TTL = 600
    settings.PAGE_CACHE_MAX_AGE = 0
    settings.PAGE_CACHE_LOCAL_BYTES = 2**20
    settings.PAGE_CACHE_ALIAS = "default"
    store.local_pages.clear()
    store._seen.clear()
    versions.page_cache().clear()
    yield
    store.local_pages.clear()
    store._seen.clear()


# The browser tests' Playwright and Chromium (tests/browser/conftest.py says
# how they are found): here, so that every folder's browser tests share one;
# a second sync Playwright in the same process cannot start. Started only
# when a browser test asks for them.
@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS

    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
    )
    yield browser
    browser.close()


class _OneRequestAtATime(testcases.ThreadedWSGIServer):
    """The live server, answering one request at a time.

    On SQLite the live server's threads share the test's in-memory
    connection: a page load and the editor's heartbeat or autosave at the
    same moment used it from two threads at once ("bad parameter or other
    API misuse", a 503). Connections stay threaded (keep-alive), the
    application runs one request at a time.
    """

    _lock = threading.Lock()

    def set_app(self, application):
        lock = self._lock

        def one_at_a_time(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


_flush_between_tests = testcases.TransactionTestCase._fixture_teardown


def _flush_between_requests(self):
    """Empty the tables only while no request is being answered.

    A request the browser sent just before its page closed (the editor's
    heartbeat, say) can still be running when the test ends; on the shared
    in-memory connection its insert landed inside the flush, whose commit then
    failed on a foreign key and left rows behind for the next test.
    """
    with _OneRequestAtATime._lock:
        _flush_between_tests(self)


if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    testcases.LiveServerThread.server_class = _OneRequestAtATime
    testcases.TransactionTestCase._fixture_teardown = _flush_between_requests
