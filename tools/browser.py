"""How this project starts Debian's Chromium under Playwright: one place for the launch flags
the browser tests and the benchmark share.

This machine has no GPU. WebGL runs through SwiftShader (a CPU implementation of the GPU), so
that the model's WebGL path is what is tested and timed. The page is composited in software, as
Chrome does where it has no usable GPU: composited through SwiftShader, headless Chromium read
each frame back through the emulated GPU, a cost no visitor's browser pays (5 interleaved pairs
of bench runs: GPU-process CPU per cold load 960 → 280 ms, cold load 2.44 → 2.04 s, bare boot
0.97 → 0.90 s, repeat visit 1.24 → 1.00 s; tools/BENCH.md).

Chromium's sampling heap profiler is off: Debian's build turns it on in some browser sessions
(the renderers of a whole browser at once), and it killed the page's renderer whenever it
sampled an allocation while Pyodide ran Python on a WebAssembly JSPI stack (README, "Tests").
The page no longer offers Pyodide JSPI on the main thread (web/js/python-mode.js);
tests/browser/test_heap_profiler.py turns the profiler on, at every renderer and a high rate, to
check that the page survives it.
"""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"  # Debian's; `playwright install` cannot download one here
HEAP_PROFILER_OFF = "--disable-features=HeapProfilerReporting"  # see above
FLAGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
    "--enable-unsafe-swiftshader", "--use-angle=swiftshader",  # WebGL2 through SwiftShader
    "--disable-gpu-compositing",  # the page composited in software (see above)
    HEAP_PROFILER_OFF,
]  # fmt: skip
# Chromium's sampling heap profiler on in every renderer, sampling about every 4 kB allocated.
HEAP_PROFILER_ON = ("--enable-features=HeapProfilerReporting:stable-probability/1.0/"
                    "nonstable-probability/1.0/renderer-prob-pct/100/"
                    "renderer-sampling-rate-bytes/4096")  # fmt: skip
