"""Kitsu in Chromium, routed from the recorded shapes: a two-page library gives recommendations
off the list with `?kitsu=NAME` in the address, a shared link opens them (the module's page opens
from one), and every error keeps the name with its own message. Only kitsu.app is contacted, and
the CSP lets it through."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import Session, open_sources, run_and_wait
from .kitsu_routes import HAPPY, happy_mal_ids
from .test_security import RECORD_VIOLATIONS
from .test_site import assert_link_opened, assert_recommends_off_list, open_link

pytestmark = pytest.mark.browser

TIMEOUT_S = 2  # the page's API timeout here (transport.TEST_TIMEOUT_HOOK), not 20 s


@pytest.fixture(scope="module")
def app(browser, site_url) -> Iterator[Session]:
    """The module's page, opened from a shared link (`test_shared_kitsu_link_opens_…`)."""
    hook = f"globalThis.animerecAniListTimeoutS = {TIMEOUT_S};\n"
    session = open_link(browser, f"{site_url}?kitsu={HAPPY}", "#kitsu-user",
                        init_script=hook + RECORD_VIOLATIONS)  # fmt: skip
    yield session
    for route in session.kitsu_pending:
        route.abort()
    session.page.context.close()


def ask_kitsu(page, name: str) -> None:
    open_sources(page)
    page.fill("#kitsu-user", name)
    run_and_wait(page, lambda: page.click("#kitsu-form button[type=submit]"))


def library_requests(session: Session) -> list[str]:
    return [u for u in session.requests if u.startswith("https://kitsu.app/api/edge/library-")]


def test_kitsu_library_gives_recommendations(app: Session) -> None:
    page = app.page
    app.kitsu_calls.clear()
    before = len(library_requests(app))  # the link's, when the page opened
    ask_kitsu(page, HAPPY)
    assert_recommends_off_list(page, happy_mal_ids())
    assert app.kitsu_calls == [HAPPY]
    assert len(library_requests(app)) - before == 2  # 109 entries in pages of 60: links.next
    assert "kitsu=evanalxen" in page.url and "anilist=" not in page.url
    assert page.input_value("#kitsu-user") == HAPPY
    assert page.evaluate("() => window.__csp") == []
    assert app.foreign_requests() == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nobody_here", "Kitsu has no user called “nobody_here”"),
        ("empty_library", "empty_library's Kitsu library has no anime"),
        ("busy_kitsu", "Kitsu is limiting how often it can be asked. Try again in 1 s"),
        ("down_for_now", "Kitsu is having trouble (HTTP 503)"),
        ("offline", "Kitsu could not be reached"),
        ("very_slow", "Kitsu took too long to answer"),
        ("no", "“no” is not a Kitsu username"),
    ],
)
def test_kitsu_errors_keep_the_name(app: Session, name: str, message: str) -> None:
    app.kitsu_calls.clear()
    ask_kitsu(app.page, name)
    assert message in app.page.inner_text("#error")
    assert app.page.input_value("#kitsu-user") == name
    assert app.page.is_hidden("#results")
    retried = {"busy_kitsu": 2, "down_for_now": 2, "no": 0}  # one retry after 429 and 5xx
    assert app.kitsu_calls == [name] * retried.get(name, 1)


def test_shared_kitsu_link_opens_recommendations(app: Session) -> None:
    assert_link_opened(app, HAPPY, happy_mal_ids())
