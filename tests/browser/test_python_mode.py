"""Where the page's Python runs (web/js/python-mode.js): in PyScript's worker where the page is
cross-origin isolated, as Chromium is here; on the main thread where it is not (Safari), forced
here by the module's test hook. The same list gives the same cards either way."""

from __future__ import annotations

import pytest

from .conftest import card_ids, open_site
from .test_site import MAIN_THREAD_PYTHON, N_CARDS, XML, upload

pytestmark = pytest.mark.browser

IN_WORKER = "() => document.querySelector('script[type=py]').xworker !== undefined"


def cards_in(browser, site_url: str, init_script: str | None) -> tuple[str, bool, list[int]]:
    """The mode the page shows, whether PyScript runs its script in a worker, and the cards an
    export gets."""
    page = open_site(browser, site_url, init_script=init_script).page
    try:
        upload(page, XML)
        mode = page.evaluate("document.documentElement.dataset.python")
        return mode, page.evaluate(IN_WORKER), card_ids(page)
    finally:
        page.context.close()


def test_python_runs_in_a_worker_and_falls_back_to_the_main_thread(browser, site_url) -> None:
    worker = cards_in(browser, site_url, None)
    main = cards_in(browser, site_url, MAIN_THREAD_PYTHON)
    assert worker[:2] == ("worker", True)
    assert main[:2] == ("main", False)
    assert len(worker[2]) == N_CARDS
    assert worker[2] == main[2]
