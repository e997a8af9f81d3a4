"""Browser fixtures: dist/ built and served on 127.0.0.1, one Debian Chromium for the session,
AniList and Kitsu answered from recorded responses through Playwright routing, and every request
logged.

ANIMEREC_MODELS=DIR builds the site with another models folder (e.g. while none is committed).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest.mock import patch
from urllib.parse import urlsplit

import pytest

from tools import dist
from tools.browser import CHROMIUM, FLAGS
from tools.serve import serve_in_thread

from .kitsu_routes import route_kitsu

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CHROMIUM_LOGS = ROOT / "build"  # tools/run_tests.py reads them
SHARED = ROOT.parent / "shared" / "fixtures"
BOOT_TIMEOUT_MS = 90_000
RUN_TIMEOUT_MS = 60_000
ANILIST_API = "https://graphql.anilist.co/"
COVER_CDN = "https://s4.anilist.co/"
ALLOWED_HOSTS = {"127.0.0.1", "graphql.anilist.co", "s4.anilist.co", "kitsu.app"}
GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)

# username → (HTTP status, body, extra headers); "offline" aborts the request instead.
WHERE = [{"line": 3, "column": 3}]
ANILIST_ANSWERS = {
    "evanalxen": (200, json.loads((FIXTURES / "anilist" / "list-evanalxen.json").read_text()), {}),
    "nobody_here": (404, {"errors": [{"message": "User not found", "status": 404,
                                      "locations": WHERE}],
                          "data": {"MediaListCollection": None}}, {}),
    "secretive": (404, {"errors": [{"message": "Private User", "status": 404, "locations": WHERE}],
                        "data": {"MediaListCollection": None}}, {}),
    "busy": (429, {"data": None, "errors": [{"message": "Too Many Requests.", "status": 429}]},
             {"Retry-After": "1", "X-RateLimit-Limit": "30", "X-RateLimit-Remaining": "0"}),
    "empty_list": (200, {"data": {"MediaListCollection": {"user": {"name": "empty_list"},
                                                          "lists": []}}}, {}),
}  # fmt: skip
HOSTILE_TITLE = '<img src=x onerror="window.pwned=1">Evil'
_LISTS = ANILIST_ANSWERS["evanalxen"][1]["data"]["MediaListCollection"]["lists"]
ANILIST_ANSWERS["hostile"] = (200, {"data": {"MediaListCollection": {
    "user": {"name": "hostile"},
    "lists": [{"status": "COMPLETED", "entries": [
        {**e, "media": {**e["media"], "title": {"romaji": HOSTILE_TITLE, "english": None}}}
        for lst in _LISTS for e in lst["entries"]
    ]}],
}}}, {})  # fmt: skip


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    models = Path(os.environ.get("ANIMEREC_MODELS", ROOT / "models"))
    if not any(models.glob("*/model.json")):
        pytest.fail(f"no model in {models}: train one (build.py train) or set ANIMEREC_MODELS")
    # ANIMEREC_PYTHON=main: every test on a build whose Python runs on the main thread.
    python = os.environ.get("ANIMEREC_PYTHON", dist.PYTHON_MODES[0])
    out = dist.build(ROOT / "dist", models, python=python)
    url, stop = serve_in_thread(out)
    yield url
    stop()


@pytest.fixture(scope="session")
def models_dir(site_url: str) -> Path:
    return ROOT / "dist" / "models" / "default"


@pytest.fixture(scope="session")
def browser():
    """One Chromium for this pytest process; what it prints (a crashing renderer's last words
    among it) goes to CHROMIUM_LOG, for tools/run_tests.py to quote when a renderer crashed."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with output_to(chromium_log()):
        playwright = sync_api.sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


def chromium_log() -> Path:
    """build/chromium-gw0.log etc.: one file per pytest-xdist worker."""
    return CHROMIUM_LOGS / f"chromium-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"


