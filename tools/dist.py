"""`build.py build`: the static site in dist/, loadable from any static host under any sub-path.

Everything the page loads is copied here: the JS runtime from node_modules (checked against
`tools/vendor-hashes.json`, so a changed package cannot slip in unnoticed), micropip from PyPI,
a wheel of `py/animerec` built from this tree, the models, and `web/`. Files are written only when
their bytes change and stale files are removed, so a second build is a no-op and fast.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import subprocess
import sys
import time
import zipfile
from base64 import urlsafe_b64encode
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path, PurePosixPath

import animerec

from tools import csp, modulepreload, precompile, precompress, service_worker, sri

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
HASHES = ROOT / "tools" / "vendor-hashes.json"
CACHE = ROOT / "build" / "cache"
LOCK = ROOT / "build" / "build.lock"  # held by the build that runs (one_at_a_time)

MICROPIP = "micropip-0.11.1-py3-none-any.whl"
MICROPIP_KEY = f"pypi/{MICROPIP}"  # its key in vendor-hashes.json, beside node_modules paths
UNUSED_PYSCRIPT_PLUGINS = ("codemirror", "deprecations-manager", "donkey", "py-editor", "py-game",
                           "py-terminal")  # fmt: skip
ENTRY = "py/main.py"  # the page script (index.html loads it); web/py/* are modules it imports
# Where the page's Python runs by default (web/js/python-mode.js reads index.html's meta tag; its
# hook still overrides), the build's default first: PyScript's worker, or the main thread
# (README, "How it works", and tools/BENCH.md, "TF.js in a worker", say why).
PYTHON_MODES = ("worker", "main")
PYTHON_META = '<meta name="animerec-python" content="main">'
WHEEL = f"animerec-{animerec.__version__}-py3-none-any.whl"

# (directory in node_modules, file names or glob patterns, directory in dist)
VENDOR: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("pyodide", ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json"), "vendor/pyodide"),
    ("@pyscript/core/dist", ("*.js", "*.css"), "vendor/pyscript"),
    ("@tensorflow/tfjs/dist", ("tf.es2017.min.js",), "vendor/tfjs"),  # no eval: see tools/csp.py
    ("@tensorflow/tfjs-backend-wasm/dist", ("tf-backend-wasm.es2017.min.js",
     "tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm",
     "tfjs-backend-wasm-threaded-simd.wasm"), "vendor/tfjs-backend-wasm"),
)  # fmt: skip


class BuildError(RuntimeError):
    """The build cannot go on; the message says why and what to do."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_build_arguments(parser)
    parser.add_argument(
        "--update-hashes",
        action="store_true",
        help="accept the vendored files as they are now and rewrite tools/vendor-hashes.json",
    )


def add_build_arguments(parser: argparse.ArgumentParser) -> None:
    """The options `serve` shares with `build`."""
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument(
        "--models", type=Path, default=ROOT / "models", help="folder of models to ship"
    )
    add_python_argument(parser)


def add_python_argument(parser: argparse.ArgumentParser) -> None:
    """`--python`: the default mode stamped into the build (`build`, `serve`, `bench`)."""
    parser.add_argument(
        "--python", choices=PYTHON_MODES, default=PYTHON_MODES[0],
        help="where the page's Python runs by default: the main thread or PyScript's worker",
    )  # fmt: skip


def main(args: argparse.Namespace) -> int:
    try:
        build(args.out, args.models, update_hashes=args.update_hashes, python=args.python)
    except BuildError as err:
        print(f"[build] error: {err}", file=sys.stderr)
        return 1
    return 0


def build(out: Path = ROOT / "dist", models: Path = ROOT / "models", *,
          update_hashes: bool = False, python: str = PYTHON_MODES[0]) -> Path:  # fmt: skip
    """Build the site into `out` and return it, its page's Python by default in `python`
    (PYTHON_MODES). A build in another process (a pytest worker) waits for this one: they share
    build/cache, and often `out`."""
    with one_at_a_time():
        return _build(out, models, update_hashes, python)


