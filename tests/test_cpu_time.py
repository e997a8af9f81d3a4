"""tools/cpu_time.py: the bench's CPU accounting counts one browser's processes, by type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tools import cpu_time

# Burns `main` seconds of CPU on its main thread and `other` on a second thread, then waits to be
# killed (an ended process is no longer counted).
BUSY = """
import sys, threading, time
def burn(seconds):
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass
other = threading.Thread(target=burn, args=(float(sys.argv[2]),))
other.start()
burn(float(sys.argv[1]))
other.join()
print("done", flush=True)
time.sleep(60)
"""


def busy_process(main: float, other: float, *args: str) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", BUSY, str(main), str(other), *args],
                               stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert process.stdout.readline().strip() == "done"
    return process


def test_counts_the_processes_of_one_profile_by_type(tmp_path: Path) -> None:
    ours, other = tmp_path / "ours", tmp_path / "other"
    processes = [
        busy_process(0.4, 0, "--type=gpu-process", f"--user-data-dir={ours}"),
        busy_process(0.2, 0, f"--user-data-dir={ours}"),  # no --type: the browser process
        busy_process(0.3, 0.6, "--type=renderer", f"--user-data-dir={ours}"),
        busy_process(0.4, 0.4, "--type=renderer", f"--user-data-dir={other}"),
    ]
    try:
        used = cpu_time.usage(ours)
    finally:
        for process in processes:
            process.kill()
            process.wait()
    assert 350 <= used["gpu"] < 1000
    assert 150 <= used["browser"] < 800
    assert 250 <= used["renderer-main"] < 600  # the other profile's renderer is not counted
    assert 550 <= used["renderer-other"] < 900
    assert used["total"] == sum(used[kind] for kind in cpu_time.KINDS)
    assert cpu_time.since({"total": 100.0}, {"total": 250.0}) == {"total": 150.0}