@contextmanager
def output_to(log: Path) -> Iterator[None]:
    """Playwright's driver, started inside, writes its own and the browser's output (its
    DEBUG=pw:browser log) to `log` for the rest of its life, not to pytest's capture (the
    driver's stderr is `sys.stderr`'s file)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out, patch.dict(os.environ, DEBUG="pw:browser"), \
            patch.object(sys, "stderr", out):
        yield


@dataclass
class Session:
    """One page of the site plus what it asked the network for."""

    page: object
    requests: list[str] = field(default_factory=list)
    anilist_calls: list[str] = field(default_factory=list)
    cover_calls: list[list[int]] = field(default_factory=list)
    kitsu_calls: list[str] = field(default_factory=list)  # the names asked for
    kitsu_pending: list = field(default_factory=list)  # Kitsu requests left unanswered

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if urlsplit(u).hostname not in ALLOWED_HOSTS]


def open_site(browser, url: str, init_script: str | None = None,
              before_load: Callable[[object], None] | None = None, **context_options) -> Session:
    """A fresh context on `url` with AniList routed, waiting until the page says it is ready;
    `before_load(page)` runs just before the page loads (a route or a listener of a test's
    own, in place of a second load); `context_options` go to Playwright's new_context
    (viewport, color_scheme, …). The service worker is not registered unless asked for
    (`service_workers="allow"`): its install fetches and stores the whole build again, CPU
    that only the tests of the worker need (tools/BENCH.md, "The suite's time")."""
    context = browser.new_context(**{"service_workers": "block", **context_options})
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    session = Session(page)
    page.on("request", lambda request: session.requests.append(request.url))
    page.on("console", lambda m: print(f"[console.{m.type}] {m.text}"))

    def answer_anilist(route) -> None:
        variables = (route.request.post_data_json or {}).get("variables", {})
        if "ids" in variables:  # the covers of the shown titles (animerec.covers)
            answer_covers(route, variables["ids"], session)
            return
        name = variables.get("name", "")
        session.anilist_calls.append(name)
        if name == "offline":
            route.abort("internetdisconnected")
            return
        status, body, headers = ANILIST_ANSWERS.get(name, ANILIST_ANSWERS["nobody_here"])
        route.fulfill(status=status, json=body, headers={
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Expose-Headers": "Retry-After, X-RateLimit-Remaining", **headers,
        })  # fmt: skip

    page.route(ANILIST_API + "**", answer_anilist)
    page.route(ANILIST_API.rstrip("/"), answer_anilist)
    route_kitsu(page, session.kitsu_calls, session.kitsu_pending)
    page.route(COVER_CDN + "**", lambda route: route.fulfill(body=GIF, content_type="image/gif"))
    if before_load:
        before_load(page)
    page.goto(url)
    # The page takes input once the catalog is in; the tests want the model loaded too.
    page.wait_for_selector("body.ready, body.failed", timeout=BOOT_TIMEOUT_MS)
    page.wait_for_selector("#backend[data-backend], body.failed", timeout=BOOT_TIMEOUT_MS)
    if page.is_visible("#error"):
        pytest.fail(f"the page failed to load: {page.inner_text('#error')}")
    return session


def answer_covers(route, ids: list[int], session: Session) -> None:
    """A faked AniList `Page { media { idMal coverImage } }`: a cover for every even id, none
    for odd ones (so both the image and the letter tile show)."""
    session.cover_calls.append(list(ids))
    media = [
        {"idMal": i, "coverImage": {"medium": f"{COVER_CDN}file/cover/{i}.jpg", "large": None,
                                    "color": "#e4a15d"}}
        for i in ids if i % 2 == 0
    ]  # fmt: skip
    route.fulfill(json={"data": {"Page": {"media": media}}},
                  headers={"Access-Control-Allow-Origin": "*"})  # fmt: skip


def open_sources(page) -> None:
    """Unfold the source forms if a previous answer folded them into the "Your list" bar."""
    if page.is_hidden("#source-forms"):
        page.click("#change-list")


def open_filters(page) -> None:
    if page.is_hidden("#filter-panel"):
        page.click("#filters-toggle")


def run_and_wait(page, action) -> None:
    """Do `action` (which starts a recommendation request) and wait until it has finished."""
    before = int(page.evaluate("document.body.dataset.runs || 0"))
    action()
    page.wait_for_function(  # a function, not an expression string: the CSP forbids eval
        "(n) => Number(document.body.dataset.runs || 0) > n", arg=before, timeout=RUN_TIMEOUT_MS
    )


def card_ids(page) -> list[int]:
    return [int(x) for x in page.eval_on_selector_all(
        "#recommendations li.card", "cards => cards.map(c => c.dataset.malId)")]  # fmt: skip


def shown_ids(page) -> set[int]:
    """The titles of every card on the page: the cards and the shelves."""
    return {int(x) for x in page.eval_on_selector_all(
        "#results ol.cards li.card", "cards => cards.map(c => c.dataset.malId)")}  # fmt: skip
