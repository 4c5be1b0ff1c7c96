"""The public reading site: what each page shows, and what it never shows."""

import re
from datetime import UTC, datetime, timedelta

import html5lib
import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from articles.models import Article, Byline
from articles.views import section_fronts
from tests.factories import (
    make_article,
    make_author,
    make_draft,
    make_section,
)


def parse(response):
    return html5lib.parse(
        response.content, treebuilder="etree", namespaceHTMLElements=False
    )


def text(element):
    return " ".join("".join(element.itertext()).split())


def links(dom, selector=".//a"):
    return [(text(a), a.get("href")) for a in dom.iterfind(selector)]


def headlines(dom):
    """Every story headline linked from the page, in page order."""
    return [
        text(a)
        for heading in dom.iter()
        if heading.tag in {"h2", "h3"}
        for a in heading.iterfind("a")
    ]


def story_headlines(dom):
    """The headlines of the stories on the page (not the blocks' titles)."""
    return [
        text(a)
        for heading in dom.iter()
        if heading.tag in {"h2", "h3"} and "headline" in heading.get("class", "")
        for a in heading.iterfind("a")
    ]


def with_class(dom, tag, css_class):
    return [
        element
        for element in dom.iter(tag)
        if css_class in (element.get("class") or "").split()
    ]


def template_names(response):
    return [template.name for template in response.templates]


@pytest.fixture
def newsroom(db):
    """A small newsroom with a live story of every kind and the unpublished ones.

    The draft and the future story carry their own tag, section and author so a
    leak of any of them shows up as a marker on some page.
    """
    politics = make_section(name="Politics", slug="politics")
    culture = make_section(name="Culture", slug="culture")
    choi = make_author(name="Choi Young Hoon", slug="choi-young-hoon")
    park = make_author(
        name="Eugene Park", slug="eugene-park", job_title="Translator", bio="Park."
    )
    secret = make_author(name="Secret Writer", slug="secret-writer")
    now = timezone.now()
    lead = make_article(
        headline="Talks resume at the border",
        section=politics,
        is_top_story=True,
        published_at=now - timedelta(minutes=5),
        authors=[choi, (park, Byline.Role.TRANSLATED)],
        tags=["북한", "Diplomacy"],
        lead_image="uploads/2026/01/lead.webp",
        lead_image_alt="Delegates shake hands",
        lead_image_caption="Delegates at the border.",
        lead_image_credit="Photo: Newsroom",
    )
    second = make_article(
        headline="Markets steady after talks",
        section=politics,
        published_at=now - timedelta(hours=2),
        authors=[park],
        tags=["북한"],
    )
    film = make_article(
        headline="A festival of Korean film",
        section=culture,
        published_at=now - timedelta(hours=3),
        authors=[choi],
        tags=["Film"],
    )
    draft = make_draft(
        headline="DRAFT-MARKER story",
        section=make_section(name="Hidden", slug="hidden"),
        authors=[secret, choi],
        tags=["draft-only-tag", "북한"],
    )
    future = make_article(
        headline="FUTURE-MARKER story",
        section=culture,
        published_at=now + timedelta(hours=1),
        authors=[secret, choi],
        tags=["future-only-tag", "Film"],
    )
    return {
        "politics": politics,
        "culture": culture,
        "choi": choi,
        "park": park,
        "secret": secret,
        "lead": lead,
        "second": second,
        "film": film,
        "draft": draft,
        "future": future,
    }


PUBLIC_LISTS = [
    ("articles:home", {}),
    ("articles:section", {"slug": "culture"}),
    ("articles:tag", {"slug": "film"}),
    ("articles:tag_index", {}),
    ("articles:author", {"slug": "choi-young-hoon"}),
    ("articles:author_index", {}),
]


# Front page


