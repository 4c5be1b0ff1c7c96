"""The Korean walk (issue 18, "Done when"): with ``LANGUAGE_CODE=ko`` a reader
walks the front page, a story, a tag page, search, the comment form (a held
comment's notice) and the 404 page and meets no English interface word; an
editor whose browser asks for Korean runs the story workflow in a Korean admin.

"English interface word": a word of the English catalogue's msgids
(``locale/ko/LC_MESSAGES/django.po``) seen on the page. The stories here are
Korean, so any such word on the page comes from the interface. Proper nouns
the interface keeps (the site's name, "RSS") are allowed, and so is the
language switch's "English" (a language named in its own language).
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from articles import services
from articles.models import Article, Byline
from tests.browser.conftest import run_axe
from tests.factories import make_article, make_author, make_section, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATALOGUE = Path(django_settings.BASE_DIR) / "locale/ko/LC_MESSAGES/django.po"
# Names the interface keeps in Latin letters in Korean too: the site's name,
# acronyms, and the picture formats an upload may be.
ALLOWED = {"newsroom", "rss", "english", "korean", "kst", "ok", "api"} | {
    "jpeg",
    "png",
    "webp",
    "gif",
}
WORD = re.compile(r"[A-Za-z]{3,}")


def interface_words() -> set[str]:
    """The words of every English msgid, lower case."""
    text = CATALOGUE.read_text(encoding="utf-8")
    words = set()
    for block in re.findall(r'^msgid(?:_plural)? ((?:".*"\n?)+)', text, re.M):
        message = "".join(re.findall(r'"(.*)"', block))
        message = re.sub(r"%\(\w+\)[sd]|\{\{.*?\}\}|<[^>]+>", " ", message)
        words |= {w.lower() for w in WORD.findall(message)}
    return words - ALLOWED


def story_words() -> set[str]:
    """The words of the stories themselves, lower case."""
    text = " ".join(
        " ".join(Article.objects.values_list("headline", "dek", "body").get(pk=pk))
        for pk in Article.objects.values_list("pk", flat=True)
    )
    return {w.lower() for w in WORD.findall(text)}


def english_left(page, words: set[str]) -> set[str]:
    """Interface words in the page's visible text and its labels, leaving out
    what is marked as written in another language (an English story's card
    carries ``lang="en"``: its headline is the story's, not the interface's)."""
    page.wait_for_load_state()
    visible = page.evaluate(
        """() => {
        const other = [...document.body.querySelectorAll('[lang]')]
          .filter(e => !e.lang.startsWith('ko'));
        // An icon font's ligatures ("format_bold") draw pictures, not words.
        const icons = [...document.body.querySelectorAll('.material-icons')];
        const hidden = [...other, ...icons];
        const shown = hidden.map(e => [e, e.style.display]);
        hidden.forEach(e => { e.style.display = 'none'; });
        const options = [...document.querySelectorAll('option')]
          .filter(o => !other.some(e => e.contains(o))).map(o => o.textContent);
        const text = [document.body.innerText, ...options,
          ...[...document.querySelectorAll(
            '[aria-label],[placeholder],[title],img[alt]')]
          .filter(e => !other.some(o => o.contains(e))).map(e => [
            e.getAttribute('aria-label'), e.getAttribute('placeholder'),
            e.getAttribute('title'), e.getAttribute('alt')].join(' '))].join(' ');
        shown.forEach(([e, display]) => { e.style.display = display; });
        return text;
        }"""
    )
    return {w.lower() for w in WORD.findall(visible)} & words


@pytest.fixture
def korean_site(settings):
    settings.LANGUAGE_CODE = "ko"
    settings.COMMENTS_MODERATION = "pre"
    section = make_section(name="외교", slug="외교")
    choi = make_author(name="최영훈", slug="최영훈", job_title="기자")
    park = make_author(name="박유진", slug="박유진", job_title="번역가")
    original = make_article(
        headline="한미, 북러 무기 거래 논의",
        slug="한미-북러-무기거래-논의",
        dek="양국은 무기 거래가 국제 안보를 위협한다는 데 뜻을 모았다.",
        body="<p>한국과 미국이 서울에서 만나 북한과 러시아의 무기 거래를 논의했다.</p>",
        language="ko",
        section=section,
        authors=[choi],
        tags=["북한", "러시아", "한미"],
        published_at=timezone.now() - timedelta(hours=3),
    )
    translation = make_article(
        headline="Seoul and Washington discuss the arms trade",
        slug="seoul-and-washington-discuss",
        language="en",
        section=section,
        authors=[choi, (park, Byline.Role.TRANSLATED)],
        published_at=timezone.now() - timedelta(hours=2),
    )
    services.link_translation(translation, original)
    services.save_story(translation)
    return original


def test_a_reader_walks_the_korean_site_without_english_interface_words(
    page, korean_site
):
    words = interface_words()
    story = korean_site
    seen = {}

    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "ko"
    seen["front page"] = english_left(page, words)

    page.goto(story.get_absolute_url())
    assert page.locator("html").get_attribute("lang") == "ko"
    header = page.locator(".story__header").inner_text()
    assert "최영훈 기자" in header
    assert re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일", header), header
    assert page.locator('a[hreflang="en"][lang="en"]').count() >= 1
    seen["story"] = english_left(page, words)
    assert run_axe(page) == []

    page.goto("/tag/북한/")
    seen["tag page"] = english_left(page, words)

    page.goto("/search/?q=북한")
    assert page.get_by_role("link", name=story.headline).count() >= 1
    seen["search"] = english_left(page, words)

    page.goto(story.get_absolute_url())
    form = page.locator("form.comment-form").first
    form.locator("[name=name]").fill("독자")
    form.locator("[name=body]").fill("좋은 기사 잘 읽었습니다. 후속 보도도 기대합니다.")
    page.wait_for_timeout(0)
    form.locator("[type=submit]").click()
    notice = page.locator("[role=status], .comment-notice").first
    notice.wait_for()
    seen["held comment"] = english_left(page, words)

    page.goto("/이런-주소는-없습니다/")
    seen["404"] = english_left(page, words)

    assert {where: found for where, found in seen.items() if found} == {}


def test_an_editor_with_korean_gets_a_korean_admin(browser, live_server, korean_site):
    user = make_user(superuser=True, username="편집자", password="correct horse")
    context = browser.new_context(base_url=live_server.url, locale="ko-KR")
    page = context.new_page()
    # The desk lists the English translation too: its headline is the story's.
    words = interface_words() - story_words()
    seen = {}
    try:
        page.goto("/admin/login/")
        seen["login"] = english_left(page, words)
        page.fill("[name=username]", user.username)
        page.fill("[name=password]", "correct horse")
        page.locator("[type=submit]").click()
        page.wait_for_url("**/admin/**")
        page.goto("/admin/articles/article/")
        assert page.locator("html").get_attribute("lang") == "ko"
        seen["story list"] = english_left(page, words)
        page.goto("/admin/articles/article/add/")
        seen["add form"] = english_left(page, words)
        page.goto(f"/admin/articles/article/{korean_site.pk}/change/")
        seen["change form"] = english_left(page, words)
        page.locator("[name=_save]").first.click()
        seen["saved"] = english_left(page, words)
        page.goto(f"/admin/articles/article/{korean_site.pk}/revisions/")
        seen["revisions"] = english_left(page, words)
    finally:
        context.close()

    assert {where: found for where, found in seen.items() if found} == {}
