"""Bytecode for the page's Python, made at build time by Pyodide's own Python (under Node: see
tools/precompile.mjs and tools/pyodide_compile.py), so the browser unmarshals instead of
compiling on every load.

Pyodide's npm `python_stdlib.zip` holds sources only: every import compiles, Pyodide's own boot
included (under Node: boot 2.5 s → 1.05 s with the stdlib precompiled; `urllib.parse` 81 → 20 ms,
`xml.etree` 50 → 11). Only the modules a visit imports become `.pyc`: compiled bytecode brotlis to
1.8× its source, so the whole stdlib as `.pyc` would add 1.3 MB to the cold load for modules
never imported; the traced ones add 0.5 MB.

One Pyodide boot costs about 5 s, so results are cached by input hash in build/cache/precompiled.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = ROOT / "build" / "cache" / "precompiled"
SCRIPTS = (HERE / "precompile.mjs", HERE / "pyodide_compile.py")
PYODIDE = ROOT / "node_modules" / "pyodide" / "package.json"  # its version: the bytecode's


def precompile(stdlib: bytes, sources: dict[str, bytes]) -> tuple[bytes, dict[str, bytes]]:
    """Pyodide's `stdlib` zip with the modules the page imports as `.pyc`, and the bytecode of
    `sources` (paths as on the page's sys.path → source): {"animerec/__pycache__/x.cpython-314.pyc":
    bytes, …}."""
    key = hashlib.sha256()
    for part in (PYODIDE.read_bytes(), *(s.read_bytes() for s in SCRIPTS), stdlib):
        key.update(hashlib.sha256(part).digest())
    for path, data in sorted(sources.items()):
        key.update(hashlib.sha256(path.encode() + b"\0" + data).digest())
    cached = CACHE / key.hexdigest()
    if not cached.is_dir():
        _run(stdlib, sources, cached)
    src = cached / "src"
    pycs = {p.relative_to(src).as_posix(): p.read_bytes() for p in sorted(src.rglob("*.pyc"))}
    return (cached / "python_stdlib.zip").read_bytes(), pycs


def _run(stdlib: bytes, sources: dict[str, bytes], target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="animerec-pyc-") as tmp:
        work = Path(tmp)
        (work / "python_stdlib.zip").write_bytes(stdlib)
        for path, data in sources.items():
            (work / "src" / path).parent.mkdir(parents=True, exist_ok=True)
            (work / "src" / path).write_bytes(data)
        subprocess.run(["node", str(SCRIPTS[0]), str(work)], check=True, cwd=ROOT)
        partial = target.with_name(target.name + ".tmp")
        shutil.rmtree(partial, ignore_errors=True)
        partial.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(work / "out", partial)
        partial.rename(target)  # whole or not at all
