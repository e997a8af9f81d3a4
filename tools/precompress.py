"""Gzip and brotli copies beside the site's files, so a static host (or `tools/serve.py`) sends
them with `Content-Encoding` instead of compressing on every request — or not at all, which is
what most static servers do for `.wasm`, Pyodide's largest file.

Brotli at quality 11 takes seconds on a 10 MB file, so results are cached by content hash in
build/cache/precompressed: a rebuild recompresses only what changed.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import brotli

CACHE = Path(__file__).resolve().parent.parent / "build" / "cache" / "precompressed"
COMPRESSIBLE = (".html", ".js", ".mjs", ".css", ".json", ".svg", ".wasm", ".py", ".pyc", ".bin",
                ".zip", ".whl")  # fmt: skip
MIN_BYTES = 1024  # below this, one TCP packet either way
MIN_SAVING = 0.1  # keep a copy only if it is at least 10% smaller


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, 9, mtime=0)  # mtime=0: same input, same bytes


def brotli_bytes(data: bytes) -> bytes:
    return brotli.compress(data, quality=11)


ENCODERS: dict[str, Callable[[bytes], bytes]] = {".br": brotli_bytes, ".gz": gzip_bytes}


STORED_ZIPS = ("vendor/pyodide/python_stdlib.zip",)  # see `stored`


def repack(files: dict[str, bytes]) -> dict[str, bytes]:
    """`files` with the archives of STORED_ZIPS stored; call before `siblings`."""
    return {p: stored(d) if p in STORED_ZIPS else d for p, d in files.items()}


def stored(data: bytes) -> bytes:
    """The zip with every member stored, not deflated: brotli over the whole archive then gets
    Pyodide's stdlib to 1.6 MB instead of 2.5 MB (deflate per member hides the redundancy
    between files), and zipimport skips inflating each module."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info), zipfile.ZIP_STORED)
    return out.getvalue()


def siblings(files: dict[str, bytes]) -> dict[str, bytes]:
    """`path.gz` and `path.br` for every file of `files` worth compressing."""
    out: dict[str, bytes] = {}
    for path, data in files.items():
        if not path.endswith(COMPRESSIBLE) or len(data) < MIN_BYTES:
            continue
        for suffix, encode in ENCODERS.items():
            packed = _cached(data, suffix, encode)
            if len(packed) <= (1 - MIN_SAVING) * len(data):
                out[path + suffix] = packed
    return out


def _cached(data: bytes, suffix: str, encode: Callable[[bytes], bytes]) -> bytes:
    path = CACHE / (hashlib.sha256(data).hexdigest() + suffix)
    if path.is_file():
        return path.read_bytes()
    packed = encode(data)
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(packed)
    tmp.replace(path)
    return packed
