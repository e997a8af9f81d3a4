"""The site build's pieces that need no network or model: wheel, sync, hash pinning, lock patch,
and relative URLs (the site must work under any sub-path)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from tools import csp, dist, modulepreload, sri

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_is_deterministic_and_complete() -> None:
    first = dist.build_wheel(ROOT / "py" / "animerec")
    assert first == dist.build_wheel(ROOT / "py" / "animerec")
    names = zipfile.ZipFile(BytesIO(first)).namelist()
    info = dist.WHEEL.split("-py3")[0] + ".dist-info"
    assert {"animerec/__init__.py", f"{info}/METADATA", f"{info}/WHEEL", f"{info}/RECORD"} <= set(
        names
    )
    assert not any("__pycache__" in n for n in names)


def test_wheel_with_bytecode_ships_it_where_the_sources_would_be() -> None:
    """Sourceless: each module's `.pyc` as `animerec/x.pyc` (Python's SourcelessFileLoader
    imports it), no `.py`; a module without bytecode fails the build."""
    package = ROOT / "py" / "animerec"
    modules = sorted(p.stem for p in package.glob("*.py"))
    pycs = {f"animerec/__pycache__/{m}.cpython-314.pyc": m.encode() for m in modules}
    wheel = zipfile.ZipFile(BytesIO(dist.build_wheel(package, pycs)))
    names = set(wheel.namelist())
    assert {f"animerec/{m}.pyc" for m in modules} <= names
    assert not [n for n in names if n.endswith(".py") or "__pycache__" in n]
    assert wheel.read("animerec/fresh.pyc") == b"fresh"
    del pycs["animerec/__pycache__/fresh.cpython-314.pyc"]
    with pytest.raises(dist.BuildError, match=r"fresh\.py"):
        dist.build_wheel(package, pycs)
    assert dist.sourceless({"__pycache__/views.cpython-314.pyc": b"v"}) == {"views.pyc": b"v"}
    with pytest.raises(dist.BuildError):
        dist.sourceless({"views.pyc": b"v"})


def test_sync_writes_only_changes_and_removes_stale(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("stale")
    files = {"a.txt": b"a", "sub/b.txt": b"b"}
    assert dist._sync(tmp_path, files) == 2
    assert not (tmp_path / "old.txt").exists()
    assert dist._sync(tmp_path, files) == 0
    assert dist._sync(tmp_path, {**files, "a.txt": b"A"}) == 1


def test_changed_vendor_file_fails_the_build(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(dist, "HASHES", tmp_path / "hashes.json")
    dist._check_hashes({"pkg/x.js": b"one"}, update=True)
    dist._check_hashes({"pkg/x.js": b"one"}, update=False)
    with pytest.raises(dist.BuildError, match="--update-hashes"):
        dist._check_hashes({"pkg/x.js": b"two"}, update=False)
    with pytest.raises(dist.BuildError):
        dist._check_hashes({"pkg/x.js": b"one", "pkg/new.js": b""}, update=False)


def test_every_vendored_file_is_pinned() -> None:
    pinned = json.loads(dist.HASHES.read_text())
    assert dist.MICROPIP_KEY in pinned
    for folder, *_ in dist.VENDOR:
        assert any(key.startswith(folder + "/") for key in pinned), folder


def test_lock_points_at_the_shipped_micropip() -> None:
    wheel = b"not really a wheel"
    lock = json.dumps({"packages": {"micropip": {"file_name": "x.whl", "sha256": "0"}}}).encode()
    entry = json.loads(dist._patch_lock(lock, wheel))["packages"]["micropip"]
    assert entry == {"file_name": dist.MICROPIP, "sha256": hashlib.sha256(wheel).hexdigest()}


def test_pyscript_is_patched_once_or_the_build_fails() -> None:
    """The vendored PyScript's prelude loses its eager `import pyscript`, and its worker's wait
    its spin, in exactly one chunk; a PyScript without them fails the build instead of
    shipping unpatched."""
    files = {dist._dist_path(p): d for p, d in dist._vendor_files() if "pyscript" in p}
    before = dict(files)
    dist._patch_pyscript_core(files)
    changed = [p for p in files if files[p] != before[p]]
    assert len(changed) == 1
    text = files[changed[0]].decode()
    assert dist.PYSCRIPT_EAGER_IMPORT not in text and dist.COINCIDENT_SPIN not in text
    assert text.count(dist.PYSCRIPT_NO_IMPORT) == 1
    with pytest.raises(dist.BuildError, match="in 0 chunks"):
        dist._patch_pyscript_core(files)


def test_python_mode_is_stamped_once_or_the_build_fails() -> None:
    """`--python worker` turns web/index.html's default mode into the worker; a page without
    the one meta tag, or a mode python-mode.js does not know, fails the build."""
    html = (dist.ROOT / "web" / "index.html").read_text()
    stamped = dist.python_default(html, "worker")
    assert stamped.count('<meta name="animerec-python" content="worker">') == 1
    assert dist.python_default(html, "main") == html
    with pytest.raises(dist.BuildError):
        dist.python_default(stamped, "worker")
    with pytest.raises(dist.BuildError):
        dist.python_default(html, "thread")


def test_page_uses_relative_urls_only() -> None:
    html = (ROOT / "web" / "index.html").read_text()
    urls = re.findall(r'(?:src|href|config)="([^"]*)"', html)
    assert urls
    assert [u for u in urls if u.startswith(("/", "http:", "https:", "//"))] == []
    config = json.loads(dist._pyscript_config("wheels/x/a.whl", ["py/main.py", "py/views.py"]))
    assert config["interpreter"].startswith("./")
    assert config["files"] == {"./wheels/x/a.whl": "./*", "./py/views.py": "./views.py"}
    assert "packages" not in config  # would load micropip first


def test_models_index_lists_folders_default_first(tmp_path: Path) -> None:
    for folder, name in (("b-model", "second"), ("default", "first")):
        (tmp_path / folder).mkdir()
        manifest = {"name": name, "metrics": {"model": {"recall@20": 0.5}}}
        (tmp_path / folder / "manifest.json").write_text(json.dumps(manifest))
    index = json.loads(dist.models_index(tmp_path))
    assert index == {"models": [
        {"folder": "default", "name": "first", "metrics": {"recall@20": 0.5}},
        {"folder": "b-model", "name": "second", "metrics": {"recall@20": 0.5}},
    ]}  # fmt: skip


def test_page_carries_the_policy_and_sri(tmp_path: Path) -> None:
    files = {
        "index.html": b'<head><meta charset="utf-8"><link rel="stylesheet" href="a.css">'
        b'<link rel="icon" href="i.svg"><script type="module" src="./m.js?v=1"></script>'
        b'<script type="py" src="main.py"></script></head>',
        "a.css": b"p{}",
        "m.js": b"export{}",
        "_headers": b"/vendor/*\n  Cache-Control: max-age=31536000, immutable\n",
    }
    dist._harden(files)
    html = files["index.html"].decode()
    assert html.startswith(f'<head><meta charset="utf-8">\n  {csp.meta_tag()}')
    assert f'href="a.css" integrity="{sri.integrity(b"p{}")}"' in html
    assert f'src="./m.js?v=1" integrity="{sri.integrity(b"export{}")}"' in html
    assert html.count("integrity=") == 2  # not the icon, not PyScript's own <script type="py">
    headers = files["_headers"].decode()
    assert headers.startswith("/vendor/*\n  Cache-Control: max-age=31536000, immutable\n\n/")
    assert f"  Content-Security-Policy: {csp.header_policy()}\n" in headers


def test_modulepreload_links_cover_the_static_import_graph() -> None:
    """Every module the page's module scripts import, at any depth and minified or not, gets a
    modulepreload link (then an integrity attribute, from sri.py); on-demand imports do not."""
    files = {
        "js/a.js": b'import { b } from "./b.js";\nconst lazy = () => import("./lazy.js");',
        "js/b.js": b'export{c as b}from"../vendor/c.js";import"./d.js";',
        "vendor/c.js": b"export const c = 1;",
        "js/d.js": b"",
        "js/lazy.js": b"",
    }
    html = '<head><link rel="modulepreload" href="js/d.js"><script type="module" src="./js/a.js">'
    out = modulepreload.add_links(html, files)
    assert modulepreload.PRELOADED.findall(out) == ["js/d.js", "js/b.js", "vendor/c.js"]
    with pytest.raises(ValueError, match="does not ship"):
        modulepreload.add_links(html, {**files, "js/d.js": b'import "./gone.js";'})


def test_headers_cache_hashed_paths_forever_and_revalidate_entry_points() -> None:
    rules: dict[str, dict[str, str]] = {}
    for block in csp.headers_file().strip().split("\n\n"):
        path, *lines = block.split("\n")
        assert path not in rules, path
        rules[path] = dict(line.strip().split(": ", 1) for line in lines)
    cache = {path: h["Cache-Control"] for path, h in rules.items() if "Cache-Control" in h}
    assert cache.pop("/wheels/*") == "public, max-age=31536000, immutable"
    assert set(cache) == {"/", "/index.html", "/sw.js", "/pyscript.json", "/build.json",
                          "/models/*"}  # fmt: skip
    assert set(cache.values()) == {"no-cache"}
    assert "Cache-Control" not in rules["/*"]  # one Cache-Control per path: hosts join them


def test_sri_refuses_a_tag_naming_no_built_file() -> None:
    with pytest.raises(ValueError, match=r"gone\.js"):
        sri.add_integrity('<script src="gone.js"></script>', {})


def test_policy_allows_no_eval_inline_or_foreign_code() -> None:
    meta = dict(d.split(" ", 1) for d in csp.meta_policy().split("; "))
    assert meta["script-src"] == "'self' 'wasm-unsafe-eval'"
    assert meta["default-src"] == meta["object-src"] == meta["base-uri"] == "'none'"
    assert meta["connect-src"] == "'self' https://graphql.anilist.co https://kitsu.app"
    assert "frame-ancestors" not in meta  # ignored in <meta>: the header carries it
    assert "frame-ancestors 'none'" in csp.header_policy()


def test_a_build_holds_the_lock_other_builds_wait_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest's workers build into one dist/ and build/cache at once: each build holds
    dist.LOCK while it writes, so another waits for it."""
    monkeypatch.setattr(dist, "LOCK", tmp_path / "build.lock")
    held_while_writing = []
    sync = dist._sync
    monkeypatch.setattr(dist, "_sync", lambda out, files: held_while_writing.append(locked(
        dist.LOCK)) or sync(out, files))  # fmt: skip
    out = dist.build(tmp_path / "dist")
    assert held_while_writing == [True] and not locked(dist.LOCK)
    assert (out / "index.html").is_file()


