"""Stamps web/sw.js with its build: a cache name from the hash of every file the site ships,
and the list of files a page load needs, which the worker caches at install in one go."""

from __future__ import annotations

import hashlib
import json
import re

# Not precached: source maps, the wasm backend (only a fallback when WebGL fails), PyScript's
# editor and terminal chunks (this page has neither), the parity data (tests only), micropip
# (shipped for package installs from our own origin; the page installs nothing at boot), the
# catalog map (web/js/atlas.js and its files: they load when the visitor opens the map).
SKIP = re.compile(
    r"\.(map|gz|br)$|^sw\.js$|^_headers$|^vendor/tfjs-backend-wasm/|parity\.json$|/micropip-"
    r"|/atlas\.(bin|json)$|^js/atlas\.js$"
    r"|^vendor/pyscript/(codemirror|xterm|toml|zip|mpy)[-_.]"
)


def stamp(files: dict[str, bytes]) -> bytes:
    """web/sw.js (files["sw.js"]) with BUILD and FILES filled in."""
    source = files["sw.js"].decode()
    shipped = sorted(p for p in files if p != "sw.js")
    digest = hashlib.sha256()
    for path in shipped:
        digest.update(f"{path}\0{hashlib.sha256(files[path]).hexdigest()}\n".encode())
    precached = [p for p in shipped if not SKIP.search(p)]
    for placeholder, value in (('"__BUILD__"', json.dumps(digest.hexdigest()[:16])),
                               ('["__FILES__"]', json.dumps(precached))):  # fmt: skip
        if placeholder not in source:
            raise ValueError(f"web/sw.js lost its {placeholder} placeholder")
        source = source.replace(placeholder, value, 1)
    return source.encode()
