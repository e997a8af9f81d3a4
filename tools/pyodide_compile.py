"""Runs inside Pyodide (under Node, from tools/precompile.mjs), never in CPython: only Pyodide's
own Python writes bytecode its interpreter is sure to accept (same magic number, same build).

`main(work)` reads `work/python_stdlib.zip` (Pyodide's, mounted as the running stdlib too) and
`work/src/` (the page's modules as laid out on its sys.path), and writes into `work/out/`:

- `python_stdlib.zip`, stored, with every stdlib module the page imports as a sourceless `.pyc`
  (the rest stay `.py`, compiled on use as before): Pyodide's boot plus importing each module of
  `src/` is the trace. Members no import can reach are left out (tools/stdlib_closure.py: the
  static import closure of the trace, of `src/`, and of `work/roots/`, the other code that runs
  on the page: its entry script, the runtime's JS with the Python it embeds, micropip);
- `traced.txt`, the trace (zip members, one a line), for the tests;
- `src/**/__pycache__/*.cpython-314.pyc` for each module of `src/`.

All bytecode is unchecked-hash (PEP 552): the loaders take it without comparing source mtimes,
which in the browser are the unpack time. It is compiled as `python -OO` would (OPTIMIZE): no
docstrings, no asserts. Nothing on the page reads a docstring (pydoc is not shipped; the stdlib
runs under -OO by design, and what sets `__doc__` takes None), and a `.pyc` without its source
is loaded whatever its optimization level; 0.18 MB brotli less on the cold load (tools/BENCH.md).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import zipfile
from pathlib import Path

SCRATCH = Path("/tmp/pyodide_compile")  # in Pyodide's in-memory file system
OPTIMIZE = 2  # as -OO: docstrings and asserts left out


def main(work: str) -> None:
    root = Path(work)
    src, out = root / "src", root / "out"
    modules = sorted(src.rglob("*.py"))
    sys.path.insert(0, str(src))
    for path in modules:
        importlib.import_module(".".join(path.relative_to(src).with_suffix("").parts))
    stdlib = next(p for p in sys.path if p.endswith(".zip"))  # where Pyodide mounted it
    loaded = set(sys.modules)  # frozen ones too (os, site, codecs): their imports count
    traced = {
        origin.removeprefix(stdlib + "/")
        for module in list(sys.modules.values())
        if (origin := getattr(getattr(module, "__spec__", None), "origin", None))
        and origin.startswith(stdlib + "/")
        and origin.endswith(".py")
    }
    sys.path.append(str(root))  # stdlib_closure.py, put there by tools/precompile.py
    roots = loaded | _imports_of(src) | _imports_of(root / "roots")
    _compile_zip(root / "python_stdlib.zip", out / "python_stdlib.zip", traced, stdlib, roots)
    (out / "traced.txt").write_text("".join(f"{member}\n" for member in sorted(traced)))
    for path in modules:
        rel = path.relative_to(src).as_posix()
        # dfile: the same bytes whatever `work` is; the loader sets the real path on import.
        _compile(path, out / "src" / importlib.util.cache_from_source(rel), rel)


def _compile(source: Path, cfile: Path, dfile: str) -> None:
    import py_compile  # here, not above: the trace in main() must not count it

    mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
    py_compile.compile(str(source), str(cfile), dfile, doraise=True, optimize=OPTIMIZE,
                       invalidation_mode=mode)  # fmt: skip


def _imports_of(folder: Path) -> set[str]:
    """The module names the code under `folder` may import: by AST for `.py` (named by its path,
    so relative imports resolve), by pattern for any other text (JS embedding Python)."""
    import stdlib_closure  # here, not above: the trace in main() must not count it

    names: set[str] = set()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if path.suffix == ".py":
            module = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
            is_package = path.name == "__init__.py"
            names |= stdlib_closure.imports_in_source(path.read_bytes(), module, is_package)
        else:
            names |= stdlib_closure.imports_in_text(path.read_text(errors="replace"))
    return names


def _compile_zip(
    source: Path, target: Path, modules: set[str], mounted_at: str, roots: set[str]
) -> None:
    """Copy `source` to `target`, stored, with only the members the closure of `roots` (module
    names) ships, and `modules` (member names) as `.pyc` only: the `.py` would double the bytes
    shipped, and a traceback through them still names file and line (without the source
    line)."""
    import stdlib_closure

    SCRATCH.mkdir(parents=True, exist_ok=True)
    py, pyc = SCRATCH / "m.py", SCRATCH / "m.pyc"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        members = {info.filename: src.read(info) for info in src.infolist()}
        shipped = set(stdlib_closure.shipped(members, roots))
        if lost := sorted(modules - shipped):
            raise RuntimeError(f"the page imported modules the closure leaves out: {lost}")
        for info in src.infolist():
            if info.filename not in shipped:
                continue
            data = members[info.filename]
            if info.filename in modules:
                py.write_bytes(data)
                _compile(py, pyc, f"{mounted_at}/{info.filename}")  # zipimport's co_filename
                info = zipfile.ZipInfo(info.filename + "c", info.date_time)
                data = pyc.read_bytes()
            dst.writestr(info, data, zipfile.ZIP_STORED)
