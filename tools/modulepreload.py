"""`<link rel="modulepreload">` for every module the page's module scripts and preloaded modules
import statically.

Without them the browser finds a module graph one level per round trip, and deferred module
scripts run in document order: PyScript's core waited for the loader's whole graph (loader.js →
ui.js → flip.js) before it fetched its own main chunk. With them every module is requested at
first paint, and sri.py gives each link its integrity, so imported modules are checked too.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping

# `import … from "./x.js"`, `import "./x.js"`, `export {…} from "./x.js"` (minified or not);
# not `import("./x.js")`, which loads on demand.
STATIC_IMPORT = re.compile(
    r"""\b(?:import|export)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?["'](\.\.?/[^"']+)["']"""
)
MODULE_SCRIPT = re.compile(r"""<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"[^>]*>""")
PRELOADED = re.compile(r"""<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"[^>]*>""")


def add_links(html: str, files: Mapping[str, bytes]) -> str:
    """`html` (the site's index.html) with a modulepreload link, before its first module
    script, for each module its module scripts and preloaded modules import, directly or not,
    that it does not already preload or load."""
    preloaded = [_path(href) for href in PRELOADED.findall(html)]
    entries = [_path(src) for src in MODULE_SCRIPT.findall(html)] + preloaded
    known = set(entries)
    wanted = [path for path in _graph(entries, files) if path not in known]
    if not wanted:
        return html
    first = MODULE_SCRIPT.search(html)
    links = "".join(f'<link rel="modulepreload" href="{path}">\n  ' for path in wanted)
    return html[: first.start()] + links + html[first.start() :]


def _path(url: str) -> str:
    """A page-relative URL ("./m.js?v=1") as a path of the site's files ("m.js")."""
    return posixpath.normpath(url.split("#")[0].split("?")[0])


def _graph(entries: list[str], files: Mapping[str, bytes]) -> Iterator[str]:
    """The modules `entries` import statically, each once, in the order first met."""
    seen: set[str] = set()
    stack = list(reversed(entries))
    while stack:
        path = stack.pop()
        source = files[path].decode()
        for spec in STATIC_IMPORT.findall(source):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), spec))
            if target not in files:
                raise ValueError(f"{path} imports {spec}, which the site does not ship")
            if target not in seen:
                seen.add(target)
                yield target
                stack.append(target)
