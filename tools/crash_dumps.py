"""What a Chromium crash dump says in one line: the signal, where the crashing thread was, and
where it faulted. Debian's Chromium writes a minidump per crashed process to DUMPS (its
Crashpad database; `--crash-dumps-dir` does not move it), and `tools/run_tests.py` prints the
line of each dump written during a run that had to rerun crashed tests (README, "Tests").

Only the minidump streams that line needs are read: the exception (its thread, signal, si_code
and faulting address, and the thread's registers), the module list and the thread names.
"""

from __future__ import annotations

import struct
from pathlib import Path

DUMPS = Path.home() / ".config" / "chromium" / "Crash Reports" / "pending"
SIGNALS = {4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 11: "SIGSEGV"}
MODULES, EXCEPTION, THREAD_NAMES = 4, 6, 24  # minidump stream types
RIP, RSP = 0xF8, 0x98  # offsets in an x86-64 thread context
MODULE_SIZE = 108  # bytes of one MINIDUMP_MODULE


def dumps_since(mtime: float, folder: Path = DUMPS) -> list[Path]:
    """The dumps written at or after `mtime` (a `time.time()`), oldest first."""
    found = [p for p in folder.glob("*.dmp") if p.stat().st_mtime >= mtime]
    return sorted(found, key=lambda p: p.stat().st_mtime)


def signature(dump: bytes) -> str:
    """E.g. `SIGSEGV (si_code 2) at chromium+0x9c714bd on thread chromium, faulting at
    0x3897c3cdd000 (+10832 bytes from the stack pointer)`: the fault only where there is one."""
    streams = _streams(dump)
    at = streams[EXCEPTION]
    thread, _, signal, si_code, _, fault = struct.unpack_from("<IIIIQQ", dump, at)
    _, context = struct.unpack_from("<II", dump, at + 160)  # the record's thread context
    rip, rsp = (struct.unpack_from("<Q", dump, context + k)[0] for k in (RIP, RSP))
    name = SIGNALS.get(signal, f"signal {signal}")
    where = _module_offset(dump, streams.get(MODULES), rip)
    thread_name = _thread_names(dump, streams.get(THREAD_NAMES)).get(thread, str(thread))
    said = f"{name} (si_code {si_code}) at {where} on thread {thread_name}"
    if not fault:
        return said
    return f"{said}, faulting at {fault:#x} ({fault - rsp:+} bytes from the stack pointer)"


def _streams(dump: bytes) -> dict[int, int]:
    """Stream type → its offset in the file (the first stream of each type)."""
    magic, _, count, directory = struct.unpack_from("<4sIII", dump)
    if magic != b"MDMP":
        raise ValueError("not a minidump")
    entries = (struct.unpack_from("<III", dump, directory + 12 * i) for i in range(count))
    streams: dict[int, int] = {}
    for kind, _, offset in entries:
        streams.setdefault(kind, offset)
    return streams


def _string(dump: bytes, offset: int) -> str:
    (length,) = struct.unpack_from("<I", dump, offset)
    return dump[offset + 4 : offset + 4 + length].decode("utf-16-le", "replace")


def _module_offset(dump: bytes, modules: int | None, address: int) -> str:
    """`name+0xoffset` of the module holding `address`, else the address itself."""
    (count,) = struct.unpack_from("<I", dump, modules) if modules is not None else (0,)
    for i in range(count):
        base, size, _, _, name = struct.unpack_from("<QIIII", dump, modules + 4 + MODULE_SIZE * i)
        if base <= address < base + size:
            return f"{Path(_string(dump, name)).name}+{address - base:#x}"
    return f"{address:#x}"


def _thread_names(dump: bytes, names: int | None) -> dict[int, str]:
    if names is None:
        return {}
    (count,) = struct.unpack_from("<I", dump, names)
    rows = (struct.unpack_from("<IQ", dump, names + 4 + 12 * i) for i in range(count))
    return {thread: _string(dump, offset) for thread, offset in rows}
