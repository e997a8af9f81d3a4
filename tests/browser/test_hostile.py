"""The hostile corpus in Chromium: each file through the upload form, and hostile AniList and
Kitsu answers through routing. Each ends in its message (or in recommendations), the page does
not freeze (no main-thread task of the whole request near FREEZE_MS), and it stays usable.

The issue's budgets (the outcome within 2 s, no task over 200 ms) are figures of
`build.py bench` (tools/BENCH.md), not asserts here: two busy cores stretch one task several-fold,
so a test bounds only a freeze, ten times the budget."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_corpus import API_CASES, CASES, PROFILE, Case
from kitsu_responses import library_page

from .conftest import ANILIST_API, Session, open_site, open_sources, run_and_wait
from .kitsu_routes import HAPPY, KITSU_API, happy_rows
from .test_site import XML, upload

pytestmark = pytest.mark.browser

FREEZE_MS = 2000  # a frozen page: ten times the 200 ms task budget (build.py bench)
OBSERVE_LONG_TASKS = """
window.__longtasks = [];
window.__longtaskObserver = new PerformanceObserver((list) => {
  window.__longtasks.push(...list.getEntries().map((e) => e.duration));
});
window.__longtaskObserver.observe({ type: "longtask" });
"""
# The longest main-thread task since the last call: those reported, and those not yet reported.
LONGEST_TASK_MS = """() => {
  const taken = window.__longtaskObserver.takeRecords().map((e) => e.duration);
  const longest = Math.max(0, ...window.__longtasks, ...taken);
  window.__longtasks = [];
  return longest;
}"""
OUTCOME = """(before) => Number(document.body.dataset.renders || 0) > before
    || !document.getElementById("error").hidden"""
CORS = {"Access-Control-Allow-Origin": "*"}


@dataclass(frozen=True)
class Outcome:
    error: str  # "" for recommendations
    longest_ms: float  # the longest task from the click to the request's end


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A folder for the corpus's files, each under its case's own folder by its file name: a
    path lets Playwright hand a local Chromium the file itself, where bytes would cross its pipe
    as base64 and be decoded in the page (most of this module's CPU; tools/BENCH.md, "The
    suite's time")."""
    return tmp_path_factory.mktemp("hostile")


def written(corpus: Path, case: Case) -> Path:
    path = corpus / case.name / case.filename
    path.parent.mkdir()
    path.write_bytes(case.data)
    return path


@pytest.fixture(scope="module")
def app(browser, site_url) -> Session:
    session = open_site(browser, site_url, init_script=OBSERVE_LONG_TASKS)
    yield session
    session.page.context.close()


def outcome_of(page, start) -> Outcome:
    """Do `start` and wait for its outcome (a message or the first cards), then for the
    request's end (the stats and the explanations come after the first cards)."""
    page.evaluate("() => { document.getElementById('error').hidden = true; }")
    page.evaluate(LONGEST_TASK_MS)  # forget the tasks before (the file's transfer)
    before = int(page.evaluate("() => document.body.dataset.renders || 0"))

    def act() -> None:
        start()
        page.wait_for_function(OUTCOME, arg=before, timeout=60_000)

    run_and_wait(page, act)
    longest = page.evaluate(LONGEST_TASK_MS)
    error = page.inner_text("#error") if page.is_visible("#error") else ""
    return Outcome(error, longest)


def check(expect: str, outcome: Outcome) -> None:
    """The outcome is the expected one, and the page did not freeze on the way."""
    if expect == PROFILE:
        assert outcome.error == "" or "model knows" in outcome.error, outcome.error
    else:
        assert expect in outcome.error
    assert outcome.longest_ms < FREEZE_MS, f"the page froze for {outcome.longest_ms:.0f} ms"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_upload(app: Session, corpus: Path, case: Case) -> None:
    page = app.page
    open_sources(page)  # folded into the "Your list" bar after an answer
    page.set_input_files("#file-input", str(written(corpus, case)))
    submit = "#file-form button[type=submit]"
    outcome = outcome_of(page, lambda: page.click(submit))
    assert case.filename in page.inner_text("#file-name")
    check(case.expect, outcome)


