"""End to end in Chromium: each profile source gives recommendations not already on the list,
the model runs on WebGL and matches Python, errors keep the visitor's input, and nothing but
AniList is contacted. One page load serves most tests (Pyodide boots in seconds): it opens from a
shared link, whose answer is looked at once, as it opens (`open_link`)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from animerec.parsers import parse_profile_file
from animerec.profile import Status

from tools.browser import CHROMIUM, FLAGS
from tools.serve import serve_in_thread

from .conftest import (
    BOOT_TIMEOUT_MS,
    HOSTILE_TITLE,
    ROOT,
    RUN_TIMEOUT_MS,
    SHARED,
    Session,
    card_ids,
    open_site,
    open_sources,
    run_and_wait,
)

pytestmark = pytest.mark.browser

XML = SHARED / "mal-export-xinil-evanalxen.xml"
XML_V110 = SHARED / "mal-export-v110-igorv.xml"
LIST_JSON = SHARED / "mal-malappinfo-2016-4535-entries.json"
N_CARDS = 50  # Filters().n: the page's default number of results
# Run the page's Python in PyScript's worker (web/js/python-mode.js's WORKER_HOOK).
WORKER_PYTHON = "globalThis.animerecWorkerPython = true;"
IN_WORKER = "() => document.querySelector('script[type=py]').xworker !== undefined"
# TF.js on the main thread, as where workers have no WebGL (web/js/loader.js' MAIN_THREAD_HOOK).
MAIN_THREAD_TF = "globalThis.animerecModelOnMain = true;"
# [where TF.js runs the page's model, its backend] (web/js/remote-model.js, model.js).
MODEL_AT = "async () => [animerec.model.thread, (await animerec.model.memory()).backend]"
# A Chromium with no WebGL anywhere: no GPU process and no software one. (--disable-webgl and
# --disable-3d-apis leave an OffscreenCanvas its WebGL, on either thread, in Chromium 156.)
NO_WEBGL = ("--disable-gpu", "--disable-software-rasterizer")


@dataclass(frozen=True)
class Seen:
    """What a page showed of its recommendations."""

    error: str | None  # the error's text, None if hidden
    ids: list[int]
    planned: list[str]  # the text of the cards flagged as on the plan-to-watch list

    @classmethod
    def on(cls, page) -> Seen:
        error = None if page.is_hidden("#error") else page.inner_text("#error")
        planned = page.eval_on_selector_all("li.card.planned", "cs => cs.map(c => c.textContent)")
        return cls(error, card_ids(page), planned)

    def assert_off_list(self, on_list: set[int]) -> None:
        assert self.error is None, self.error
        assert len(self.ids) == N_CARDS
        assert not set(self.ids) & on_list
        assert all("plan-to-watch" in text for text in self.planned)


def open_link(browser, url: str, field: str, init_script: str | None = None,
              before_load: Callable[[object], None] | None = None) -> Session:
    """`open_site` on a shared link, until its request has ended; what it showed
    (`session.link`: the cards, the name in the source's `field`, the requests off the origin
    so far) is kept then, for a test to look at whichever tests used the page before it."""
    session = open_site(browser, url, init_script=init_script, before_load=before_load)
    page = session.page
    page.wait_for_function("() => Number(document.body.dataset.runs || 0) > 0",
                           timeout=RUN_TIMEOUT_MS)  # fmt: skip
    session.link = (Seen.on(page), page.input_value(field), session.foreign_requests())
    return session


def assert_link_opened(session: Session, name: str, on_list: set[int]) -> None:
    """The shared link of `name` opened recommendations off `on_list` with the name in its
    field, and nothing but the allowed hosts was asked."""
    seen, shown, foreign = session.link
    assert shown == name
    seen.assert_off_list(on_list)
    assert foreign == []


@pytest.fixture(scope="module")
def app(browser, site_url) -> Iterator[Session]:
    """The module's page, opened from a shared link (`test_shared_link_opens_recommendations`);
    its page script runs the interpreter's probes once booted (`with_probes`)."""
    session = open_link(browser, site_url + "?anilist=evanalxen", "#anilist-user",
                        before_load=lambda p: p.context.route("**/py/main.py", with_probes))
    yield session
    session.page.context.close()


