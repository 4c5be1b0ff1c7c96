"""The subscription screens in a real Chromium: added with the keyboard, a
test message sent with the keyboard, no accessibility violations, at a
phone's width and a desk's."""

import json

import pytest

from tests.browser.conftest import SCREENSHOTS, run_axe
from tests.factories import make_user

pytestmark = pytest.mark.browser


def shoot(page, name):
    folder = SCREENSHOTS / "webhooks"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_a_superuser_adds_a_subscription_and_sends_a_test(
    browser, live_server, receiver, width
):
    make_user(superuser=True, username="chief", password="correct horse battery")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/admin/login/")
        page.fill("#id_username", "chief")
        page.fill("#id_password", "correct horse battery")
        page.keyboard.press("Enter")
        page.wait_for_url("**/admin/")

        page.goto("/admin/webhooks/subscription/add/")
        assert run_axe(page) == []
        shoot(page, f"subscription-add-{width}")
        page.fill("#id_name", "Wire partner")
        page.fill("#id_url", "http://10.0.0.1/hooks")
        page.keyboard.press("Enter")
        error = page.locator(".field-url .errorlist")
        assert "not a public address" in error.inner_text()
        shoot(page, f"subscription-error-{width}")

        page.fill("#id_url", receiver.url + "/in")
        page.locator("#id_url").press("Enter")
        page.wait_for_url("**/admin/webhooks/subscription/")
        page.locator("#result_list").get_by_role("link", name="Wire partner").click()
        button = page.get_by_role("button", name="Send a test message")
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(".messagelist .success")
        assert "Test message delivered (HTTP 200)." in page.inner_text(".messagelist")
        assert json.loads(receiver.requests[0].body)["type"] == "webhook.test"
        page.locator("details summary").click()
        assert run_axe(page) == []
        shoot(page, f"subscription-change-{width}")

        page.get_by_role("link", name="Delivery log").click()
        assert "Test message" in page.inner_text("#result_list")
        assert run_axe(page) == []
        shoot(page, f"delivery-log-{width}")
    finally:
        context.close()
