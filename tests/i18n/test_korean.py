"""Korean conventions: dates, relative times, bylines, counts, search, slugs,
typography; English unchanged beside them.

The Korean words come from the project's catalogue (``locale/ko``), compiled
by ``make install-dev``; ``test_catalogue.py`` checks that it is complete.
"""

import re
import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import html5lib
import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from articles import markup, slugs
from articles.models import Article, Byline
from articles.search.query import search_articles
from tests.factories import make_article, make_author, make_user
from viewcounts.templatetags.viewcount_tags import views_label

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def korean():
    with translation.override("ko"):
        yield


def text_of(html: str) -> str:
    fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)
    return " ".join("".join(fragment.itertext()).split())


# Dates and times


def test_korean_date_and_time_with_the_zone(korean):
    morning = datetime(2026, 12, 2, 2, 21, tzinfo=SEOUL)
    afternoon = datetime(2026, 12, 2, 14, 5, tzinfo=SEOUL)
    assert markup.time_text(morning) == "2026년 12월 2일 오전 2:21 KST"
    assert markup.time_text(afternoon) == "2026년 12월 2일 오후 2:05 KST"
    assert markup.time_text(date(2026, 1, 9)) == "2026년 1월 9일"
    assert date_format(date(2026, 12, 2), "YEAR_MONTH_FORMAT") == "2026년 12월"
    assert date_format(date(2026, 12, 2), "MONTH_DAY_FORMAT") == "12월 2일"


def test_korean_time_in_the_newsroom_zone_whatever_the_stored_zone(korean):
    utc = datetime(2026, 12, 1, 17, 21, tzinfo=ZoneInfo("UTC"))
    assert markup.time_text(utc) == "2026년 12월 2일 오전 2:21 KST"
    html = markup.time_html(utc)
    assert html == (
        '<time datetime="2026-12-02T02:21:00+09:00">'
        "2026년 12월 2일 오전 2:21 KST</time>"
    )


def test_english_dates_are_unchanged():
    moment = datetime(2026, 12, 2, 2, 21, tzinfo=SEOUL)
    with translation.override("en"):
        assert markup.time_text(moment) == "2 Dec 2026, 02:21 KST"
        assert markup.time_text(date(2026, 12, 2)) == "2 Dec 2026"


@pytest.mark.parametrize(
    ("delta", "korean_text", "english_text"),
    [
        (timedelta(minutes=-3), "3분 전", "3\xa0minutes ago"),
        (timedelta(hours=-2, minutes=-5), "2시간 전", "2\xa0hours ago"),
        (timedelta(days=-1), "1일 전", "1\xa0day ago"),
        (timedelta(days=3), "3일 후", "in 3\xa0days"),
        (timedelta(seconds=-20), "방금", "just now"),
    ],
)
def test_relative_times(delta, korean_text, english_text):
    now = datetime(2026, 12, 2, 14, 0, tzinfo=SEOUL)
    with translation.override("ko"):
        assert markup.relative_text(now + delta, now) == korean_text
    with translation.override("en"):
        assert markup.relative_text(now + delta, now) == english_text


def test_relative_time_keeps_the_korean_date_in_its_title(korean):
    now = datetime(2026, 12, 2, 14, 0, tzinfo=SEOUL)
    html = markup.time_html(now - timedelta(minutes=3), relative=True, now=now)
    document = html5lib.parseFragment(html, namespaceHTMLElements=False)
    element = document[0]
    assert element.text == "3분 전"
    assert element.get("title") == "2026년 12월 2일 오후 1:57 KST"


# Bylines


@pytest.fixture
def reporters(db):
    return {
        "choi": make_author(name="최영훈", slug="choi"),
        "kim": make_author(name="김민지", slug="kim"),
        "park": make_author(name="박유진", slug="park"),
        "hong": make_author(name="홍길동", slug="hong"),
        "lee": make_author(name="이서연", slug="lee"),
    }


def byline_text(story, style="header"):
    return text_of(markup.bylines_html(story.bylines.all(), style))


def test_korean_byline_puts_the_title_after_the_name(korean, reporters):
    story = make_article(authors=[reporters["choi"]])
    assert byline_text(story) == "최영훈 기자"


def test_korean_byline_joins_names_with_a_middle_dot(korean, reporters):
    story = make_article(
        authors=[reporters["choi"], reporters["kim"], reporters["lee"]]
    )
    assert byline_text(story) == "최영훈·김민지·이서연 기자"