def upload(page, path: Path) -> None:
    open_sources(page)
    page.set_input_files("#file-input", str(path))
    run_and_wait(page, lambda: page.click("#file-form button[type=submit]"))


def ask_anilist(page, name: str) -> None:
    open_sources(page)
    page.fill("#anilist-user", name)
    run_and_wait(page, lambda: page.click("#anilist-form button[type=submit]"))


def watched_ids(path: Path) -> set[int]:
    """Ids on the list other than plan-to-watch (which the ranking may show, flagged)."""
    profile = parse_profile_file(path.read_bytes(), path.name)
    return {e.mal_id for e in profile.entries if e.status is not Status.PLAN_TO_WATCH}


def assert_recommends_off_list(page, on_list: set[int]) -> None:
    Seen.on(page).assert_off_list(on_list)


def test_python_runs_where_the_build_says(app: Session) -> None:
    """With no hook set, the page's Python runs where its build stamped it: on the main thread
    unless built with `--python worker` (test_python_mode.py: the hook, a worker build)."""
    stamped = app.page.evaluate("document.querySelector('meta[name=animerec-python]').content")
    assert app.page.evaluate("document.documentElement.dataset.python") == stamped
    assert app.page.evaluate(IN_WORKER) == (stamped == "worker")


def test_boots_on_webgl_in_the_models_worker(app: Session) -> None:
    assert app.page.evaluate(MODEL_AT) == ["worker", "webgl"]
    assert app.page.evaluate("typeof tf") == "undefined"  # TF.js' script never ran here
    assert app.page.get_attribute("#backend", "data-backend") == "webgl"


# When the page asked for its heavy files, against its first contentful paint: the stdlib,
# Pyodide's lock file and TF.js, which this page fetches in either mode (the model's files are
# the download worker's requests, not in this page's timeline).
HEAVY = ("vendor/pyodide/python_stdlib.zip", "vendor/pyodide/pyodide-lock.json",
         "vendor/tfjs/tf.es2017.min.js")  # fmt: skip
ASKED_AT = """(heavy) => {
  const [paint] = performance.getEntriesByName("first-contentful-paint");
  const asked = performance.getEntriesByType("resource")
    .filter((entry) => heavy.some((path) => entry.name.endsWith(path)))
    .map((entry) => [new URL(entry.name).pathname, entry.startTime]);
  return [paint.startTime, Object.fromEntries(asked)];
}"""


def test_heavy_files_are_asked_for_after_the_first_paint(app: Session) -> None:
    """Lighthouse counts what arrives before the largest paint as blocking it (tools/BENCH.md,
    "The first paint before the heavy files"): none of these is asked for before the paint."""
    paint, asked = app.page.evaluate(ASKED_AT, list(HEAVY))
    assert sorted(path.rsplit("/", 1)[1] for path in asked) == sorted(
        path.rsplit("/", 1)[1] for path in HEAVY
    )
    assert all(start >= paint for start in asked.values()), (paint, asked)


def test_model_matches_python(app: Session, models_dir: Path) -> None:
    parity = json.loads((models_dir / "parity.json").read_text())
    tolerance = parity.get("tolerance", 1e-3)
    for case in parity["cases"]:
        got = app.page.evaluate(
            """async ([indices, values, wanted]) => {
                const row = new Float32Array(animerec.model.inputSize);
                indices.forEach((i, k) => { row[i] = values[k]; });
                const out = await animerec.model.predict(row);
                return wanted.map((i) => out[i]);
            }""",
            [case["indices"], case["values"], case["top_indices"] + case["probe_indices"]],
        )
        want = case["top_values"] + case["probe_values"]
        worst = max(abs(a - b) for a, b in zip(got, want, strict=True))
        assert worst <= tolerance, f"{case['name']}: off by {worst}"


