"""The Kitsu username form's request: `animerec.kitsu` over the page's fetch transport, with
Kitsu's waits shown in the status line. `main.py` wires the form and `?kitsu=NAME` to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from animerec import kitsu
from animerec.http_api import RetryPolicy
from animerec.profile import Profile
from transport import pyfetch_transport

PARAM = "kitsu"  # ?kitsu=NAME
INPUT_ID = "kitsu-user"


def loader(
    name: str,
    id_map: Mapping[int, int] | None,
    longest_wait_s: float,
    set_status: Callable[[str], Any],
) -> Callable[[], Awaitable[Profile]]:
    """The profile load for `name`; a Retry-After longer than `longest_wait_s` is an error."""

    def waiting(seconds: float) -> None:
        set_status(f"Kitsu asked us to wait {round(seconds)} s; trying again then…")

    async def load() -> Profile:
        set_status("Asking Kitsu for the library…")
        retry = RetryPolicy(max_wait=longest_wait_s, on_wait=waiting)
        return await kitsu.fetch_profile(name, pyfetch_transport, id_map=id_map, retry=retry)

    return load