def test_home_page_leads_with_the_top_story_and_its_image(client, newsroom):
    response = client.get(reverse("articles:home"))

    assert response.status_code == 200
    assert "articles/home.html" in template_names(response)
    dom = parse(response)
    [lead] = with_class(dom, "article", "lead-story")
    assert text(lead.find(".//h2")) == "Talks resume at the border"
    assert lead.find(".//h2/a").get("href") == newsroom["lead"].get_absolute_url()
    image = lead.find(".//img")
    assert image.get("src") == "/media/uploads/2026/01/lead.webp"
    assert image.get("alt") == "Delegates shake hands"
    assert image.get("loading") == "eager"  # above the fold: not lazy
    assert [name for name, _ in links(lead, ".//a[@class='byline__name']")] == [
        "Choi Young Hoon",
        "Eugene Park",
    ]


def test_home_page_has_a_block_per_section_with_its_latest_stories(client, newsroom):
    dom = parse(client.get(reverse("articles:home")))

    blocks = {
        text(section.find("h2")): headlines(section.find("ul"))
        for section in with_class(dom, "section", "section-block")
    }
    # The lead story is on top of the page, so its block starts with the next.
    assert blocks == {
        "Politics": ["Markets steady after talks"],
        "Culture": ["A festival of Korean film"],
    }


def test_home_page_shows_each_story_once(client, newsroom):
    dom = parse(client.get(reverse("articles:home")))

    # Both other stories are in their section blocks, so not again under Latest.
    assert story_headlines(dom.find(".//main")) == [
        "Talks resume at the border",
        "Markets steady after talks",
        "A festival of Korean film",
    ]
    assert with_class(dom, "section", "more-stories") == []


def test_home_page_lists_under_latest_what_the_section_blocks_leave(
    client, db, monkeypatch
):
    monkeypatch.setattr("articles.views.STORIES_PER_SECTION_BLOCK", 2)
    now = timezone.now()
    busy, quiet = make_section(name="Busy", order=1), make_section(name="Quiet")
    for hours in range(1, 5):
        make_article(
            headline=f"Busy {hours}",
            section=busy,
            published_at=now - timedelta(hours=hours),
        )
    make_article(headline="Quiet 1", section=quiet, published_at=now)

    dom = parse(client.get(reverse("articles:home")))

    blocks = {
        text(section.find("h2")): headlines(section.find("ul"))
        for section in with_class(dom, "section", "section-block")
    }
    # "Quiet 1", the newest, leads the page; Busy keeps its newest two.
    assert blocks == {"Busy": ["Busy 1", "Busy 2"]}
    [latest] = with_class(dom, "section", "more-stories")
    assert headlines(latest) == ["Busy 3", "Busy 4"]


def test_home_page_one_holds_the_lead_package_and_one_page_of_stories(
    client, db, settings
):
    settings.ARTICLES_PER_PAGE = 20
    for _ in range(60):
        make_article()

    first = parse(client.get(reverse("articles:home")))
    second = parse(client.get(reverse("articles:home"), {"page": 2}))

    on_first, on_second = (
        story_headlines(first.find(".//main")),
        story_headlines(second.find(".//main")),
    )
    assert len(on_first) == len(set(on_first)) == 21  # the newest story leads
    assert len(on_second) == 20
    assert not set(on_first) & set(on_second)  # "More" starts where page 1 ends


def test_home_page_two_lists_older_stories_only(client, newsroom, settings):
    settings.ARTICLES_PER_PAGE = 1

    response = client.get(reverse("articles:home"), {"page": 2})

    assert response.status_code == 200
    dom = parse(response)
    assert with_class(dom, "article", "lead-story") == []
    assert with_class(dom, "section", "section-block") == []
    assert headlines(dom.find(".//main")) == ["A festival of Korean film"]
    [prev] = dom.iterfind(".//a[@rel='prev']")
    assert prev.get("href") == "/"
    assert list(dom.iterfind(".//a[@rel='next']")) == []