def locked(path: Path) -> bool:
    """Whether another open file holds `path`'s lock (flock locks of two opens conflict even
    in one process)."""
    with path.open("a") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def test_built_page_matches_its_files() -> None:
    """The real dist/ (rebuilt if stale; a no-op when current): every integrity value, in the
    page's tags and for the scripts the page adds at run time, is the file's, and TF.js is the
    build without eval."""
    out = dist.build()
    html = (out / "index.html").read_text()
    assert csp.meta_tag() in html
    pairs = re.findall(r'(?:src|href)="([^"]+)" integrity="([^"]+)"', html)
    assert {p for p, _ in pairs} >= {"js/loader.js", "vendor/pyscript/core.js", "css/site.css",
                                     "vendor/pyodide/pyodide.mjs"}  # fmt: skip
    for path, value in pairs:
        assert sri.integrity((out / path).read_bytes()) == value, path
    assert (out / "vendor" / "tfjs" / "tf.es2017.min.js").exists()
    assert not (out / "vendor" / "tfjs" / "tf.min.js").exists()
    runtime = json.loads((out / "build.json").read_text())["integrity"]
    assert {
        "vendor/tfjs/tf.es2017.min.js",
        "vendor/tfjs-backend-wasm/tf-backend-wasm.es2017.min.js",
    } <= set(runtime)
    for path, value in runtime.items():
        assert sri.integrity((out / path).read_bytes()) == value, path
