"""`build.py serve`: build, then serve dist/ on 127.0.0.1 — also the server tests and bench use.

A small `http.server` subclass: correct types for .wasm (else `loadPyodide` hangs), .mjs and
.json, quiet logs, no caching so a rebuilt page is what the next reload gets, and the security
headers a static host sends from dist/_headers (tools/csp.py).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import threading
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tools import csp, dist


class SiteHandler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012  (the base class declares it as a plain dict)
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
        ".whl": "application/zip",
        ".py": "text/x-python",
        ".webmanifest": "application/manifest+json",
    }

    ENCODINGS = ((".br", "br"), (".gz", "gzip"))  # dist/ has these beside files; best first
    encoding: str | None = None

    def translate_path(self, path: str) -> str:
        """The build's precompressed copy of the file when the request accepts its encoding:
        a production host sends these (`.wasm` uncompressed is 9.6 MB of the first load)."""
        local = super().translate_path(path)
        if os.path.isdir(local) and path.split("?")[0].endswith("/"):
            local = os.path.join(local, "index.html")
        accepted = {
            token.split(";")[0].strip()
            for token in self.headers.get("Accept-Encoding", "").split(",")
            if not token.replace(" ", "").endswith(";q=0")
        }
        self.encoding = None
        for suffix, coding in self.ENCODINGS:
            if coding in accepted and os.path.isfile(local + suffix):
                self.encoding = coding
                return local + suffix
        return local

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        for suffix, coding in self.ENCODINGS:
            if self.encoding == coding:
                path = os.fspath(path).removesuffix(suffix)
        return super().guess_type(path)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Vary", "Accept-Encoding")
        if self.encoding:
            self.send_header("Content-Encoding", self.encoding)
        for name, value in csp.headers().items():
            self.send_header(name, value)
        super().end_headers()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code)[:1] in "45":  # only failures: a page load makes ~50 requests
            super().log_request(code, size)


def make_server(
    directory: Path,
    port: int = 0,
    host: str = "127.0.0.1",
    handler: type[SiteHandler] = SiteHandler,
) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(directory)))
    server.daemon_threads = True
    return server


def serve_in_thread(
    directory: Path, port: int = 0, handler: type[SiteHandler] = SiteHandler
) -> tuple[str, Callable[[], None]]:
    """Serve `directory` in a background thread; returns its base URL and a stop function."""
    server = make_server(directory, port, handler=handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join()

    return f"http://127.0.0.1:{server.server_address[1]}/", stop


def add_arguments(parser: argparse.ArgumentParser) -> None:
    dist.add_build_arguments(parser)
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free)")


def main(args: argparse.Namespace) -> int:
    try:
        out = dist.build(args.out, args.models, python=args.python)
    except dist.BuildError as err:
        print(f"[build] error: {err}", file=sys.stderr)
        return 1
    server = make_server(out, args.port)
    print(f"serving {out} at http://127.0.0.1:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