def test_home_page_pagination_links_to_the_next_page(client, newsroom, settings):
    settings.ARTICLES_PER_PAGE = 1

    dom = parse(client.get(reverse("articles:home")))

    [pagination] = with_class(dom, "nav", "pagination")
    assert pagination.get("aria-label") == "More stories"
    assert [a.get("href") for a in pagination.iterfind(".//a[@rel='next']")] == [
        "?page=2"
    ]


def test_home_page_without_stories_says_so(client, db):
    response = client.get(reverse("articles:home"))

    assert response.status_code == 200
    assert "No stories have been published yet." in text(parse(response))


# A story


def test_story_page_shows_headline_dek_section_and_body(client, newsroom):
    lead = newsroom["lead"]

    response = client.get(lead.get_absolute_url())

    assert response.status_code == 200
    assert "articles/article_detail.html" in template_names(response)
    dom = parse(response)
    [story] = with_class(dom, "article", "story")
    assert text(story.find(".//h1")) == "Talks resume at the border"
    assert text(with_class(story, "p", "story__dek")[0]) == lead.dek
    [section_link] = with_class(story, "p", "story__section")
    assert links(section_link) == [("Politics", "/sections/politics/")]
    [body] = with_class(story, "div", "story__body")
    assert [text(p) for p in body.iterfind("p")] == [
        f"Paragraph one of story {lead.slug.removeprefix('story-')}.",
        "Paragraph two.",
    ]
    assert text(dom.find(".//title")) == "Talks resume at the border | Newsroom"
    assert dom.find(".//meta[@name='description']").get("content") == lead.dek


def test_story_page_ends_with_bylines_in_order_with_roles_and_author_links(
    client, newsroom
):
    dom = parse(client.get(newsroom["lead"].get_absolute_url()))

    [block] = with_class(dom, "ul", "byline-block")
    assert [text(li) for li in block.iterfind("li")] == [
        "By Choi Young Hoon",
        "Translated by Eugene Park",
    ]
    assert [a.get("href") for a in block.iterfind(".//a")] == [
        "/authors/choi-young-hoon/",
        "/authors/eugene-park/",
    ]


def test_story_page_names_every_role_at_the_top(client, newsroom):
    dom = parse(client.get(newsroom["lead"].get_absolute_url()))

    [label] = with_class(dom, "p", "bylines--header")
    assert text(label) == "By Choi Young Hoon · Translated by Eugene Park"
    assert links(label) == [
        ("Choi Young Hoon", "/authors/choi-young-hoon/"),
        ("Eugene Park", "/authors/eugene-park/"),
    ]


def test_story_page_shows_publication_time_in_the_newsroom_time_zone(client, db):
    published = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # March 2, 08:30 in Seoul
    article = make_article(published_at=published)
    Article.objects.filter(pk=article.pk).update(updated_at=published)

    response = client.get(article.get_absolute_url())

    assert article.get_absolute_url().startswith("/2026/03/02/")
    [time] = parse(response).iterfind(".//p[@class='story__times']//time")
    assert time.get("datetime") == "2026-03-02T08:30:00+09:00"
    assert text(time) == "2 Mar 2026, 08:30 KST"


def test_story_page_shows_the_update_time_when_changed_after_publication(client, db):
    published = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    article = make_article(published_at=published)
    Article.objects.filter(pk=article.pk).update(
        updated_at=published + timedelta(hours=2)
    )

    dom = parse(client.get(article.get_absolute_url()))

    spans = list(dom.iterfind(".//p[@class='story__times']/span"))
    assert [(text(span), span.find("time").get("datetime")) for span in spans] == [
        ("Published 2 Mar 2026, 08:30 KST", "2026-03-02T08:30:00+09:00"),
        ("Updated 2 Mar 2026, 10:30 KST", "2026-03-02T10:30:00+09:00"),
    ]


