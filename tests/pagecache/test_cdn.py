"""What a CDN or proxy in front learns from a cached page (pagecache.cdn): the
names of what it shows, and how long shared caches may keep it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from pagecache import cdn, store
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_MAX_AGE = 0
    store.local_pages.clear()
    yield
    store.local_pages.clear()


def test_a_cached_story_page_names_what_it_shows_in_each_header(client):
    story = make_article(headline="Harbour reopens")
    client.get(story.get_absolute_url())
    response = client.get(story.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    keys = response["Surrogate-Key"].split(" ")
    assert keys[0] == "all"
    assert f"story:{story.pk}" in keys
    assert response["xkey"] == response["Surrogate-Key"]
    assert response["Cache-Tag"].split(",") == keys


def test_a_miss_carries_the_same_names_as_the_hit_after_it(client):
    story = make_article()
    miss = client.get(story.get_absolute_url())
    hit = client.get(story.get_absolute_url())
    assert miss["X-Page-Cache"] == "miss"
    assert miss["Surrogate-Key"] == hit["Surrogate-Key"]


def test_only_the_configured_headers_are_sent(client, settings):
    settings.PAGE_CACHE_SURROGATE_HEADERS = ["Cache-Tag"]
    response = client.get("/")
    assert "all" in response["Cache-Tag"].split(",")
    assert not response.has_header("Surrogate-Key")
    assert not response.has_header("xkey")


def test_an_unknown_header_is_a_configuration_error(settings):
    settings.PAGE_CACHE_SURROGATE_HEADERS = ["X-Tags"]
    with pytest.raises(ImproperlyConfigured):
        cdn.headers_for({"deps": {"story:1": 1}})


def test_a_page_no_reader_can_share_carries_no_names(client, django_user_model):
    story = make_article()
    staff = django_user_model.objects.create_user("ed", password="x", is_staff=True)
    client.force_login(staff)
    response = client.get(story.get_absolute_url())
    assert response["X-Page-Cache"] == "bypass"
    assert not response.has_header("Surrogate-Key")
    assert "private" in response["Cache-Control"]


def test_safe_names_travel_as_they_are_and_others_as_a_stable_hash():
    assert cdn.token("story:12") == "story:12"
    assert cdn.token("list:section:3") == "list:section:3"
    for unsafe in ["list:tag:북한", "Story:12", "a b", "a,b", 'x"y', "x" * 200, ""]:
        value = cdn.token(unsafe)
        assert value.startswith("h:") and len(value) == 26
        assert value == cdn.token(unsafe)
    assert cdn.token("Story:12") != cdn.token("story:12")


def test_names_are_deduplicated_sorted_and_led_by_the_site_wide_name():
    entry = {"deps": {"story:2": 5, "all": 1, "list:home": 3, "story:10": 1}}
    assert cdn.names_for(entry) == ["all", "list:home", "story:10", "story:2"]
    assert cdn.names_for({}) == ["all"]


def test_a_page_with_more_names_than_a_cdn_takes_is_not_kept_by_shared_caches():
    entry = {"deps": {f"story:{n}": 1 for n in range(3000)}}
    assert cdn.headers_for(entry) is None
    response = HttpResponse("page")
    response["Cache-Control"] = store.public_cache_control()
    request = RequestFactory().get("/")
    cdn.apply(request, response, entry, "hit")
    assert "s-maxage=0" in response["Cache-Control"]
    assert not response.has_header("Surrogate-Key")
    # Just under the limit still fits.
    fits = {"deps": {f"story:{n}": 1 for n in range(1500)}}
    assert len(cdn.headers_for(fits)["Cache-Tag"]) <= cdn.MAX_HEADER_BYTES


def test_shared_cache_directives_are_off_by_default(client):
    assert store.public_cache_control() == "public, max-age=0, must-revalidate"
    client.get("/")
    assert client.get("/")["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_s_maxage_alone_keeps_browsers_revalidating(settings):
    settings.PAGE_CACHE_S_MAXAGE = 600
    assert store.public_cache_control() == (
        "public, max-age=0, must-revalidate, s-maxage=600"
    )


def test_stale_directives_replace_must_revalidate(settings, client):
    settings.PAGE_CACHE_S_MAXAGE = 600
    settings.PAGE_CACHE_STALE_WHILE_REVALIDATE = 30
    settings.PAGE_CACHE_STALE_IF_ERROR = 86400
    expected = (
        "public, max-age=0, s-maxage=600, stale-while-revalidate=30, "
        "stale-if-error=86400"
    )
    assert store.public_cache_control() == expected
    client.get("/")
    assert client.get("/")["Cache-Control"] == expected


def test_browser_max_age_and_shared_directives_combine(settings):
    settings.PAGE_CACHE_MAX_AGE = 30
    settings.PAGE_CACHE_S_MAXAGE = 0
    assert store.public_cache_control() == "public, max-age=30, s-maxage=0"


def test_addresses_are_remembered_per_name_only_for_a_purger_by_address(
    client, settings
):
    story = make_article()
    client.get(story.get_absolute_url())
    assert cdn.addresses_for([f"story:{story.pk}"]) == []

    settings.PAGE_CACHE_PURGERS = ["purge://127.0.0.1:6081"]
    store.local_pages.clear()
    client.get(story.get_absolute_url() + "?comments=newest")
    client.get("/")
    url = "http://testserver" + story.get_absolute_url() + "?comments=newest"
    assert cdn.addresses_for([f"story:{story.pk}"]) == [url]
    assert set(cdn.addresses_for(["all"])) == {url, "http://testserver/"}


def test_addresses_per_name_are_bounded_newest_kept(settings):
    settings.PAGE_CACHE_PURGE_ADDRESSES = 3
    for n in range(6):
        cdn.remember_address(f"http://testserver/{n}/", ["all"])
    assert cdn.addresses_for(["all"]) == [
        "http://testserver/3/",
        "http://testserver/4/",
        "http://testserver/5/",
    ]