def test_korean_roles_come_before_their_names(korean, reporters):
    story = make_article(
        authors=[
            (reporters["choi"], Byline.Role.BY),
            (reporters["park"], Byline.Role.TRANSLATED),
            (reporters["hong"], Byline.Role.PHOTOS),
            (reporters["kim"], Byline.Role.EDITED),
            (reporters["lee"], Byline.Role.REPORTING),
        ]
    )
    assert byline_text(story) == (
        "최영훈 기자 · 취재 이서연 · 번역 박유진 · 편집 김민지 · 사진 홍길동"
    )
    closing = html5lib.parseFragment(
        markup.bylines_html(story.bylines.all(), "closing"),
        namespaceHTMLElements=False,
    )
    lines = [" ".join("".join(li.itertext()).split()) for li in closing.iter("li")]
    assert lines == [
        "최영훈 기자",
        "취재 이서연",
        "번역 박유진",
        "편집 김민지",
        "사진 홍길동",
    ]


def test_korean_byline_keeps_its_markup(korean, reporters):
    story = make_article(authors=[reporters["choi"]])
    html = markup.bylines_html(story.bylines.all(), "header")
    fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)
    line = fragment[0]
    byline = line.find("span")
    assert byline.get("data-role") == "by"
    # The name first, linked; then the role's word in its own span.
    assert [child.tag for child in byline] == ["a", "span"]
    assert byline[0].get("href") == reporters["choi"].get_absolute_url()
    assert byline[1].get("class") == "byline__role" and byline[1].text == "기자"


def test_english_bylines_are_unchanged(reporters):
    story = make_article(
        authors=[
            (reporters["choi"], Byline.Role.BY),
            (reporters["kim"], Byline.Role.BY),
            (reporters["lee"], Byline.Role.BY),
            (reporters["park"], Byline.Role.TRANSLATED),
        ]
    )
    with translation.override("en"):
        assert byline_text(story) == (
            "By 최영훈, 김민지 and 이서연 · Translated by 박유진"
        )
        assert markup.join_names(["A", "B"]) == "A and B"


def test_role_choices_are_translated_for_the_desk():
    with translation.override("ko"):
        labels = [str(label) for label in Byline.Role.labels]
    assert labels == ["기자", "취재", "번역", "편집", "사진"]
    with translation.override("en"):
        labels = [str(label) for label in Byline.Role.labels]
    assert labels == ["By", "Reporting by", "Translated by", "Edited by", "Photos by"]


