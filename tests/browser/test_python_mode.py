"""Where the page's Python runs (web/js/python-mode.js): on the main thread by default; in
PyScript's worker where a page asks for it (the module's hook) and is cross-origin isolated, as
Chromium is here. The same list gives the same cards either way."""

from __future__ import annotations

import pytest

from .conftest import card_ids, open_site
from .test_site import N_CARDS, WORKER_PYTHON, XML, upload

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


def test_python_runs_on_the_main_thread_or_in_a_worker_with_the_same_cards(
    browser, site_url
) -> None:
    main = cards_in(browser, site_url, None)
    worker = cards_in(browser, site_url, WORKER_PYTHON)
    assert worker[:2] == ("worker", True)
    assert main[:2] == ("main", False)
    assert len(worker[2]) == N_CARDS
    assert worker[2] == main[2]