@contextmanager
def one_at_a_time() -> Iterator[None]:
    """Hold LOCK, a lock across processes, for the block."""
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _build(out: Path, models: Path, update_hashes: bool, python: str) -> Path:
    started = time.perf_counter()
    files = runtime_files(update_hashes)
    stdlib, bytecode, _ = precompile_page(files)
    files["vendor/pyodide/python_stdlib.zip"] = stdlib
    package_pycs = {p: d for p, d in bytecode.items() if p.startswith("animerec/")}
    wheel = build_wheel(ROOT / "py" / "animerec", package_pycs)
    wheel_path = f"wheels/{hashlib.sha256(wheel).hexdigest()[:12]}/{WHEEL}"  # new URL per content
    files[wheel_path] = wheel
    _check_models(models)
    files.update(_tree(models, "models"))
    files["models/index.json"] = models_index(models)
    files.update(_tree(ROOT / "web", ""))
    files["index.html"] = python_default(files["index.html"].decode(), python).encode()
    page_pycs = sourceless({p: d for p, d in bytecode.items() if p not in package_pycs})
    for path, data in page_pycs.items():  # web/py's modules as bytecode only, as the wheel's
        if files.pop(f"py/{path.removesuffix('c')}", None) is None:
            raise BuildError(f"bytecode py/{path} has no source in web/py")
        files[f"py/{path}"] = data
    _harden(files)
    files["pyscript.json"] = _pyscript_config(wheel_path, sorted(files))
    files = precompress.repack(files)
    files["build.json"] = _build_info(files)
    files["sw.js"] = service_worker.stamp(files)
    files.update(precompress.siblings(files))
    changed = _sync(out, files)
    took = time.perf_counter() - started
    print(f"[build] {out}: {len(files)} files, {changed} written, {took:.2f} s", file=sys.stderr)
    return out


def runtime_files(update_hashes: bool = False) -> dict[str, bytes]:
    """The vendored runtime by its path in dist/, checked against vendor-hashes.json and patched
    (the lock's micropip, PyScript's prelude), with Pyodide's stdlib zip as npm has it."""
    files: dict[str, bytes] = {}
    vendored = dict(_vendor_files())
    micropip = _micropip_wheel()
    vendored[MICROPIP_KEY] = micropip
    _check_hashes(vendored, update_hashes)
    for key, data in vendored.items():
        if key != MICROPIP_KEY:
            files[_dist_path(key)] = data
    # Shipped so that micropip (and packages from the lock) install from our own origin, never a
    # CDN; the page itself loads no package at boot (see _pyscript_config).
    files["vendor/pyodide/" + MICROPIP] = micropip
    files["vendor/pyodide/pyodide-lock.json"] = _patch_lock(
        files["vendor/pyodide/pyodide-lock.json"], micropip
    )
    _patch_pyscript_core(files)
    return files


def precompile_page(files: dict[str, bytes]) -> precompile.Precompiled:
    """tools/precompile.py on `runtime_files`' stdlib zip: the zip to ship, the bytecode of the
    page's modules, and the trace."""
    stdlib = files["vendor/pyodide/python_stdlib.zip"]
    return precompile.precompile(stdlib, _page_modules(), _other_code(files))


def _vendor_files() -> Iterator[tuple[str, bytes]]:
    for folder, patterns, _ in VENDOR:
        base = NODE_MODULES / folder
        if not base.is_dir():
            raise BuildError(f"{base} is missing: run `npm ci` (build.py does it for you)")
        for pattern in patterns:
            matches = sorted(base.glob(pattern))
            if not matches:
                raise BuildError(f"nothing matches {folder}/{pattern} in node_modules")
            for path in matches:
                yield path.relative_to(NODE_MODULES).as_posix(), path.read_bytes()


def _dist_path(key: str) -> str:
    for folder, _, target in VENDOR:
        if key.startswith(folder + "/"):
            return target + key[len(folder) :]
    raise AssertionError(key)


def _micropip_wheel() -> bytes:
    """micropip from PyPI, downloaded once into build/cache (Pyodide's npm package has none)."""
    path = CACHE / MICROPIP
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        name, version = MICROPIP.split("-")[:2]
        subprocess.run(
            [sys.executable, "-m", "pip", "download", f"{name}=={version}", "--no-deps",
             "--only-binary=:all:", "--python-version", "3.14", "-q", "-d", str(CACHE)],
            check=True,
        )  # fmt: skip
    return path.read_bytes()