def test_batched_rows_match_single_calls(app: Session, models_dir: Path) -> None:
    """predictBatch (the explanations' one call; its rows are padded to a few counts) gives
    each row what predict gives it alone, and as many rows as it was given."""
    cases = json.loads((models_dir / "parity.json").read_text())["cases"]
    rows = [(c["indices"], c["values"]) for c in cases][:3]
    rows.append((rows[0][0][1:], rows[0][1][1:]))  # a list less one title, as explanations do
    worst, length, expected = app.page.evaluate(
        """async (rows) => {
            const n = animerec.model.inputSize;
            const flat = new Float32Array(rows.length * n);
            rows.forEach(([indices, values], r) => {
                indices.forEach((i, k) => { flat[r * n + i] = values[k]; });
            });
            const batch = await animerec.model.predictBatch(flat, rows.length);
            let worst = 0;
            for (let r = 0; r < rows.length; r++) {
                const one = await animerec.model.predict(flat.slice(r * n, (r + 1) * n));
                one.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - batch[r * n + i])); });
            }
            return [worst, batch.length, rows.length * n];
        }""",
        rows,
    )
    assert length == expected
    assert worst <= 1e-4


@pytest.mark.parametrize("path", [XML, XML_V110, LIST_JSON], ids=["xml", "xml-v110", "list-json"])
def test_file_upload_recommends(app: Session, path: Path) -> None:
    upload(app.page, path)
    assert_recommends_off_list(app.page, watched_ids(path))
    assert path.name in app.page.inner_text("#file-name")


def test_gzipped_export(app: Session, tmp_path: Path) -> None:
    path = tmp_path / "animelist.xml.gz"
    path.write_bytes(gzip.compress(XML_V110.read_bytes()))
    upload(app.page, path)
    assert_recommends_off_list(app.page, watched_ids(XML_V110))


SEARCHED = "(q) => document.querySelector('#search-results li')?.textContent.toLowerCase()" \
           ".includes(q)"  # fmt: skip


def unrate_all(page) -> None:
    """Remove every title rated on the page, as a visitor does, one "Remove" at a time."""
    while n := page.locator("#rated li").count():
        page.click("#rated li >> nth=0 >> button.remove")
        page.wait_for_function("(n) => document.querySelectorAll('#rated li').length < n", arg=n)


def test_rating_nothing_says_how_to_start(app: Session) -> None:
    """The manual source's error: sent with no title rated, it says what to do, and the picker
    still works after it."""
    page = app.page
    open_sources(page)
    unrate_all(page)  # titles an earlier test rated
    run_and_wait(page, lambda: page.click("#rate-form button[type=submit]"))
    assert "add at least one score" in page.inner_text("#error")
    assert page.locator("#recommendations li.card").count() == 0
    page.fill("#search-input", "madoka")
    page.wait_for_function(SEARCHED, arg="madoka")


def test_rate_a_few_titles(app: Session) -> None:
    page = app.page
    open_sources(page)
    for n, query in enumerate(("madoka", "steins", "cowboy bebop"), 1):
        page.fill("#search-input", query)
        page.wait_for_function(SEARCHED, arg=query)  # the hits for this query, not the last one's
        page.select_option("#search-results li >> nth=0 >> select", "9")
        page.click("#search-results li >> nth=0 >> button.add")
        page.wait_for_function("(n) => document.querySelectorAll('#rated li').length >= n", arg=n)
    rated = {
        int(x) for x in page.eval_on_selector_all("#rated li", "r => r.map(x => x.dataset.malId)")
    }
    assert len(rated) == 3
    run_and_wait(page, lambda: page.click("#rate-form button[type=submit]"))
    assert_recommends_off_list(page, rated)


def test_anilist_user(app: Session) -> None:
    page = app.page
    ask_anilist(page, "evanalxen")
    assert_recommends_off_list(page, watched_ids(XML))
    assert "anilist=evanalxen" in page.url
    covers = page.eval_on_selector_all("#your-list img", "imgs => imgs.map(i => i.src)")
    assert covers and all(c.startswith("https://s4.anilist.co/") for c in covers)
    assert page.input_value("#anilist-user") == "evanalxen"


