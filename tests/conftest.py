"""Suite-wide ordering: browser tests run last, their longest modules first.

Playwright's sync API keeps an asyncio event loop running in the main thread for the whole
session once the browser fixture starts, after which `asyncio.run` in ordinary tests fails
("cannot be called from a running event loop"); with pytest's workers (tools/run_tests.py)
this holds per worker, which takes modules in this order.

The longest browser modules go first, so that the two workers end together rather than one
waiting on a long module the other picked up last (tools/BENCH.md, "The suite's time").
"""

import pytest

LONGEST = ("test_view.py", "test_hostile.py", "test_site.py", "test_controls.py",
           "test_limits.py", "test_share.py", "test_together.py")  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=order)  # stable: a module's tests stay together and in order


def order(item: pytest.Item) -> tuple[bool, int]:
    browser = item.get_closest_marker("browser") is not None
    longest = LONGEST.index(item.path.name) if browser and item.path.name in LONGEST else None
    return browser, len(LONGEST) if longest is None else longest