def test_story_page_shows_lead_image_with_caption_and_credit_in_a_figure(
    client, newsroom
):
    dom = parse(client.get(newsroom["lead"].get_absolute_url()))

    [figure] = dom.iterfind(".//figure")
    image = figure.find("img")
    assert image.get("src") == "/media/uploads/2026/01/lead.webp"
    assert image.get("alt") == "Delegates shake hands"
    assert text(figure.find("figcaption")) == (
        "Delegates at the border. Photo: Newsroom"
    )


def test_story_without_image_has_no_figure(client, newsroom):
    dom = parse(client.get(newsroom["second"].get_absolute_url()))

    assert list(dom.iterfind(".//figure")) == []


def test_story_page_links_each_tag_to_its_tag_page(client, newsroom):
    dom = parse(client.get(newsroom["lead"].get_absolute_url()))

    [tags] = with_class(dom, "nav", "story__tags")
    assert sorted(links(tags, ".//li/a")) == [
        ("Diplomacy", "/tags/diplomacy/"),
        ("북한", "/tags/%EB%B6%81%ED%95%9C/"),
    ]


def test_story_page_lists_related_stories_by_shared_tags(client, newsroom):
    dom = parse(client.get(newsroom["lead"].get_absolute_url()))

    [related] = with_class(dom, "section", "related")
    # Shares 북한 with the lead; the draft shares it too but is not live.
    assert headlines(related) == ["Markets steady after talks"]


