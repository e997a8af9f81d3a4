"""`json.loads` in steps (`animerec.steps`): a document of many megabytes is decoded in pieces of
at most WINDOW characters, each by the stdlib's C scanner, so that no step holds the interpreter
for long (on the page: no long task), and the result is `json.loads(text)`'s.

How the text is cut:
- A value that fits in a window is decoded whole.
- A container that does not is opened and read in runs of its elements. A window from an
  element's start is closed at one of its last separators (`[` + run + `]`) and decoded. A run
  decodes (and ends where the window was closed) only when that separator belongs to this
  container and lies outside any string: a cut inside a string leaves the string unterminated,
  and a cut inside an element leaves its brackets unclosed. So a wrong cut fails, and an
  earlier one or a smaller window is tried.
- Elements too large for a run are read alone, and those too large for a window are opened in
  turn.
Every piece goes through the caller's `guard(piece, outside)` before the C scanner reads it
(`outside`: the containers open around it), and a scalar's first SCALAR_PEEK characters do; a
guard raises to refuse the document (`safe_json` bounds nesting and numbers there).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from json.decoder import JSONDecodeError, scanstring
from typing import Any

from .steps import Steps

WINDOW = 1 << 16  # characters decoded by one call of the C scanner, at most
SMALLEST = 1 << 8  # the first guess at an element's length
CUTS = 3  # separators tried per window, from its end
RUN_OPENERS = 48  # brackets opened in a run's window, at most (`safe_json` allows 64 deep)…
RUN_FLOOR = 1 << 11  # …unless that leaves it shorter than this: then the guard looks closer
SKIP_RUNS = 16  # elements read alone after a run failed, before runs are tried again
TAIL = 1 << 9  # how far back from a window's end separators are looked for first
STEP_WORK = 1 << 18  # characters scanned (tries included) between two steps
SCALAR_PEEK = 1 << 10  # of a scalar, the guard sees this much
Guard = Callable[[str, int], None]
_scan = json.JSONDecoder().scan_once  # (text, index) → (value, end). A missing value raises
# StopIteration (anywhere inside, too), other malformed text a JSONDecodeError
_SPACE = re.compile(r"[ \t\n\r]*")
_ELEMENT_START = {"{": r"\{", "[": r"\[", '"': '"'}  # else a number or a literal


def decode_steps(text: str, guard: Guard) -> Steps[Any]:
    """The JSON value of `text`, as `json.loads(text)` gives it; malformed text raises a
    `json.JSONDecodeError` (a ValueError), and what `guard` raises passes through."""
    return _Reader(text, guard).steps()


class _Open:
    """A container too large to decode whole, read element by element (or run by run)."""

    __slots__ = ("closer", "key", "next_element", "run_size", "skip_runs", "span", "start", "value")

    def __init__(self, opener: str, start: int) -> None:
        self.value: list | dict = [] if opener == "[" else {}
        self.closer = "]" if opener == "[" else "}"
        self.start = start  # where its opener is
        self.key: str | None = None  # an object's key whose value is read next
        self.span = 0  # the length of the last element read alone
        self.run_size = WINDOW  # the window for the next run: twice the last run's
        self.skip_runs = 0  # elements to read alone before the next run is tried
        self.next_element: re.Pattern[str] | None = None  # a separator and what follows it

    def add(self, value: Any, start: int, end: int) -> None:
        """One element, read alone from `start` to `end`."""
        if isinstance(self.value, list):
            self.value.append(value)
        else:
            self.value[self.key] = value
        self.span = end - start
        self.skip_runs = max(0, self.skip_runs - 1)

    def add_run(self, values: list | dict) -> None:
        if isinstance(self.value, list):
            self.value.extend(values)
        else:
            self.value.update(values)


class _Reader:
    def __init__(self, text: str, guard: Guard) -> None:
        self.text = text
        self.guard = guard
        self.stack: list[_Open] = []
        self.work = 0  # characters scanned since the last step

    def steps(self) -> Steps[Any]:
        text, stack = self.text, self.stack
        pos = _skip(text, 0)
        while True:
            if self.work >= STEP_WORK:
                yield
                self.work = 0
            read = self.next(pos)
            if isinstance(read, int):  # a run, or an opened container: its next element
                pos = read
                continue
            start, value, end = read
            while stack:  # add the value to its container; close those that end with it
                frame = stack[-1]
                frame.add(value, start, end)
                pos = _skip(text, end)
                if text.startswith(",", pos):
                    break
                if not text.startswith(frame.closer, pos):
                    raise JSONDecodeError("Expecting ',' delimiter", text, pos)
                start, value, end = frame.start, stack.pop().value, pos + 1
            else:
                return _whole(text, value, end)
            pos = self.element_start(_skip(text, pos + 1), frame)

    def next(self, pos: int) -> int | tuple[int, Any, int]:
        """Read on from `pos`, an element's start (or the document's): (start, value, end) of a
        value read whole (or of a container its last run closed), else where to go on."""
        text, stack = self.text, self.stack
        frame = stack[-1] if stack else None
        if frame is not None:
            ran = self.run(pos, frame)
            if ran is not None:
                cut, closed = ran
                if not closed:
                    return self.element_start(_skip(text, cut + 1), frame)
                return frame.start, stack.pop().value, cut + 1
            if isinstance(frame.value, dict):
                frame.key, pos = _key(text, pos)
        value = self.value(pos, frame.span if frame else 0)
        if not isinstance(value, _Open):
            return (pos, *value)
        inside = _skip(text, pos + 1)
        if text.startswith(value.closer, inside):  # nothing but white space inside
            return pos, value.value, inside + 1
        stack.append(value)
        return self.element_start(inside, value)

    def element_start(self, pos: int, frame: _Open) -> int:
        """`pos`; the first time, it tells what `frame`'s elements begin with."""
        if frame.next_element is None and pos < len(self.text):
            start = _ELEMENT_START.get(self.text[pos], r"[-0-9NItfn]")
            frame.next_element = re.compile(r",[ \t\n\r]*" + start)
        return pos

    def run(self, pos: int, frame: _Open) -> tuple[int, bool] | None:
        """Decode a run of `frame`'s elements from `pos` (an element's start) into it: the index
        of the separator after the run, or of `frame`'s closer when the run reached it (True);
        None when no run decoded. A window closed past `frame`'s end decodes up to its real
        closer: the scanner stops there, before the artificial one."""
        if frame.skip_runs or frame.span > WINDOW // 4 or frame.next_element is None:
            return None  # large elements, or runs failed lately: each is read alone
        opener = "[" if frame.closer == "]" else "{"
        window = self.text[pos : pos + frame.run_size]
        openers = window.count("[") + window.count("{")
        if openers > RUN_OPENERS:  # fewer brackets: the guard tells the nesting from a count
            window = window[: max(RUN_FLOOR, len(window) * RUN_OPENERS // openers)]
        for size in (len(window), len(window) // 2, len(window) // 4):
            for cut in self.cuts(window, size, frame.next_element):
                piece = opener + window[:cut] + frame.closer
                self.work += len(piece)
                self.guard(piece, len(self.stack) - 1)
                try:
                    values, end = _scan(piece, 0)
                except (ValueError, StopIteration):  # the cut was inside an element or string
                    continue
                frame.add_run(values)
                frame.run_size = min(WINDOW, 2 * size)
                if end == len(piece):
                    return pos + cut, False
                return pos + end - 2, True  # piece[end - 1], the real closer, is text[pos+end-2]
        frame.skip_runs = SKIP_RUNS
        return None

    @staticmethod
    def cuts(window: str, size: int, separator: re.Pattern[str]) -> list[int]:
        """Where to close `window[:size]`: its last CUTS separators, last first, looked for in
        its last TAIL characters, else in all of it. Never at 0: that run would hold no
        element, and would decode (`[]`) over a separator where an element must be."""
        for start in (max(0, size - TAIL), 0):
            found = [m.start() for m in separator.finditer(window, max(start, 1), size)][-CUTS:]
            if found or not start:
                return found[::-1]
        return []

    def value(self, pos: int, span: int) -> tuple[Any, int] | _Open:
        """The value at `pos` and its end, or an `_Open` container when it is larger than a
        window (or malformed: then it is read element by element, to fail where json would)."""
        text = self.text
        opener = text[pos : pos + 1]
        if opener not in ("[", "{"):
            self.guard(text[pos : pos + SCALAR_PEEK], len(self.stack))
            try:
                value, end = _scan(text, pos)
            except StopIteration as err:
                raise JSONDecodeError("Expecting value", text, err.value) from None
            self.work += end - pos
            return value, end
        size = max(2 * span, SMALLEST)
        while size <= WINDOW:
            piece = text[pos : pos + size]
            self.work += len(piece)
            self.guard(piece, len(self.stack))
            try:
                value, end = _scan(piece, 0)
            except (ValueError, StopIteration):  # cut short, or malformed
                if pos + size >= len(text):
                    break
                size *= 2
            else:
                return value, pos + end
        self.guard(opener, len(self.stack))
        return _Open(opener, pos)


def _whole(text: str, value: Any, end: int) -> Any:
    """`value`, the document, if only white space follows it."""
    end = _skip(text, end)
    if end != len(text):
        raise JSONDecodeError("Extra data", text, end)
    return value


def _key(text: str, pos: int) -> tuple[str, int]:
    """An object's key at `pos`, and the start of its value."""
    if not text.startswith('"', pos):
        raise JSONDecodeError("Expecting property name enclosed in double quotes", text, pos)
    key, end = scanstring(text, pos + 1)
    end = _skip(text, end)
    if not text.startswith(":", end):
        raise JSONDecodeError("Expecting ':' delimiter", text, end)
    return key, _skip(text, end + 1)


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()
