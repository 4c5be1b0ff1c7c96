import pytest

from tests.browser.conftest import run_axe
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_home_page_opens_in_chromium(page):
    article = make_article(headline="A story for the browser")
    page.goto("/")
    page.get_by_role("link", name=article.headline).first.click()
    assert page.locator("h1").inner_text() == article.headline
    assert run_axe(page) == []