def _check_hashes(files: dict[str, bytes], update: bool) -> None:
    actual = {key: hashlib.sha256(data).hexdigest() for key, data in sorted(files.items())}
    if update:
        HASHES.write_text(json.dumps(actual, indent=2) + "\n")
        print(f"[build] wrote {len(actual)} hashes to {HASHES}", file=sys.stderr)
        return
    pinned = json.loads(HASHES.read_text()) if HASHES.exists() else {}
    wrong = [k for k in actual if pinned.get(k) != actual[k]]
    gone = [k for k in pinned if k not in actual]
    if wrong or gone:
        raise BuildError(
            f"vendored files differ from {HASHES.name}: changed or new {wrong[:5]}, "
            f"missing {gone[:5]} ({len(wrong) + len(gone)} in all). If you upgraded on "
            "purpose, review and run `build.py build --update-hashes`."
        )


def _check_models(models: Path) -> None:
    """Every file a model's manifest lists must be there with the recorded sha256."""
    for manifest in sorted(models.glob("*/manifest.json")):
        listed = json.loads(manifest.read_text()).get("files") or {}
        for name, entry in listed.items():
            path = manifest.parent / name
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
            if digest != entry.get("sha256"):
                raise BuildError(f"{path} does not match its manifest's sha256: re-export it")


def models_index(models: Path) -> bytes:
    """`models/index.json`: each model folder with its manifest's name and metrics, so the page
    can offer a model selector without fetching every manifest. "default" comes first (the page
    loads the first model unless `?model=` names another)."""
    manifests = sorted(models.glob("*/manifest.json"), key=lambda m: m.parent.name)
    manifests.sort(key=lambda m: m.parent.name != "default")
    entries = []
    for manifest in manifests:
        meta = json.loads(manifest.read_text())
        metrics = (meta.get("metrics") or {}).get("model")
        name = meta.get("name")
        entries.append({"folder": manifest.parent.name, "name": name, "metrics": metrics})
    return (json.dumps({"models": entries}, indent=1) + "\n").encode()


def _patch_lock(lock: bytes, micropip: bytes) -> bytes:
    """Point the lock's micropip entry at the wheel we ship; Pyodide checks its sha256."""
    obj = json.loads(lock)
    entry = obj["packages"]["micropip"]
    entry["file_name"] = MICROPIP
    entry["sha256"] = hashlib.sha256(micropip).hexdigest()
    return json.dumps(obj, separators=(",", ":")).encode()


# PyScript's Python prelude (run before every <script type="py">) writes its `pyscript` package
# into the file system, then imports it: 15 modules, its own 11 compiled from source, during
# the cold load. The page never uses the package; written but not imported, it still imports on
# demand. 11 interleaved pairs of cold loads: PyScript ready → the page's imports done
# 346 → 299 ms, first cards 2.45 → 2.39 s (within the spread), Chromium CPU 4.54 → 4.45 s.
PYSCRIPT_EAGER_IMPORT = '"import pyscript as _pyscript"'
PYSCRIPT_NO_IMPORT = '"_pyscript = None"'  # the prelude's last line deletes the name
# PyScript's worker (coincident) waits for each synchronous call to the page by spinning on
# `Atomics.pause()` where the browser has it (Chromium does): a core held busy for as long as
# the main thread takes to answer, which is what the main thread and V8's background compiles
# need on a phone's few cores (tools/BENCH.md, "Fewer round trips from the worker"). Without
# the spin it waits in `Atomics.wait`, asleep, as it does where `pause` is missing.
COINCIDENT_SPIN = "f&&(d=(e,t)=>{do{f()}while(p(e,t)<1)})"
PYSCRIPT_PATCHES = {PYSCRIPT_EAGER_IMPORT: PYSCRIPT_NO_IMPORT, COINCIDENT_SPIN: "0"}


