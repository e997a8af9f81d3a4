"""The page in a Chromium whose sampling heap profiler is on (tools/browser.py): every renderer
sampled, about every 4 kB allocated. It killed the page's renderer on every such load while
Pyodide ran the page's Python on a WebAssembly JSPI stack (README, "Tests"); the page boots and
answers a list."""

from __future__ import annotations

import pytest

from tools.browser import CHROMIUM, FLAGS, HEAP_PROFILER_OFF, HEAP_PROFILER_ON

from .conftest import card_ids, open_site
from .test_site import XML, upload

pytestmark = pytest.mark.browser


def test_the_page_survives_chromiums_sampling_heap_profiler(browser, site_url: str) -> None:
    flags = [flag for flag in FLAGS if flag != HEAP_PROFILER_OFF] + [HEAP_PROFILER_ON]
    profiled = browser.browser_type.launch(executable_path=CHROMIUM, args=flags)
    died: list[bool] = []

    def listen(page) -> None:
        page.on("crash", lambda _: died.append(True))

    try:
        try:
            session = open_site(profiled, site_url, before_load=listen)
            upload(session.page, XML)
            assert session.page.is_hidden("#error"), session.page.inner_text("#error")
            assert card_ids(session.page)
        except Exception:  # a dead renderer ends in Playwright's error
            if not died:
                raise
        if died:  # said without Playwright's words: a crash here is this test's failure, not
            # one for tools/run_tests.py to run again
            pytest.fail("the page's renderer died under the heap profiler", pytrace=False)
    finally:
        profiled.close()
