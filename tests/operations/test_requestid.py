"""Every response carries an X-Request-ID (a valid one from the proxy kept,
anything else replaced), and every log line written while the request is
handled names it, in the JSON format as in text."""

import json
import logging
import logging.config

import pytest
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from newsroom import requestid
from newsroom.requestid import RequestIdFilter, get_request_id, valid_request_id
from pagecache import store
from tests.factories import make_article


def test_a_response_carries_a_new_request_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert valid_request_id(first) and valid_request_id(second)
    assert len(first) == 32 and first != second


@pytest.mark.parametrize(
    "incoming", ["abc-123", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "lb:1.2=3+4_5"]
)
def test_a_valid_incoming_request_id_is_kept(client, db, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming",
    [
        "",
        "x" * 65,
        "has space",
        'quote"inside',
        "new\\nline",
        "semi;colon",
        "<script>",
        "한국어",
        "a/b",
    ],
)
def test_an_invalid_incoming_request_id_is_replaced(client, db, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] != incoming
    assert valid_request_id(response["X-Request-ID"])


def test_an_incoming_id_is_ignored_when_the_header_is_not_trusted(client, db, settings):
    settings.REQUEST_ID_TRUST_HEADER = False
    response = client.get("/healthz", headers={"X-Request-ID": "from-the-client"})
    assert response["X-Request-ID"] != "from-the-client"


def test_page_cache_hits_get_an_id_of_their_own(client, db, settings):
    settings.PAGE_CACHE = True
    store.local_pages.clear()
    url = make_article().get_absolute_url()
    miss = client.get(url)
    hit = client.get(url, headers={"X-Request-ID": "reader-2"})
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    assert hit["X-Request-ID"] == "reader-2"
    assert valid_request_id(miss["X-Request-ID"])


def test_static_files_and_the_503_page_carry_the_id(client, db, settings):
    settings.ROOT_URLCONF = "tests.operations.urls"
    response = client.get(
        reverse("ops_test_database_down"), headers={"X-Request-ID": "outage-1"}
    )
    assert response.status_code == 503
    assert response["X-Request-ID"] == "outage-1"
    assert client.get("/static/css/site.css")["X-Request-ID"]


def test_the_id_is_gone_once_the_response_is_out(client, db):
    client.get("/healthz", headers={"X-Request-ID": "done-1"})
    assert get_request_id() == "-"


@pytest.fixture
def json_caplog(caplog, settings):
    """caplog formatting as the site's JSON handler does, filter included."""
    config = dict(settings.LOGGING["formatters"]["json"])
    config.pop("()")
    caplog.handler.setFormatter(JsonFormatter(**config))
    caplog.handler.addFilter(RequestIdFilter())
    return caplog


def json_lines(caplog):
    return [json.loads(line) for line in caplog.text.splitlines() if line]


def test_log_lines_name_the_request_in_json(client, db, json_caplog):
    with json_caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", headers={"X-Request-ID": "trace-42"})
    assert response.status_code == 404
    lines = json_lines(json_caplog)
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert not_found, lines
    assert not_found[0]["request_id"] == "trace-42"
    assert not_found[0]["level"] == "WARNING"
    assert "Not Found" in not_found[0]["message"]
    assert not_found[0]["time"].endswith("+00:00")


def test_a_database_error_logged_during_a_request_names_it(
    client, db, settings, json_caplog
):
    settings.ROOT_URLCONF = "tests.operations.urls"
    with json_caplog.at_level(logging.ERROR, logger="newsroom.middleware"):
        response = client.get(reverse("ops_test_database_down"))
    line = next(
        line
        for line in json_lines(json_caplog)
        if line["logger"] == "newsroom.middleware"
    )
    assert line["request_id"] == response["X-Request-ID"]
    assert "Database unavailable" in line["message"]


def test_a_line_outside_a_request_says_so(json_caplog):
    with json_caplog.at_level(logging.INFO, logger="newsroom.tests"):
        logging.getLogger("newsroom.tests").info("from a command")
    assert json_lines(json_caplog)[-1]["request_id"] == "-"


def test_the_text_format_names_the_request_too(settings):
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    token = requestid._current.set("text-7")
    try:
        RequestIdFilter().filter(record)
    finally:
        requestid._current.reset(token)
    formatter = logging.Formatter(settings.LOGGING["formatters"]["text"]["format"])
    assert "[text-7] hello" in formatter.format(record)


def test_the_console_handler_is_json_with_debug_off_and_the_filter_on(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["formatter"] == "json" and handler["filters"] == ["request_id"]
    # The whole configuration loads (the filter and formatter are importable).
    logging.config.dictConfig({**settings.LOGGING, "root": {"handlers": []}})
    logging.config.dictConfig(settings.LOGGING)


def test_a_json_line_from_an_outage_has_no_raw_newline(client, db, json_caplog):
    with json_caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/no-such-page/%0Aforged/")
    for line in json_caplog.text.splitlines():
        assert json.loads(line)["request_id"]
