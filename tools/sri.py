"""Subresource Integrity for the page's own tags: `integrity="sha256-…"` on every `<script src>`
(classic or module), stylesheet and modulepreload `<link>` in index.html that names a file of the
build (a module preloaded with its hash is the one a later `import()` runs), so the browser
refuses a file that differs from the one built (a partial deploy, a tampering cache).

Not covered here: what those scripts load by themselves (module imports, Pyodide's files, the
TF.js scripts model.js adds); see tools/csp.py and web/js/integrity.js for those.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping

TAG = re.compile(r"<(script|link)\b[^>]*>", re.IGNORECASE)
ATTR = re.compile(r'\s([a-z-]+)(?:="([^"]*)")?', re.IGNORECASE)
SCRIPT_TYPES = ("", "module", "text/javascript")


def integrity(data: bytes) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def add_integrity(html: str, files: Mapping[str, bytes]) -> str:
    """`html` with an integrity attribute on each script/stylesheet/modulepreload tag whose URL
    (relative to the page) is a key of `files`. Raises ValueError for one that names no built
    file."""

    def tag(match: re.Match[str]) -> str:
        text = match.group(0)
        attrs = {k.lower(): v or "" for k, v in ATTR.findall(text)}
        if "integrity" in attrs:
            return text
        if match.group(1).lower() == "script":
            url = attrs.get("src")
            if url is None or attrs.get("type", "").lower() not in SCRIPT_TYPES:
                return text
        elif {"stylesheet", "modulepreload"} & set(attrs.get("rel", "").lower().split()):
            url = attrs.get("href")
        else:
            return text
        if url is None or "//" in url:
            return text
        path = url.split("?")[0].split("#")[0].removeprefix("./")
        if path not in files:
            raise ValueError(f"index.html loads {url}, which the build does not contain")
        end = -2 if text.endswith("/>") else -1
        return f'{text[:end]} integrity="{integrity(files[path])}"{text[end:]}'

    return TAG.sub(tag, html)
