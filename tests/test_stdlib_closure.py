"""The stdlib the site ships (tools/stdlib_closure.py): the rules on small made-up zips, then the
real zip the build makes, against Pyodide's own and the dynamic trace."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest

from tools import dist, stdlib_closure
from tools.stdlib_closure import closure, imports_in_source, imports_in_text, shipped


def test_imports_anywhere_relative_and_possible_submodules() -> None:
    source = """
import a.b as ab, c
from . import sibling
from ..up import thing
from pkg import maybe_module, name as alias
try:
    import optional
except ImportError:
    optional = None
def later():
    from lazy.mod import *
    return importlib.import_module("dyn.named")
TABLE = {"expat": "xml.sax.expatreader", "prose": "not a module name"}
"""
    found = imports_in_source(source, "top.inner.mod", is_package=False)
    assert {"a.b", "c", "top.inner", "top.inner.sibling", "top.up", "top.up.thing",
            "pkg", "pkg.maybe_module", "pkg.name", "optional", "lazy.mod", "lazy.mod.*",
            "dyn.named", "xml.sax.expatreader"} <= found  # fmt: skip
    assert "not a module name" not in found
    assert imports_in_source("from . import x", "pkg", is_package=True) == {"pkg", "pkg.x"}


def test_a_modules_script_block_does_not_count() -> None:
    source = """
import kept
if __name__ == "__main__":
    import doctest
else:
    import also_kept
"""
    assert imports_in_source(source, "heapq", is_package=False) == {"kept", "also_kept"}


def test_python_in_js_strings_counts() -> None:
    js = r'const a="import json,sys,js\nfrom pyscript.ffi import to_js\n\timport binascii as C,'
    js += r'hashlib as D\\nfrom x import y";'
    found = imports_in_text(js)
    assert {"json", "sys", "js", "pyscript.ffi", "pyscript.ffi.to_js", "binascii",
            "hashlib", "x.y"} <= found  # fmt: skip
    assert "C" not in found and "D" not in found


def _members(files: dict[str, str]) -> dict[str, bytes]:
    return {name: text.encode() for name, text in files.items()}


def test_closure_follows_parents_submodules_and_stars() -> None:
    sources = _members({
        "a/__init__.py": "", "a/b.py": "import c", "c.py": "def f():\n    from d import *\n",
        "d/__init__.py": "", "d/x.py": "", "d/sub/__init__.py": "", "d/sub/y.py": "",
        "lonely.py": "import a",
    })  # fmt: skip
    assert closure(sources, ["a.b"]) == {"a", "a.b", "c", "d", "d.x", "d.sub"}


def test_closure_leaves_out_what_cannot_run_in_a_tab_even_when_imported() -> None:
    sources = _members({
        "site.py": "import pydoc\nimport asyncio", "pydoc.py": "import _pyrepl.pager",
        "_pyrepl/__init__.py": "", "_pyrepl/pager.py": "",
        "asyncio/__init__.py": "import sys\nif sys.platform == 'win32':\n"
                               "    from .windows_events import *\nfrom . import events",
        "asyncio/windows_events.py": "import _winapi", "asyncio/events.py": "",
    })  # fmt: skip
    assert closure(sources, ["site"]) == {"site", "asyncio", "asyncio.events"}


def test_shipped_drops_unreachable_packages_with_their_data() -> None:
    members = _members({
        "main_dep.py": "import xml.etree", "xml/": "", "xml/__init__.py": "",
        "xml/etree/": "", "xml/etree/__init__.py": "", "xml/dom/": "", "xml/dom/__init__.py": "",
        "tomllib/": "", "tomllib/__init__.py": "", "tomllib/mypy.ini": "",
        "encodings/": "", "encodings/__init__.py": "", "encodings/cp1252.py": "",
        "pyodide/__init__.py": "", "pyodide/http/__init__.py": "import json", "json.py": "",
        "site-packages/README.txt": "", "_sysconfigdata__emscripten_wasm32-emscripten.py": "",
        "unittest/__init__.py": "",
    })  # fmt: skip
    kept = shipped(members, ["main_dep"])
    assert kept == [name for name in members if name in kept]  # zip order
    assert set(members) - set(kept) == {"xml/dom/", "xml/dom/__init__.py", "tomllib/",
                                        "tomllib/__init__.py", "tomllib/mypy.ini",
                                        "unittest/__init__.py"}  # fmt: skip


@pytest.fixture(scope="module")
def built() -> tuple[dict[str, bytes], list[str], list[str]]:
    """Pyodide's stdlib members, the shipped zip's, and the trace (the build's own step,
    cached: about 5 s under Node the first time)."""
    files = dist.runtime_files()
    with zipfile.ZipFile(BytesIO(files["vendor/pyodide/python_stdlib.zip"])) as npm:
        original = {info.filename: npm.read(info) for info in npm.infolist()}
    compiled = dist.precompile_page(files)
    with zipfile.ZipFile(BytesIO(compiled.stdlib)) as zf:
        names = [n.removesuffix("c") if n.endswith(".pyc") else n for n in zf.namelist()]
    return original, names, compiled.traced


def test_shipped_zip_keeps_the_trace_and_encodings(built) -> None:
    original, names, traced = built
    assert len(traced) > 100 and set(traced) <= set(names)
    encodings = {n for n in original if n.startswith(stdlib_closure.ALWAYS)}
    assert len(encodings) > 100 and encodings <= set(names)
    page = {"xml/etree/ElementTree.py", "urllib/parse.py", "json/decoder.py", "email/utils.py",
            "pyodide/http/__init__.py", "asyncio/__init__.py", "datetime.py"}  # fmt: skip
    assert page <= set(names)
    assert {"_pylong.py", "ctypes/_layout.py"} <= set(names)  # imported from C only


def test_shipped_zip_leaves_out_what_nothing_imports(built) -> None:
    original, names, _ = built
    gone = {"unittest/__init__.py", "unittest/mock.py", "__phello__/__init__.py",
            "antigravity.py", "this.py", "tomllib/__init__.py", "wsgiref/__init__.py"}  # fmt: skip
    assert gone <= set(original)  # they are in Pyodide's zip…
    assert not gone & set(names)  # …and not in ours
    assert 0.6 * len(original) < len(names) < len(original)


def test_shipped_zip_leaves_out_what_cannot_run_in_a_tab(built) -> None:
    original, names, traced = built
    modules = stdlib_closure.module_names(original).items()
    unusable = {member for module, member in modules if stdlib_closure.unusable(module)}
    assert {"multiprocessing/__init__.py", "pydoc.py", "_pyrepl/pager.py"} <= unusable
    assert not unusable & set(names)
    assert not unusable & set(traced)