def test_role_labels_need_no_migration():
    result = subprocess.run(
        [
            str(django_settings.BASE_DIR / ".venv/bin/python"),
            "manage.py",
            "makemigrations",
            "articles",
            "people",
            "--check",
            "--dry-run",
        ],
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": "insecure-key-for-tests-only-0123456789-abcdefghijklmnop",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Counts


@pytest.mark.parametrize(
    ("count", "korean_text", "english_text"),
    [
        (1, "댓글 1", "1 comment"),
        (5, "댓글 5", "5 comments"),
        (1234, "댓글 1,234", "1,234 comments"),
    ],
)
def test_card_comment_counts(db, count, korean_text, english_text):
    story = make_article()
    for language, expected in (("ko", korean_text), ("en", english_text)):
        with translation.override(language):
            html = markup.card_comments_html(story, {story.pk: count})
        assert text_of(html) == expected


@pytest.mark.parametrize(
    ("count", "korean_text", "english_text"),
    [
        (0, "조회 0", "0 views"),
        (1, "조회 1", "1 view"),
        (1234, "조회 1,234", "1,234 views"),
        (1234567, "조회 1,234,567", "1,234,567 views"),
    ],
)
def test_view_counts(count, korean_text, english_text):
    with translation.override("ko"):
        assert views_label(count) == korean_text
    with translation.override("en"):
        assert views_label(count) == english_text


def test_story_page_comment_count_is_grouped(client, db, settings):
    settings.LANGUAGE_CODE = "ko"
    story = make_article(language="ko", headline="북한, 회담 재개")
    response = client.get(story.get_absolute_url())
    document = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    counts = next(
        p for p in document.iter("p") if "story__comments" in (p.get("class") or "")
    )
    assert " ".join("".join(counts.itertext()).split()) == "댓글 0"


# Search


@pytest.mark.django_db
def test_korean_search_finds_the_word_inside_its_inflections(client, settings):
    """북한 (North Korea) in 북한의 (of North Korea): prefix terms on SQLite's
    FTS5 and PostgreSQL's tsquery alike (articles/search/)."""
    settings.LANGUAGE_CODE = "ko"
    story = make_article(
        headline="정상회담 일정 발표",
        dek="",
        body="<p>북한의 외무상이 회담 일정을 밝혔다.</p>",
        language="ko",
    )
    make_article(headline="날씨", dek="", body="<p>맑음</p>", language="ko")
    assert list(search_articles("북한")) == [story]
    assert list(search_articles("외무상")) == [story]
    response = client.get(reverse("articles:search"), {"q": "북한"})
    assert response.status_code == 200
    document = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    links = {a.get("href") for a in document.iter("a")}
    assert story.get_absolute_url() in links


# Slugs


def test_korean_headlines_give_korean_slugs(settings):
    settings.SLUG_ROMANIZE = False
    assert slugs.slug_from("북한, 회담 재개 발표") == "북한-회담-재개-발표"
    assert slugs.slug_from("AI 시대의 신문") == "ai-시대의-신문"


@pytest.mark.django_db
def test_story_with_a_korean_slug_is_served(client, settings):
    settings.SLUG_ROMANIZE = False
    story = make_article(headline="북한, 회담 재개 발표", slug="")
    assert story.slug == "북한-회담-재개-발표"
    assert client.get(story.get_absolute_url()).status_code == 200


def test_romanised_slugs(settings):
    settings.SLUG_ROMANIZE = True
    assert slugs.slug_from("북한, 회담 재개 발표") == "bukhan-hoedam-jaegae-balpyo"
    assert slugs.slug_from("AI 시대의 신문") == "ai-sidaeui-sinmun"
    assert slugs.slug_from("Seoul 2026") == "seoul-2026"
    # Still cut between words.
    long = slugs.slug_from("대한민국 " * 30)
    assert len(long) <= slugs.SLUG_FROM_HEADLINE and not long.endswith("-")
    assert re.fullmatch(r"[a-z0-9-]+", long)


@pytest.mark.django_db
def test_romanised_story_is_served(client, settings):
    settings.SLUG_ROMANIZE = True
    story = make_article(headline="서울시 새 예산안", slug="")
    assert story.slug == "seoulsi-sae-yesanan"
    assert client.get(story.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_change_form_leaves_a_romanised_slug_to_the_server(client, settings):
    client.force_login(make_user(superuser=True))
    url = reverse("admin:articles_article_add")
    settings.SLUG_ROMANIZE = False
    page = client.get(url).content.decode()
    assert "data-romanize" not in page
    settings.SLUG_ROMANIZE = True
    document = html5lib.parse(
        client.get(url).content.decode(), namespaceHTMLElements=False
    )
    slug = next(i for i in document.iter("input") if i.get("name") == "slug")
    assert slug.get("data-romanize") == "1"


# The site's language elsewhere


@pytest.mark.django_db
def test_stories_default_to_the_site_language(settings):
    settings.LANGUAGE_CODE = "ko"
    story = Article(headline="새 기사", slug="new", section=make_article().section)
    assert story.language == "ko"


@pytest.mark.django_db
def test_feeds_carry_the_site_language(client, settings):
    settings.LANGUAGE_CODE = "ko"
    make_article()
    feed = client.get(reverse("articles:feed_latest_rss")).content.decode()
    assert "<language>ko</language>" in feed


# Typography


def test_korean_typography_rules():
    css = (django_settings.BASE_DIR / "static/css/site.css").read_text("utf-8")
    keep_all = re.search(r":lang\(ko\)\s*\{[^}]*word-break:\s*keep-all", css)
    assert keep_all
    korean = re.search(r'\[lang\|="ko"\]\s*\{([^}]*)\}', css).group(1)
    for face in (
        "Apple SD Gothic Neo",
        "Malgun Gothic",
        "Noto Sans KR",
        "Noto Sans CJK KR",
    ):
        assert f'"{face}"' in korean
    assert re.search(r"body:lang\(ko\)\s*\{[^}]*line-height:\s*1\.7", css)
    # No web font, nothing from another host.
    assert "@font-face" not in css and "@import" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)


def test_the_desks_yes_no_pictures_are_read_in_the_desks_language(korean):
    from django.contrib.admin.utils import display_for_value

    assert 'alt="예"' in display_for_value(True, "", boolean=True)
    assert 'alt="아니요"' in display_for_value(False, "", boolean=True)
    with translation.override("en"):
        assert 'alt="No"' in display_for_value(False, "", boolean=True)
