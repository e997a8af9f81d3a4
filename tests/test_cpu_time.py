"""tools/cpu_time.py: the bench's CPU accounting counts one browser's processes, by type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tools import cpu_time

# Burns `seconds` of CPU, then waits to be killed (an ended process is no longer counted).
BUSY = (
    "import sys, time\nend = time.process_time() + float(sys.argv[1])\n"
    "while time.process_time() < end: pass\nprint('done', flush=True)\ntime.sleep(60)\n"
)


def busy_process(seconds: float, *args: str) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", BUSY, str(seconds), *args],
                               stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert process.stdout.readline().strip() == "done"
    return process


def test_counts_the_processes_of_one_profile_by_type(tmp_path: Path) -> None:
    ours, other = tmp_path / "ours", tmp_path / "other"
    processes = [
        busy_process(0.4, "--type=gpu-process", f"--user-data-dir={ours}"),
        busy_process(0.2, f"--user-data-dir={ours}"),  # no --type: the browser process
        busy_process(0.4, "--type=renderer", f"--user-data-dir={other}"),
    ]
    try:
        used = cpu_time.usage(ours)
    finally:
        for process in processes:
            process.kill()
            process.wait()
    assert 350 <= used["gpu"] < 1000
    assert 150 <= used["browser"] < 800
    assert used["renderer"] == 0  # the renderer belongs to another profile
    assert used["total"] == used["gpu"] + used["browser"]
    assert cpu_time.since({"total": 100.0}, {"total": 250.0}) == {"total": 150.0}
