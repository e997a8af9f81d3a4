"""Where the page's Python runs (web/js/python-mode.js): where the build says (`--python`, in
PyScript's worker unless asked), or where a page asks for it (the module's hook), in PyScript's
worker only where the page is cross-origin isolated, as Chromium is here. The same list gives
the same cards either way."""

from __future__ import annotations

import pytest

from tools import dist

from .conftest import BOOT_TIMEOUT_MS, card_ids, open_site
from .test_site import IN_WORKER, N_CARDS, WORKER_PYTHON, XML, upload

pytestmark = pytest.mark.browser

# The bytes the loader's "Python runtime" row counted (web/js/loader.js), in MB.
RUNTIME_MB = """() => parseFloat([...document.querySelectorAll('#progress li')]
  .find((row) => row.textContent.startsWith('Python runtime'))
  .querySelector('.bytes').textContent)"""


def stamped_for_the_worker(route) -> None:
    """The page as `build.py build --python worker` stamps it (a worker build's own page,
    `ANIMEREC_PYTHON=worker`, as it is)."""
    page = route.fetch()
    html = page.text()
    if dist.PYTHON_META in html:
        html = dist.python_default(html, "worker")
    route.fulfill(response=page, body=html)


def cards_in(browser, site_url: str, hook: str | None) -> tuple[str, bool, list[int], float]:
    """On a page built with `--python worker` and the hook set to `hook` (unset if None): the
    mode the page shows, whether PyScript runs its script in a worker, the cards an export
    gets, and the MB the "Python runtime" row counted."""
    page = open_site(
        browser,
        site_url,
        init_script=hook and f"globalThis.animerecWorkerPython = {hook};",
        before_load=lambda p: p.route(site_url, stamped_for_the_worker),
    ).page
    try:
        upload(page, XML)
        mode = page.evaluate("document.documentElement.dataset.python")
        return mode, page.evaluate(IN_WORKER), card_ids(page), page.evaluate(RUNTIME_MB)
    finally:
        page.context.close()


def test_python_runs_on_the_main_thread_or_in_a_worker_with_the_same_cards(
    browser, site_url
) -> None:
    """A page built with `--python worker` runs its Python in PyScript's worker, and on the
    main thread where the page sets the hook to false; the same list gets the same cards.
    (The hook set to true on a main-thread build: the next test; a build's own mode with no
    hook: `test_site.py::test_python_runs_where_the_build_says`.)"""
    worker = cards_in(browser, site_url, None)
    main = cards_in(browser, site_url, "false")
    assert worker[:2] == ("worker", True)
    assert main[:2] == ("main", False)
    assert len(worker[2]) == N_CARDS
    assert worker[2] == main[2]
    # Pyodide's wasm and stdlib alone are over 2 MB compressed, in either mode.
    assert main[3] > 2 and worker[3] > 2


def test_python_that_cannot_start_in_the_worker_says_so_on_the_page(browser, site_url) -> None:
    """Python cannot start (the page's package is gone): PyScript only logs that from its
    worker; python-mode.js shows it as a `.py-error` box, as PyScript shows the page script's
    errors on the main thread. The hook set to true is what sends it to the worker on a
    main-thread build."""
    context = browser.new_context(service_workers="block")
    context.add_init_script(WORKER_PYTHON)
    context.route("**/wheels/**", lambda route: route.fulfill(status=404, body="gone"))
    try:
        page = context.new_page()
        page.goto(site_url)
        box = page.wait_for_selector(".py-error", timeout=BOOT_TIMEOUT_MS)
        assert "Unable to fetch" in box.text_content()
        assert "/wheels/" in box.text_content()
        assert page.evaluate("document.documentElement.dataset.python") == "worker"
        assert page.evaluate(IN_WORKER)
    finally:
        context.close()


# A second PyScript worker on the page (as the bench's re-rank probe adds): it calls the page
# (a mark) through the same `xworker.sync.call` as the page's Python. Its script is served at
# SECOND_SCRIPT (a worker's inline text would be fetched from a blob:, which connect-src refuses).
SECOND_SCRIPT = "second.py"
SECOND_WORKER = """(src) => {
  const script = document.createElement("script");
  script.type = "py";
  script.src = src;
  script.setAttribute("worker", "");
  script.setAttribute("config", "pyscript.json");
  document.body.append(script);
}"""


def test_a_second_python_worker_leaves_the_page_its_events(browser, site_url) -> None:
    """The page's events go to the worker whose Python asked for them (web/js/page-calls.js'
    workerCall): a second worker that boots later, and calls the page, takes none of them, and
    an upload after it still gets its cards."""
    code = 'from polyscript import xworker\nxworker.sync.call("mark", "second")\n'
    page = open_site(
        browser,
        site_url,
        before_load=lambda p: p.route(
            f"**/{SECOND_SCRIPT}",
            lambda route: route.fulfill(body=code, content_type="text/x-python"),
        ),
    ).page
    try:
        assert page.evaluate(IN_WORKER)
        page.evaluate(SECOND_WORKER, SECOND_SCRIPT)
        page.wait_for_function("() => performance.getEntriesByName('animerec:second').length",
                               timeout=BOOT_TIMEOUT_MS)  # fmt: skip
        upload(page, XML)
        assert len(card_ids(page)) == N_CARDS
    finally:
        page.context.close()
