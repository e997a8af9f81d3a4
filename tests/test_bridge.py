"""The page's Python reaches JavaScript only through the declared bridge (`web/py/bridge.py`)
and the network transport (`web/py/transport.py`, the fetch edge): no other module imports `js`,
so what the Python asks of the page's markup and globals is listed in one place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

WEB_PY = Path(__file__).resolve().parents[1] / "web" / "py"
ALLOWED = {"bridge.py", "transport.py"}


def imports_js(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "js" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "js":
            return True
    return False


def test_only_the_bridge_and_the_transport_import_js() -> None:
    importers = {p.name for p in WEB_PY.glob("*.py") if imports_js(p)}
    assert "bridge.py" in importers  # the check sees an import where there is one
    assert importers <= ALLOWED, f"{sorted(importers - ALLOWED)} import js directly"


PAGE_CALLS = Path(__file__).resolve().parents[1] / "web" / "js" / "page-calls.js"
CALLED = re.compile(r"""\bcall(?:_async)?\(\s*"(\w+)"|\bcall(?:_async)?\(\s*'(\w+)'""")


def page_call_names() -> set[str]:
    """The names page-calls.js answers for itself: the keys of its PAGE table."""
    text = PAGE_CALLS.read_text(encoding="utf-8")
    table = text[text.index("const PAGE = {") : text.index("\n};", text.index("const PAGE = {"))]
    return set(re.findall(r"^  (\w+): ", table, flags=re.MULTILINE))


def test_every_page_call_the_python_makes_is_one_the_page_answers() -> None:
    """bridge.py calls the page by name (web/js/page-calls.js): a name the page does not
    answer would fail only when the page runs it."""
    answered = page_call_names()
    assert {"catalog", "predict", "listen"} <= answered  # the parse finds the table
    called = {a or b for p in WEB_PY.glob("*.py") for a, b in CALLED.findall(p.read_text())}
    assert "backend" in called  # and the calls
    assert called <= answered, f"{sorted(called - answered)} are not page calls"
