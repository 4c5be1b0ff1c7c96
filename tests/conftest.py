import atexit
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
    between_tests.open()
    yield
    # Before the settings go back to settings.py's (class _BetweenTests).
    between_tests.close()
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


@pytest.fixture(scope="session", autouse=True)
def _no_purge_drain_at_exit():
    """The background purger drains its outbox once more at exit, which a
    server wants; by the end of a test run the test database is gone (the
    drain would ask the site's own) and pytest has closed the log streams."""
    yield
    from pagecache import purgers

    atexit.unregister(purgers.background._at_exit)


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


class _BetweenTests:
    """What the live server answers, and when.

    Only while a test runs. A request a page sent just before its browser
    closed (a view beacon, the editor's heartbeat) can reach the live server
    after its test: the settings it read then were settings.py's own, not the
    test's, and a storage it set up from them stayed for the next test (a
    manifest storage: the next test's admin login gave a 500). So a test's end
    waits for the requests under way and answers later ones with a 503 that
    never reaches Django, until the next test has its settings.

    On SQLite it also answers one request at a time: the live server's
    threads share the test's in-memory connection, and a page load with the
    editor's heartbeat at the same moment used it from two threads at once
    ("bad parameter or other API misuse", a 503). Connections stay threaded
    (keep-alive); the application runs one request at a time.
    """

    one_at_a_time = not os.environ.get("DATABASE_URL", "").startswith("postgres")

    def __init__(self):
        self.serial = threading.Lock()
        self._changed = threading.Condition()
        self._open = True
        self._running = 0

    def wrap(self, application):
        def gated(environ, start_response):
            with self._changed:
                if not self._open:
                    start_response(
                        "503 Service Unavailable", [("Content-Type", "text/plain")]
                    )
                    return [b"No test is running."]
                self._running += 1
            try:
                if self.one_at_a_time:
                    with self.serial:
                        return application(environ, start_response)
                return application(environ, start_response)
            finally:
                with self._changed:
                    self._running -= 1
                    self._changed.notify_all()

        return gated

    def open(self):
        with self._changed:
            self._open = True

    def close(self, wait=10):
        """Refuse new requests; wait (a while) for those under way."""
        with self._changed:
            self._open = False
            self._changed.wait_for(lambda: self._running == 0, timeout=wait)


between_tests = _BetweenTests()


class _GatedLiveServer(testcases.ThreadedWSGIServer):
    def set_app(self, application):
        super().set_app(between_tests.wrap(application))


testcases.LiveServerThread.server_class = _GatedLiveServer

_flush_between_tests = testcases.TransactionTestCase._fixture_teardown


def _flush_between_requests(self):
    """Empty the tables only while no request is being answered.

    A request the browser sent just before its page closed (the editor's
    heartbeat, say) can still be running when the test ends; on the shared
    in-memory connection its insert landed inside the flush, whose commit then
    failed on a foreign key and left rows behind for the next test.
    """
    with between_tests.serial:
        _flush_between_tests(self)


if between_tests.one_at_a_time:
    testcases.TransactionTestCase._fixture_teardown = _flush_between_requests