def test_story_with_the_wrong_date_in_its_address_redirects_permanently(client, db):
    article = make_article(published_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    wrong = reverse(
        "articles:detail",
        kwargs={"year": 2026, "month": 3, "day": 1, "slug": article.slug},
    )

    response = client.get(wrong)

    assert response.status_code == 301
    assert response["Location"] == "/2026/03/02/" + article.slug + "/"


def test_draft_story_is_not_found(client, newsroom):
    draft = newsroom["draft"]

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 404
    assert "DRAFT-MARKER" not in response.content.decode()


def test_future_story_is_not_found_until_its_time(client, newsroom):
    future = newsroom["future"]

    response = client.get(future.get_absolute_url())

    assert response.status_code == 404
    assert "FUTURE-MARKER" not in response.content.decode()


def test_unknown_story_is_not_found_with_the_custom_page(client, db):
    response = client.get("/2026/01/01/no-such-story/")

    assert response.status_code == 404
    assert "404.html" in template_names(response)
    dom = parse(response)
    assert text(dom.find(".//h1")) == "Page not found"
    assert dom.find(".//a[@class='skip-link']") is not None


@pytest.mark.parametrize(("name", "kwargs"), PUBLIC_LISTS)
def test_unpublished_stories_leave_no_trace_on_public_lists(
    client, newsroom, name, kwargs
):
    response = client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200
    page = text(parse(response))
    for marker in (
        "DRAFT-MARKER",
        "FUTURE-MARKER",
        "draft-only-tag",
        "future-only-tag",
        "Secret Writer",
    ):
        assert marker not in page


# Sections


def test_section_page_lists_its_own_stories_newest_first(client, newsroom):
    response = client.get(reverse("articles:section", args=["politics"]))

    assert response.status_code == 200
    assert "articles/section_detail.html" in template_names(response)
    dom = parse(response)
    assert text(dom.find(".//h1")) == "Politics"
    assert headlines(dom.find(".//main")) == [
        "Talks resume at the border",
        "Markets steady after talks",
    ]


def test_section_page_marks_its_menu_item_as_current(client, newsroom):
    dom = parse(client.get(reverse("articles:section", args=["politics"])))

    nav = dom.find(".//nav[@aria-label='Sections']")
    assert [(a.get("href"), a.get("aria-current")) for a in nav.iter("a")] == [
        ("/sections/politics/", "page"),
        ("/sections/culture/", None),
        ("/sections/hidden/", None),
    ]


def test_section_page_of_unknown_section_is_not_found(client, db):
    assert client.get("/sections/nowhere/").status_code == 404


# Tags


def test_tag_page_lists_its_published_stories(client, newsroom):
    response = client.get(reverse("articles:tag", args=["film"]))

    assert response.status_code == 200
    assert "articles/tag_detail.html" in template_names(response)
    dom = parse(response)
    assert text(dom.find(".//h1")) == "Film"
    assert headlines(dom.find(".//main")) == ["A festival of Korean film"]


def test_unicode_tag_has_a_working_address(client, newsroom):
    url = reverse("articles:tag", args=["북한"])

    response = client.get(url)

    assert url == "/tags/%EB%B6%81%ED%95%9C/"
    assert response.status_code == 200
    dom = parse(response)
    assert text(dom.find(".//h1")) == "북한"
    assert headlines(dom.find(".//main")) == [
        "Talks resume at the border",
        "Markets steady after talks",
    ]


def test_tag_of_unpublished_stories_only_is_not_found(client, newsroom):
    assert (
        client.get(reverse("articles:tag", args=["draft-only-tag"])).status_code == 404
    )
    assert (
        client.get(reverse("articles:tag", args=["future-only-tag"])).status_code == 404
    )


def test_tag_index_counts_published_stories_only(client, newsroom):
    response = client.get(reverse("articles:tag_index"))

    assert response.status_code == 200
    assert "articles/tag_index.html" in template_names(response)
    dom = parse(response)
    rows = {
        text(li.find("a")): (
            li.find("a").get("href"),
            text(li.find("span")),
        )
        for li in dom.iterfind(".//ul[@class='tag-index']/li")
    }
    assert rows == {
        "Diplomacy": ("/tags/diplomacy/", "1 story"),
        "Film": ("/tags/film/", "1 story"),
        "북한": ("/tags/%EB%B6%81%ED%95%9C/", "2 stories"),
    }


# Authors


def test_author_page_shows_the_person_and_their_stories(client, newsroom):
    park = newsroom["park"]
    park.photo = "uploads/2026/01/park.webp"
    park.save()

    response = client.get(park.get_absolute_url())

    assert response.status_code == 200
    assert "articles/author_detail.html" in template_names(response)
    dom = parse(response)
    header = dom.find(".//main/header")
    assert text(header.find(".//h1")) == "Eugene Park"
    assert text(with_class(header, "p", "author__job")[0]) == "Translator"
    assert text(with_class(header, "div", "author__bio")[0]) == "Park."
    photo = with_class(header, "img", "author__photo")[0]
    assert photo.get("src") == "/media/uploads/2026/01/park.webp"
    assert headlines(dom.find(".//main/section")) == [
        "Talks resume at the border",
        "Markets steady after talks",
    ]


def test_author_page_leaves_out_their_unpublished_stories(client, newsroom):
    dom = parse(client.get(newsroom["choi"].get_absolute_url()))

    assert headlines(dom.find(".//main/section")) == [
        "Talks resume at the border",
        "A festival of Korean film",
    ]


def test_author_index_lists_people_with_published_stories_and_counts(client, newsroom):
    make_author(name="Nobody Yet", slug="nobody-yet")

    response = client.get(reverse("articles:author_index"))

    assert response.status_code == 200
    assert "articles/author_index.html" in template_names(response)
    dom = parse(response)
    rows = [
        (text(li.find("a")), li.find("a").get("href"), text(li)[-9:].strip())
        for li in dom.iterfind(".//ul[@class='author-index']/li")
    ]
    assert rows == [
        ("Choi Young Hoon", "/authors/choi-young-hoon/", "2 stories"),
        ("Eugene Park", "/authors/eugene-park/", "2 stories"),
    ]


def test_unknown_author_is_not_found(client, db):
    assert client.get("/authors/nobody/").status_code == 404


# Pagination


PAGED = [
    ("articles:home", {}),
    ("articles:section", {"slug": "politics"}),
    ("articles:tag", {"slug": "film"}),
    ("articles:tag_index", {}),
    ("articles:author", {"slug": "choi-young-hoon"}),
    ("articles:author_index", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGED)
@pytest.mark.parametrize(
    "page", ["abc", "0", "-1", "2", "999999", "99999999999999999999", "last", "1.0"]
)
def test_bad_page_numbers_are_not_found(client, newsroom, name, kwargs, page):
    response = client.get(reverse(name, kwargs=kwargs), {"page": page})

    assert response.status_code == 404
    assert "404.html" in template_names(response)


@pytest.mark.parametrize(("name", "kwargs"), PAGED)
def test_page_one_is_the_first_page(client, newsroom, name, kwargs):
    assert client.get(reverse(name, kwargs=kwargs), {"page": "1"}).status_code == 200


# Every public page


@pytest.mark.parametrize(("name", "kwargs"), PUBLIC_LISTS)
def test_public_pages_have_skip_link_landmarks_and_no_inline_code(
    client, newsroom, name, kwargs
):
    pages = [reverse(name, kwargs=kwargs), newsroom["lead"].get_absolute_url()]
    for url in pages:
        dom = parse(client.get(url))

        skip = dom.find(".//body/a")
        assert skip.get("class") == "skip-link"
        assert skip.get("href") == "#main"
        assert dom.find(".//main").get("id") == "main"
        assert dom.find(".//header") is not None
        assert dom.find(".//footer") is not None
        assert len(list(dom.iter("h1"))) == 1
        assert dom.tag == "html"
        assert dom.get("lang") == "en"
        for element in dom.iter():
            assert "style" not in element.attrib, element.tag
            assert not any(name.startswith("on") for name in element.attrib)
            assert element.tag != "style"
            if element.tag == "script":
                # Code only from files; inline scripts only as inert data.
                assert element.get("src") or element.get("type") in {
                    "application/json",
                    "application/ld+json",
                }
        stylesheets = [
            link.get("href")
            for link in dom.iter("link")
            if "stylesheet" in link.get("rel", "").split()
        ]
        scripts = [script.get("src") for script in dom.iter("script")]
        assert "/static/css/site.css" in stylesheets
        for resource in stylesheets + [src for src in scripts if src]:
            # Static files, and the JavaScript catalogue (newsroom/locale.py).
            assert resource.startswith(("/static/", "/jsi18n/")), resource


def test_server_error_page_renders_without_the_database(
    rf: RequestFactory, db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))

    assert response.status_code == 500
    dom = html5lib.parse(
        response.content, treebuilder="etree", namespaceHTMLElements=False
    )
    assert text(dom.find(".//h1")) == "Something went wrong"
    assert list(dom.iter("link")) == []


def test_card_images_below_the_fold_load_lazily_with_their_alt_text(client, db):
    section = make_section()
    for n in range(3):
        make_article(
            section=section,
            lead_image=f"uploads/2026/01/{n}.webp",
            lead_image_alt=f"Picture {n}",
            published_at=timezone.now() - timedelta(minutes=n + 1),
        )

    dom = parse(client.get(section.get_absolute_url()))

    images = [
        (image.get("alt"), image.get("loading"))
        for image in dom.find(".//main").iter("img")
    ]
    assert images == [
        ("Picture 0", "eager"),
        ("Picture 1", "lazy"),
        ("Picture 2", "lazy"),
    ]


def test_machine_readable_times_are_valid_html_dates(client, newsroom):
    """To the second with an offset: HTML allows no microseconds in datetime."""
    pages = [reverse("articles:home"), newsroom["lead"].get_absolute_url()]
    for url in pages:
        times = list(parse(client.get(url)).find(".//main").iter("time"))

        assert times
        for time in times:
            assert re.fullmatch(
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", time.get("datetime")
            ), time.get("datetime")


def test_list_pages_count_no_further_than_the_last_page_allowed(client, db, settings):
    settings.MAX_PAGE_NUMBER = 2
    settings.ARTICLES_PER_PAGE = 3
    section = make_section()
    for _ in range(10):
        make_article(section=section)
    response = client.get(section.get_absolute_url())
    assert response.context["paginator"].count == 6
    assert response.context["paginator"].num_pages == 2
    assert client.get(section.get_absolute_url() + "?page=3").status_code == 404


def test_section_blocks_come_from_the_first_page_of_stories_only(client, db, settings):
    settings.ARTICLES_PER_PAGE = 3
    now = timezone.now()
    quiet = make_section(name="Quiet desk")
    busy = make_section(name="Busy desk")
    make_article(section=quiet, published_at=now - timedelta(days=3))
    for hours in range(1, 5):
        make_article(section=busy, published_at=now - timedelta(hours=hours))
    blocks = client.get("/").context["section_blocks"]
    assert [section.name for section, _ in blocks] == ["Busy desk"]


def test_section_fronts_hold_each_sections_newest_stories_in_section_order(db):
    first, second = make_section(order=1), make_section(order=2)
    now = timezone.now()
    old, newer, newest = (
        make_article(section=first, published_at=now - timedelta(hours=hours))
        for hours in (3, 2, 1)
    )
    other = make_article(section=second, published_at=now - timedelta(hours=5))
    stories = list(Article.objects.published().select_related("section"))

    blocks, latest = section_fronts(stories, 2)

    assert blocks == [(first, [newest, newer]), (second, [other])]
    assert latest == [old]


def test_related_stories_rank_more_shared_tags_first_then_newest(client, db):
    now = timezone.now()
    story = make_article(tags=["Russia", "Sanctions"], published_at=now)
    one = make_article(
        headline="Shares one, newest",
        tags=["Russia"],
        published_at=now - timedelta(hours=1),
    )
    both = make_article(
        headline="Shares both",
        tags=["Russia", "Sanctions"],
        published_at=now - timedelta(days=3),
    )
    make_article(headline="Shares none", tags=["Weather"])
    make_draft(headline="Draft shares both", tags=["Russia", "Sanctions"])

    dom = parse(client.get(story.get_absolute_url()))

    [related] = with_class(dom, "section", "related")
    assert headlines(related) == [both.headline, one.headline]


def test_related_stories_come_from_the_newest_stories_sharing_a_tag(
    client, db, monkeypatch
):
    """A topic with a huge archive costs what a small one does: only the
    newest ``RELATED_CANDIDATES`` stories sharing a tag are ranked."""
    monkeypatch.setattr("articles.models.RELATED_CANDIDATES", 2)
    now = timezone.now()
    old_close_match = make_article(
        headline="Old, shares both",
        tags=["Russia", "Sanctions"],
        published_at=now - timedelta(days=30),
    )
    newer = [
        make_article(
            headline=f"Newer {n}", tags=["Russia"], published_at=now - timedelta(days=n)
        )
        for n in (2, 1)
    ]
    story = make_article(tags=["Russia", "Sanctions"], published_at=now)

    dom = parse(client.get(story.get_absolute_url()))

    [related] = with_class(dom, "section", "related")
    assert headlines(related) == [newer[1].headline, newer[0].headline]
    assert old_close_match.headline not in headlines(related)


def test_published_and_hidden_split_every_story_with_no_overlap(db):
    now = timezone.now()
    stories = [
        make_article(published_at=now - timedelta(hours=1)),
        make_article(published_at=now + timedelta(hours=1)),
        make_draft(),
        make_draft(published_at=now - timedelta(days=1)),
        make_draft(status=Article.Status.REVIEW),
    ]

    live = set(Article.objects.published(now).values_list("pk", flat=True))
    hidden = set(Article.objects.hidden(now).values_list("pk", flat=True))

    assert live == {stories[0].pk}
    assert live.isdisjoint(hidden)
    assert live | hidden == {story.pk for story in stories}