def test_titles_are_text_not_html(app: Session) -> None:
    ask_anilist(app.page, "hostile")
    assert HOSTILE_TITLE in app.page.inner_text("#your-list")
    assert app.page.evaluate("window.pwned") is None
    assert app.page.query_selector("#your-list img[src='x']") is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nobody_here", "no user called"),
        ("secretive", "private"),
        ("busy", "Try again in 1 s"),
        ("offline", "could not be reached"),
        ("empty_list", "empty"),
    ],
)
def test_anilist_errors_keep_the_name(app: Session, name: str, message: str) -> None:
    ask_anilist(app.page, name)
    assert message.lower() in app.page.inner_text("#error").lower()
    assert app.page.input_value("#anilist-user") == name
    assert app.page.is_hidden("#results")


def test_rate_limit_retries_once(app: Session) -> None:
    app.anilist_calls.clear()
    ask_anilist(app.page, "busy")
    assert app.anilist_calls == ["busy", "busy"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<?xml version='1.0'?><myanimelist><anime><series_animedb_id>1", "broken"),
        (
            b"<myanimelist><myinfo><user_export_type>1</user_export_type></myinfo></myanimelist>",
            "empty",
        ),
        (
            b"<myanimelist><anime><series_animedb_id>99999999</series_animedb_id><my_status>Completed"
            b"</my_status><my_score>9</my_score></anime></myanimelist>",
            "model knows",
        ),
        (b"not a list at all", "not a MyAnimeList export"),
    ],
    ids=["malformed", "empty", "unknown-titles", "not-a-list"],
)
def test_file_errors_keep_the_file(app: Session, tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "my list.xml"
    path.write_bytes(content)
    upload(app.page, path)
    assert message.lower() in app.page.inner_text("#error").lower()
    assert "my list.xml" in app.page.inner_text("#file-name")
    assert app.page.is_hidden("#results")


def test_only_anilist_leaves_localhost(app: Session) -> None:
    assert app.requests, "no requests were recorded"
    assert app.foreign_requests() == []
    assert any(u.startswith("https://graphql.anilist.co") for u in app.requests)


def test_shared_link_opens_recommendations(app: Session) -> None:
    assert_link_opened(app, "evanalxen", watched_ids(XML))


def test_takes_a_list_while_the_model_loads_and_falls_back_to_wasm_without_webgl(
    browser, site_url: str
) -> None:
    """The page is ready for input once the catalog is in: a list sent while the model's
    weights are still on their way waits for them, then gets its recommendations. Here without
    WebGL, in the model's worker or on the page, so the model runs on TF.js's wasm backend on
    the main thread (one boot for what were two tests, `test_wasm_fallback_without_webgl` and
    `test_takes_a_list_while_the_model_loads`)."""
    no_webgl = browser.browser_type.launch(executable_path=CHROMIUM, args=[*FLAGS, *NO_WEBGL])
    context = no_webgl.new_context(service_workers="block")  # as open_site: not what this tests
    held = []
    context.route("**/models/default/*.bin", lambda route: held.append(route))  # answered below
    try:
        page = context.new_page()
        page.goto(site_url)
        page.wait_for_selector("body.ready", timeout=BOOT_TIMEOUT_MS)
        assert page.evaluate("() => animerec.model") is None
        page.set_input_files("#file-input", str(XML))
        page.click("#file-form button[type=submit]")
        page.wait_for_function(
            "() => document.getElementById('status').textContent.includes('Waiting for the model')"
        )
        assert page.query_selector("#recommendations li.card") is None
        assert len(held) == 1
        run_and_wait(page, held[0].continue_)
        assert page.evaluate(MODEL_AT) == ["main", "wasm"]
        assert page.get_attribute("#backend", "data-backend") == "wasm"
        assert_recommends_off_list(page, watched_ids(XML))
    finally:
        no_webgl.close()


def reboots_and_recommends(page) -> None:
    """Reload, wait for the page and the model, and recommend for the export."""
    page.reload()
    page.wait_for_selector("body.ready", timeout=BOOT_TIMEOUT_MS)
    page.wait_for_selector("#backend[data-backend]", timeout=BOOT_TIMEOUT_MS)
    upload(page, XML)
    assert_recommends_off_list(page, watched_ids(XML))


def test_offline_and_with_the_server_gone_after_the_first_visit(browser, site_url: str) -> None:
    """Once the first list has been answered, the service worker holds this build. With the
    site's server gone while the browser still says it is online (a network that answers
    nothing), a reload boots the page and the model from it: this build's page, and with it
    Pyodide's wasm too, which online it otherwise leaves to the HTTP cache (web/sw.js). Then
    offline, the same. The page comes from a server of its own, on the build `site_url` made.
    (One first visit for the two cut-offs, the server's first: a cut-off it follows would
    leave `lastPageCutOff` set.)"""
    url, stop = serve_in_thread(ROOT / "dist")
    page = open_site(browser, url, service_workers="allow").page
    try:
        upload(page, XML)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        stop()
        assert page.evaluate("navigator.onLine")
        reboots_and_recommends(page)
        page.context.set_offline(True)
        reboots_and_recommends(page)
    finally:
        page.context.close()


# Probes of the interpreter that runs the page's Python, on the main thread or in PyScript's
# worker: appended to the page script (py/main.py, after its boot), each hands its finding to
# the page through the page's own bridge (`bridge.page()`).
PYSCRIPT_PROBE = """
import sys
loaded = "pyscript" in sys.modules
import pyscript
bridge.page().__pyscript = json.dumps([loaded, callable(pyscript.display)])
"""
BYTECODE_PROBE = """
import importlib.util, json, sys, traceback
def origin(name):
    spec = sys.modules[name].__spec__
    if spec.origin.endswith(".pyc"):  # sourceless, in the stdlib zip
        return "pyc"
    try:  # beside the source: used if there and of this Python
        with open(spec.cached or "", "rb") as f:
            return "pyc" if f.read(4) == importlib.util.MAGIC_NUMBER else "stale"
    except OSError:
        return "source"
names = ["urllib.parse", "xml.etree.ElementTree", "json.decoder", "pipeline", "views"]
names += [n for n in sys.modules if n.startswith("animerec")]
from animerec.fresh import FRESH_FORMAT, FreshModel
try:
    FreshModel.from_json({"format": FRESH_FORMAT})  # no titles: a KeyError in the wheel
except KeyError:
    error = traceback.format_exc()
docs = [n for n in names if sys.modules[n].__doc__]
bridge.page().__bytecode = json.dumps({"origins": {n: origin(n) for n in names}, "docs": docs,
                                       "error": error})
"""


def with_probes(route) -> None:
    """The page script with the probes after it (the pyscript one first: it looks at what the
    page imported before any probe did)."""
    script = route.fetch().text()
    route.fulfill(body=script + PYSCRIPT_PROBE + BYTECODE_PROBE, content_type="text/x-python")


def probe_finding(session: Session, name: str) -> object:
    """What the probe that sets `window[name]` found, once it has."""
    session.page.wait_for_function("(name) => window[name]", arg=name, timeout=30_000)
    return json.loads(session.page.evaluate("(name) => window[name]", name))


def test_pyscript_package_is_not_imported_at_start_but_imports_on_demand(app: Session) -> None:
    """tools/dist.py drops PyScript's eager `import pyscript`: the page never uses it; a script
    that does still gets it."""
    assert probe_finding(app, "__pyscript") == [False, True]


def test_imports_load_precompiled_bytecode(app: Session) -> None:
    """tools/precompile.py's bytecode is what the page runs (stdlib zip, wheel, web/py), without
    sources and docstrings (-OO); a traceback through it still names file, line and function."""
    probe = probe_finding(app, "__bytecode")
    origins = probe["origins"]
    assert len(origins) > 10
    assert set(origins.values()) == {"pyc"}, origins
    assert probe["docs"] == []
    assert 'File "animerec/fresh.py", line ' in probe["error"], probe["error"]
    assert ", in from_json_steps" in probe["error"] and "KeyError: 'titles'" in probe["error"]
