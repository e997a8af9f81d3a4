"""The site's Content-Security-Policy, other security headers and `_headers`, in one place.

`tools/dist.py` puts the policy into dist/index.html as a meta tag (so it holds on any host) and
into dist/_headers (Netlify / Cloudflare Pages), where the directives a meta tag cannot carry
(`frame-ancestors`) take effect too; `tools/serve.py` sends the same headers.

Why each source is allowed (measured in headless Chromium, see tests/browser/test_security.py):
- script-src 'self' 'wasm-unsafe-eval': Pyodide and the TF.js wasm backend compile WebAssembly.
  No 'unsafe-eval': TF.js is shipped as `tf.es2017.min.js` (the ES5 `tf.min.js` bundles a
  regenerator polyfill that calls `Function(...)`; the wasm backend must be its es2017 build
  too, as ES5 classes cannot extend core's), and web/js/pyscript-csp.js empties
  PyScript's one default worker hook, which PyScript otherwise compiles with `Function(...)`.
- worker-src 'self' blob:: the loader's download worker and the service worker, both
  same-origin, and PyScript's worker for the page's Python (web/js/python-mode.js), which
  PyScript starts from a blob: URL (a hash of it cannot be allowed instead); a blob worker
  inherits this policy.
- connect-src 'self' https://graphql.anilist.co https://kitsu.app: the model, catalog and
  runtime files, AniList, Kitsu's API (which answers any origin; its covers are not shown).
- img-src 'self' https://s4.anilist.co: the favicon and AniList covers (no data: URIs are used).
- style-src 'self': only stylesheets; the scripts set styles through the CSSOM, which CSP allows.
- manifest-src 'self': the web app manifest (the site is installable). "Save as image" needs
  nothing more: covers are drawn from img-src's host (with CORS) and the PNG is a blob: link
  the page itself clicks, a download and no navigation.
"""

from __future__ import annotations

ANILIST_API = "https://graphql.anilist.co"
KITSU_API = "https://kitsu.app"
COVER_CDN = "https://s4.anilist.co"

DIRECTIVES: dict[str, tuple[str, ...]] = {
    "default-src": ("'none'",),
    "script-src": ("'self'", "'wasm-unsafe-eval'"),
    "worker-src": ("'self'", "blob:"),
    "connect-src": ("'self'", ANILIST_API, KITSU_API),
    "img-src": ("'self'", COVER_CDN),
    "style-src": ("'self'",),
    "font-src": ("'self'",),
    "manifest-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'none'",),
}
HEADER_ONLY: dict[str, tuple[str, ...]] = {"frame-ancestors": ("'none'",)}  # ignored in <meta>

OTHER_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",  # a .py or .json never runs as a script
    "Referrer-Policy": "no-referrer",  # ?anilist=NAME stays out of AniList's logs
    "Cross-Origin-Opener-Policy": "same-origin",  # an opener cannot script this window
    # With COOP, makes the page cross-origin isolated, so Pyodide's SharedArrayBuffer use is no
    # deprecated path (Lighthouse best practices); "credentialless" still lets AniList covers
    # load without a Cross-Origin-Resource-Policy header.
    "Cross-Origin-Embedder-Policy": "credentialless",
}


def _render(directives: dict[str, tuple[str, ...]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def meta_policy() -> str:
    """The policy for `<meta http-equiv="Content-Security-Policy">`."""
    return _render(DIRECTIVES)


def header_policy() -> str:
    """The policy for the Content-Security-Policy response header."""
    return _render({**DIRECTIVES, **HEADER_ONLY})


# Cache-Control rules of `_headers`. Only content-hashed paths are immutable; what names other
# files (the page, sw.js, pyscript.json, build.json) and the model folders (same names across
# builds, checked against their manifest's sha256: a stale shard would fail that check) are
# revalidated on every load. The vendored runtime (vendor/*) keeps the host's default: its paths
# are not versioned yet.
CACHE_RULES: dict[str, str] = {
    "/wheels/*": "public, max-age=31536000, immutable",  # wheels/<content hash>/animerec-….whl
    **dict.fromkeys(("/", "/index.html", "/sw.js", "/pyscript.json", "/build.json", "/models/*"),
                    "no-cache"),
}  # fmt: skip


def headers() -> dict[str, str]:
    """Every security header a response of this site carries."""
    return {"Content-Security-Policy": header_policy(), **OTHER_HEADERS}


def headers_file(existing: str = "") -> str:
    """`_headers` for static hosts: `existing` rules (from web/_headers) kept as they are, the
    CACHE_RULES, then a block that gives every path the security headers (hosts merge blocks)."""
    blocks = [existing.rstrip("\n") + "\n"] if existing.strip() else []
    blocks += [f"{path}\n  Cache-Control: {value}\n" for path, value in CACHE_RULES.items()]
    blocks.append("/*\n" + "".join(f"  {name}: {value}\n" for name, value in headers().items()))
    return "\n".join(blocks)


def meta_tag() -> str:
    return f'<meta http-equiv="Content-Security-Policy" content="{meta_policy()}">'
