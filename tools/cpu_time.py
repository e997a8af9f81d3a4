"""CPU time one Chromium has used, by process type, read from Linux's /proc.

The bench reads it around a visit: a load on 2 cores cannot finish before its CPU time over 2,
so the cold load's CPU time against the bare boot's says how low their ratio can go at all, on
this machine, with this much work. Every process of one browser names its profile folder on
its command line (`--user-data-dir=…`), which tells them from other browsers' processes.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

PROC = Path("/proc")
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 10.0
PROCESS_TYPE = re.compile(rb"--type=([a-z-]+)")
# renderer-main: the renderers' main threads (the page's JS, Python on Pyodide, layout);
# renderer-other: their other threads (V8's background compiles of JS and wasm, GC, raster);
# browser: the browser process and its utility processes (network, storage).
KINDS = ("renderer-main", "renderer-other", "gpu", "browser")


def usage(profile_dir: str | os.PathLike[str]) -> dict[str, float]:
    """ms of CPU (user + system) by KINDS, so far, of the processes of the browser whose
    profile folder is `profile_dir`; plus "total". Processes that ended are not counted; NaN
    without /proc (not Linux)."""
    if not PROC.is_dir():
        return dict.fromkeys((*KINDS, "total"), math.nan)
    marker = b"--user-data-dir=" + os.fsencode(profile_dir)
    used = dict.fromkeys(KINDS, 0.0)
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            if marker not in command:
                continue
            process = _cpu_ms(entry / "stat")
            match = PROCESS_TYPE.search(command)
            kind = match.group(1).decode() if match else ""
            if kind == "renderer":
                main = _cpu_ms(entry / "task" / entry.name / "stat")
        except OSError:  # ended meanwhile
            continue
        if kind == "renderer":
            used["renderer-main"] += main
            used["renderer-other"] += process - main
        else:
            used["gpu" if kind == "gpu-process" else "browser"] += process
    used["total"] = sum(used.values())
    return used


def _cpu_ms(stat_path: Path) -> float:
    """utime + stime of a /proc stat file (a process's, or one thread's under task/)."""
    stat = stat_path.read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) * TICK_MS


def since(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {kind: after[kind] - before.get(kind, 0.0) for kind in after}
