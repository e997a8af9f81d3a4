"""Suite-wide ordering: browser tests run last.

Playwright's sync API keeps an asyncio event loop running in the main thread for the whole
session once the browser fixture starts, after which `asyncio.run` in ordinary tests fails
("cannot be called from a running event loop").
"""

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)  # stable