def answer_list(page, name: str, site: str, body: bytes) -> None:
    """AniList's list answer, or every Kitsu library page, for user `name` is `body`."""
    if site == "anilist":
        def route(r) -> None:
            if (r.request.post_data_json or {}).get("variables", {}).get("name") == name:
                r.fulfill(status=200, body=body, headers=CORS, content_type="application/json")
            else:
                r.fallback()

        page.route(ANILIST_API.rstrip("/"), route)
    else:
        page.route(KITSU_API + "library-entries**", lambda r: r.fulfill(
            status=200, body=body, headers=CORS, content_type="application/vnd.api+json"))


@pytest.mark.parametrize(("name", "site", "body", "expect"), API_CASES,
                         ids=[c[0] for c in API_CASES])  # fmt: skip
def test_hostile_api_answer(app: Session, name: str, site: str, body: bytes, expect: str):
    page = app.page
    user = HAPPY if site == "kitsu" else name.replace("-", "_")
    answer_list(page, user, site, body)
    try:
        open_sources(page)
        page.fill(f"#{site}-user", user)
        outcome = outcome_of(page, lambda: page.click(f"#{site}-form button"))
    finally:
        if site == "kitsu":
            page.unroute(KITSU_API + "library-entries**")
    assert page.input_value(f"#{site}-user") == user
    check(expect, outcome)


def test_endless_kitsu_pages_stop(app: Session) -> None:
    """A library whose `links.next` never ends: paging stops at its cap with what came."""
    page, calls = app.page, []

    def endless(route) -> None:
        calls.append(route.request.url)
        rows = [happy_rows()[len(calls) % len(happy_rows())]]
        nxt = f"{KITSU_API}library-entries?filter[userId]=5554&page[offset]={len(calls)}"
        route.fulfill(json=library_page(rows, nxt), headers=CORS)

    page.route(KITSU_API + "library-entries**", endless)
    try:
        open_sources(page)
        page.fill("#kitsu-user", HAPPY)
        outcome = outcome_of(page, lambda: (calls.clear(), page.click("#kitsu-form button")))
    finally:
        page.unroute(KITSU_API + "library-entries**")
    assert len(calls) == 40  # kitsu.MAX_PAGES
    check(PROFILE, outcome)


def test_page_still_usable_after_the_corpus(app: Session) -> None:
    upload(app.page, XML)
    assert app.page.is_hidden("#error"), app.page.inner_text("#error")
    assert app.page.eval_on_selector_all("#recommendations li.card", "cs => cs.length") > 0


PASTED = "a <img src=x onerror=window.pwned=1> " * 30_000  # about a megabyte of typed text
SET_VALUE = """([id, value]) => {
  const field = document.getElementById(id);
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
}"""


def paste(page, field: str, text: str) -> None:
    """`text` into the field as a script would put it, past the field's maxlength (the page's
    Python must bound what it reads, whatever the markup allows)."""
    page.evaluate(SET_VALUE, [field, text])


@pytest.mark.parametrize("site", ["anilist", "kitsu"])
def test_a_pasted_megabyte_as_a_username(app: Session, site: str) -> None:
    """The manual and API sources get hostile typed input too: a clear, short message, the
    input kept, no long task, no markup run."""
    page = app.page
    open_sources(page)
    paste(page, f"{site}-user", PASTED)
    outcome = outcome_of(page, lambda: page.click(f"#{site}-form button"))
    check("is not a", outcome)
    assert len(outcome.error) < 400
    assert page.input_value(f"#{site}-user") == PASTED
    assert page.evaluate("() => window.pwned") is None


def test_a_pasted_megabyte_in_the_title_search(app: Session) -> None:
    page = app.page
    open_sources(page)
    page.evaluate(LONGEST_TASK_MS)  # forget the tasks before
    paste(page, "search-input", PASTED)  # words no title holds together: no hits
    paste(page, "search-input", "a " * 500_000)  # a word of most titles, half a million times
    paste(page, "search-input", "madoka " * 150_000)
    page.wait_for_function(
        "() => document.querySelector('#search-results li')?.textContent.includes('Madoka')"
    )
    longest = page.evaluate(LONGEST_TASK_MS)
    assert longest < FREEZE_MS, f"the page froze for {longest:.0f} ms"
    assert page.evaluate("() => window.pwned") is None
    paste(page, "search-input", "")
