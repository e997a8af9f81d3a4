"""A real HTTP GraphQL stand-in for AniList on 127.0.0.1, answering with the shapes the live
API sends (`anilist_responses`), with scripted failures, a per-request delay, and a record of
when each request arrived."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from anilist_responses import PRIVATE_USER, TOO_MANY_REQUESTS, USER_NOT_FOUND, list_body

PRIVATE = "private"


class FakeAniList:
    """`users`: name → list entries (`anilist_responses.entry`) or `PRIVATE`; any other name is
    not found. `media`: MAL id → `Media`. `discoverable`: names `Page { users }` lists."""

    def __init__(
        self,
        users: Mapping[str, Any] = {},
        media: Mapping[int, dict] = {},
        discoverable: Sequence[str] = (),
        delay: float = 0.0,
    ) -> None:
        self.users = {k.lower(): (k, v) for k, v in users.items()}
        self.media, self.discoverable, self.delay = media, discoverable, delay
        self.hits: list[tuple[float, str, dict]] = []  # (monotonic time, kind, variables)
        self._script: list[tuple[int, dict[str, str], str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}/"

    def __enter__(self) -> FakeAniList:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(
        self, status: int, headers: Mapping[str, str] | None = None, body: Any = ""
    ) -> None:
        """Answer the next request (whatever it asks) with this instead."""
        text = body if isinstance(body, str) else json.dumps(body)
        self._script.append((status, dict(headers or {}), text))

    def rate_limit_next(self, retry_after: str) -> None:
        self.fail_next(
            429, {"Retry-After": retry_after, "X-RateLimit-Remaining": "0"}, TOO_MANY_REQUESTS
        )

    def kinds(self) -> list[str]:
        return [kind for _, kind, _ in self.hits]

    def answer(self, query: str, variables: dict) -> tuple[int, Any]:
        if "MediaListCollection" in query:
            name, entries = self.users.get(str(variables.get("name")).lower(), (None, None))
            if name is None:
                return 404, USER_NOT_FOUND
            if entries == PRIVATE:
                return 404, PRIVATE_USER
            return 200, list_body(name, entries)
        if "idMal_in" in query:
            found = [self.media[i] for i in variables["ids"] if i in self.media]
            return 200, {"data": {"Page": {"media": found}}}
        if "users(" in query:
            page, per = int(variables["page"]), int(variables["perPage"])
            names = self.discoverable[(page - 1) * per : page * per]
            more = page * per < len(self.discoverable)
            users = [{"name": n} for n in names]
            return 200, {"data": {"Page": {"pageInfo": {"hasNextPage": more}, "users": users}}}
        return 400, {"data": None, "errors": [{"message": "Unknown query", "status": 400}]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                arrived = time.monotonic()
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                query, variables = body["query"], body.get("variables") or {}
                kind = next(
                    k for k in ("MediaListCollection", "idMal_in", "users(", "") if k in query
                )
                with fake._lock:
                    fake.hits.append((arrived, kind.strip("("), variables))
                    scripted = fake._script.pop(0) if fake._script else None
                if fake.delay:
                    time.sleep(fake.delay)
                if scripted:
                    status, headers, text = scripted
                else:
                    status, answer = fake.answer(query, variables)
                    headers, text = (
                        {"X-RateLimit-Limit": "30", "X-RateLimit-Remaining": "29"},
                        json.dumps(answer),
                    )
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: object) -> None:
                pass

        return Handler