def _patch_pyscript_core(files: dict[str, bytes]) -> None:
    """PyScript's chunks with PYSCRIPT_PATCHES applied, each found once in one chunk."""
    for find, replace in PYSCRIPT_PATCHES.items():
        chunks = [p for p, data in files.items() if p.startswith("vendor/pyscript/")
                  and p.endswith(".js") and data.count(find.encode()) == 1]  # fmt: skip
        if len(chunks) != 1:
            raise BuildError(f"{find} found once in {len(chunks)} chunks, not 1: "
                             "check _patch_pyscript_core against this PyScript")  # fmt: skip
        files[chunks[0]] = files[chunks[0]].replace(find.encode(), replace.encode())


def _page_modules() -> dict[str, bytes]:
    """The modules the page imports, by their paths on its sys.path: the animerec package and
    web/py (less the entry script, which PyScript runs from source)."""
    package = ROOT / "py" / "animerec"
    modules = {f"animerec/{p.relative_to(package).as_posix()}": p.read_bytes()
               for p in sorted(package.rglob("*.py")) if "__pycache__" not in p.parts}  # fmt: skip
    for path in sorted((ROOT / "web" / "py").glob("*.py")):
        if f"py/{path.name}" != ENTRY:
            modules[path.name] = path.read_bytes()
    return modules


def _other_code(files: dict[str, bytes]) -> dict[str, bytes]:
    """The code besides `_page_modules` whose imports the shipped stdlib must serve (see
    tools/stdlib_closure.py): the entry script, the runtime's JS (PyScript's stdlib and
    prelude, polyscript's helpers and Pyodide's boot are Python in JS strings) and micropip,
    which the lock offers to anyone who loads it."""
    code = {"main.py": (ROOT / "web" / ENTRY).read_bytes()}
    code.update({p: d for p, d in files.items()
                 if p.startswith(("vendor/pyscript/", "vendor/pyodide/"))
                 and p.endswith((".js", ".mjs"))})  # fmt: skip
    with zipfile.ZipFile(BytesIO(files["vendor/pyodide/" + MICROPIP])) as wheel:
        code.update({n: wheel.read(n) for n in wheel.namelist() if n.endswith(".py")})
    return code


def sourceless(bytecode: dict[str, bytes]) -> dict[str, bytes]:
    """tools/precompile.py's `.pyc` (`pkg/__pycache__/x.cpython-314.pyc`) moved to where their
    source would be (`pkg/x.pyc`), which Python imports without the source (its
    SourcelessFileLoader; Pyodide's stdlib zip ships that way). A traceback through them still
    names file and line (the path they were compiled as, `pkg/x.py`), without the source line;
    with the sources the cold load was 57 kB brotli heavier (tools/BENCH.md)."""
    out: dict[str, bytes] = {}
    for path, data in bytecode.items():
        pyc = PurePosixPath(path)
        if pyc.parent.name != "__pycache__" or len(pyc.suffixes) != 2:
            raise BuildError(f"{path} is not a PEP 3147 bytecode path")
        out[(pyc.parent.parent / f"{pyc.name.split('.')[0]}.pyc").as_posix()] = data
    return out


