"""Bytecode for the page's Python, made at build time by Pyodide's own Python (under Node: see
tools/precompile.mjs and tools/pyodide_compile.py), so the browser unmarshals instead of
compiling on every load.

Pyodide's npm `python_stdlib.zip` holds sources only: every import compiles, Pyodide's own boot
included (under Node: boot 2.5 s → 1.05 s with the stdlib precompiled; `urllib.parse` 81 → 20 ms,
`xml.etree` 50 → 11). Only the modules a visit imports become `.pyc`: compiled bytecode brotlis to
1.8× its source, so the whole stdlib as `.pyc` would add 1.3 MB to the cold load for modules
never imported; the traced ones add 0.5 MB.

The same step leaves out of the zip the members nothing on the page can import (see
tools/stdlib_closure.py): npm's zip is Pyodide's whole stdlib, unittest and tomllib included.

One Pyodide boot costs about 5 s, so results are cached by input hash in build/cache/precompiled.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = ROOT / "build" / "cache" / "precompiled"
CLOSURE = HERE / "stdlib_closure.py"  # imported inside Pyodide by pyodide_compile.py
SCRIPTS = (HERE / "precompile.mjs", HERE / "pyodide_compile.py", CLOSURE)
PYODIDE = ROOT / "node_modules" / "pyodide" / "package.json"  # its version: the bytecode's


class Precompiled(NamedTuple):
    stdlib: bytes  # the zip to ship
    bytecode: dict[str, bytes]  # {"animerec/__pycache__/x.cpython-314.pyc": bytes, …}
    traced: list[str]  # the stdlib members the trace imported (all in `stdlib`, as `.pyc`)


def precompile(
    stdlib: bytes, sources: dict[str, bytes], roots: dict[str, bytes] | None = None
) -> Precompiled:
    """Pyodide's `stdlib` zip with the modules the page imports as `.pyc` and the members
    nothing imports left out, and the bytecode of `sources` (paths as on the page's sys.path →
    source). `roots` (path → text) is the other code whose imports count, compiled nowhere:
    Python by path (`x.py`, `pkg/y.py`), anything else (JS) scanned for import statements."""
    key = hashlib.sha256()
    for part in (PYODIDE.read_bytes(), *(s.read_bytes() for s in SCRIPTS), stdlib):
        key.update(hashlib.sha256(part).digest())
    for kind, files in ((b"src", sources), (b"roots", roots or {})):
        for path, data in sorted(files.items()):
            key.update(hashlib.sha256(kind + b"\0" + path.encode() + b"\0" + data).digest())
    cached = CACHE / key.hexdigest()
    if not cached.is_dir():
        _run(stdlib, sources, roots or {}, cached)
    src = cached / "src"
    pycs = {p.relative_to(src).as_posix(): p.read_bytes() for p in sorted(src.rglob("*.pyc"))}
    traced = (cached / "traced.txt").read_text().split()
    return Precompiled((cached / "python_stdlib.zip").read_bytes(), pycs, traced)


def _run(stdlib: bytes, sources: dict[str, bytes], roots: dict[str, bytes], target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="animerec-pyc-") as tmp:
        work = Path(tmp)
        (work / "python_stdlib.zip").write_bytes(stdlib)
        shutil.copy(CLOSURE, work / CLOSURE.name)
        for folder, files in (("src", sources), ("roots", roots)):
            (work / folder).mkdir()
            for path, data in files.items():
                (work / folder / path).parent.mkdir(parents=True, exist_ok=True)
                (work / folder / path).write_bytes(data)
        subprocess.run(["node", str(SCRIPTS[0]), str(work)], check=True, cwd=ROOT)
        partial = target.with_name(target.name + ".tmp")
        shutil.rmtree(partial, ignore_errors=True)
        partial.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(work / "out", partial)
        partial.rename(target)  # whole or not at all
