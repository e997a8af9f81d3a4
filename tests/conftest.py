"""Suite-wide ordering: browser tests run last, their longest modules first.

Playwright's sync API keeps an asyncio event loop running in the main thread for the whole
session once the browser fixture starts, after which `asyncio.run` in ordinary tests fails
("cannot be called from a running event loop"); with pytest's workers (tools/run_tests.py)
this holds per worker, which takes modules in this order.

The longest browser modules go first, so that the two workers end together rather than one
waiting on a long module the other picked up last (tools/BENCH.md, "The suite's time").

The modules that import TensorFlow (about 5 s of CPU in each process that does) come first and
are one unit of work for pytest's workers (`pytest_xdist_make_scheduler`), so one worker imports
it, not both.
"""

import pytest
from xdist.scheduler import LoadFileScheduling

LONGEST = ("test_view.py", "test_hostile.py", "test_controls.py", "test_site.py",
           "test_limits.py", "test_together.py", "test_lighthouse.py", "test_security.py",
           "test_fresh.py")  # fmt: skip
TENSORFLOW = ("tests/test_converter_pipeline.py", "tests/test_dlae.py", "tests/test_atlas.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=order)  # stable: a module's tests stay together and in order


def order(item: pytest.Item) -> tuple[bool, bool, int]:
    browser = item.get_closest_marker("browser") is not None
    tensorflow = module(item.nodeid) in TENSORFLOW
    longest = LONGEST.index(item.path.name) if browser and item.path.name in LONGEST else None
    return browser, not tensorflow, len(LONGEST) if longest is None else longest


def module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


class TensorFlowTogether(LoadFileScheduling):
    """`--dist loadfile`, with the TensorFlow modules as one file."""

    def _split_scope(self, nodeid: str) -> str:
        return "tensorflow" if module(nodeid) in TENSORFLOW else module(nodeid)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log) -> LoadFileScheduling | None:
    return TensorFlowTogether(config, log) if config.getvalue("dist") == "loadfile" else None
