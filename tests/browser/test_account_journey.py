"""A new learner in a real browser: sign up with an address, forget the password, reset it from
the mail's link, log in; and the app passes Chromium's installability checks."""

import time

import pytest
from playwright.sync_api import expect

from flashcards.seeding import DEFAULT_FIXTURE, seed_questions
from tests.browser.conftest import CHROMIUM
from tests.conftest import PASSWORD
from tests.mailbox import links, parts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "fresh-meadow-lantern-4"


def _wait_for_mail(mailbox, address: str, count: int):
    for _ in range(100):
        if len(mailbox.to(address)) >= count:
            return mailbox.to(address)[count - 1]
        time.sleep(0.1)
    raise AssertionError(f"no mail number {count} for {address}")


def test_sign_up_log_out_reset_the_password_from_the_mail_and_log_in(page, mailbox):
    seed_questions(text=DEFAULT_FIXTURE.read_text(encoding="utf-8"))
    page.goto("/accounts/signup/")
    page.fill("#id_email", "walker@example.com")
    page.fill("#id_password1", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/study/")
    expect(page.locator("#card-question")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("#id_email", "walker@example.com")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/password/reset/done/")

    text, html = parts(_wait_for_mail(mailbox, "walker@example.com", 2))  # after the welcome
    [link] = [url for url in links(text) if "/password/reset/key/" in url]
    assert f'href="{link}"' in html
    page.goto(link)
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.click("main button[type=submit]")
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    page.locator("main").get_by_role("link", name="Log in").click()
    page.wait_for_url("**/accounts/login/")
    page.fill("#id_login", "walker@example.com")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("main button[type=submit]")
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()


def test_the_app_is_installable_and_shows_the_offline_page_without_a_network(
    browser, live_server, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Installability is not checked in incognito contexts: use a real profile.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu"],
        base_url=live_server.url,
    )
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        assert page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

        page.reload()  # now controlled by the service worker
        context.set_offline(True)
        page.goto("/study/")
        expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    finally:
        context.close()