def build_wheel(package: Path, bytecode: dict[str, bytes] | None = None) -> bytes:
    """A pure-Python wheel of `package`, byte-for-byte the same for the same inputs: its sources,
    or, given `bytecode` (tools/precompile.py's `.pyc`, by PEP 3147 path in the wheel), only
    that, each module's `.pyc` where its `.py` would be (`sourceless`)."""
    name, version = package.name, animerec.__version__
    info = f"{name}-{version}.dist-info"
    members = {
        f"{name}/{p.relative_to(package).as_posix()}": p.read_bytes()
        for p in sorted(package.rglob("*"))
        if p.is_file() and p.suffix in (".py", ".typed") and "__pycache__" not in p.parts
    }
    if bytecode:
        for path, data in sourceless(bytecode).items():
            if members.pop(path.removesuffix("c"), None) is None:
                raise BuildError(f"bytecode {path} has no source in {package}")
            members[path] = data
        if left := sorted(p for p in members if p.endswith(".py")):
            raise BuildError(f"no bytecode for {left}: run the build again")
        members = dict(sorted(members.items()))
    members[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    )
    members[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: animerec-dist\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [f"{path},sha256={_record_hash(data)},{len(data)}" for path, data in members.items()]
    members[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    buffer = BytesIO()
    # Stored, not deflated: the site serves the wheel brotli'd whole (tools/precompress.py),
    # which finds what the modules share (160 → 97 kB; deflate per member hides it).
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for path, data in members.items():
            entry = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, data, zipfile.ZIP_STORED)
    return buffer.getvalue()


def _record_hash(data: bytes) -> str:
    return urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _tree(folder: Path, prefix: str) -> dict[str, bytes]:
    if not folder.is_dir():
        raise BuildError(f"{folder} is missing")
    return {
        (f"{prefix}/" if prefix else "") + p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    }


def python_default(html: str, mode: str) -> str:
    """index.html with `mode` (PYTHON_MODES) as where its Python runs by default."""
    if mode not in PYTHON_MODES or html.count(PYTHON_META) != 1:
        raise BuildError(f"python mode {mode!r}; web/index.html must hold {PYTHON_META} once")
    return html.replace(PYTHON_META, PYTHON_META.replace('"main"', f'"{mode}"'))


def _harden(files: dict[str, bytes]) -> None:
    """The CSP meta tag, modulepreload links and SRI attributes in index.html; `_headers` for
    static hosts (keeping rules web/_headers may bring)."""
    html = files["index.html"].decode()
    charset = '<meta charset="utf-8">'
    if charset not in html:
        raise BuildError(f"web/index.html must open its <head> with {charset}")
    html = html.replace(charset, f"{charset}\n  {csp.meta_tag()}", 1)
    try:
        html = modulepreload.add_links(html, files)
        files["index.html"] = sri.add_integrity(html, files).encode()
    except ValueError as err:
        raise BuildError(str(err)) from err
    files["_headers"] = csp.headers_file(files.get("_headers", b"").decode()).encode()


def _pyscript_config(wheel_path: str, web_files: list[str]) -> bytes:
    """PyScript's config: our own Pyodide (else it goes to a CDN), and the animerec wheel and the
    modules main.py imports (web/py's, as sourceless `.pyc`) put into the Pyodide file system's
    working folder (on sys.path). The wheel is unpacked as a plain archive, not installed
    through `packages`: that would load micropip first (about 0.25 s of the cold load, measured
    in TOOLCHAIN.md)."""
    config = {
        "interpreter": "./vendor/pyodide/pyodide.mjs",
        # PyScript imports its plugin modules and waits for them before it loads Pyodide; the
        # page uses none. (Its MicroPython side, with no config, still fetches them: unawaited.)
        "plugins": [f"!{name}" for name in UNUSED_PYSCRIPT_PLUGINS],
        "files": {"./" + wheel_path: "./*",
                  **{f"./{p}": f"./{p.removeprefix('py/')}" for p in web_files
                     if p.startswith("py/") and p.endswith((".py", ".pyc")) and p != ENTRY}},
    }  # fmt: skip
    return (json.dumps(config, indent=2) + "\n").encode()


def _build_info(files: dict[str, bytes]) -> bytes:
    """Byte sizes of the runtime and models, for the loader's progress display, and the SRI of
    the TF.js scripts the page adds at run time (not in index.html, so sri.py cannot tag them)."""
    sizes = {p: len(data) for p, data in files.items() if p.startswith(("vendor/", "models/"))}
    scripts = {
        p: sri.integrity(data)
        for p, data in files.items()
        if p.startswith(("vendor/tfjs/", "vendor/tfjs-backend-wasm/")) and p.endswith(".js")
    }
    info = {"sizes": sizes, "integrity": scripts}
    return json.dumps(info, indent=1, sort_keys=True).encode()


def _sync(out: Path, files: dict[str, bytes]) -> int:
    """Make `out` hold exactly `files`; returns how many were (re)written."""
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for rel, data in files.items():
        path = out / rel
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written += 1
    for path in sorted(out.rglob("*"), reverse=True):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and rel not in files:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written
