"""How this project starts Debian's Chromium under Playwright: one place for the launch flags
the browser tests and the benchmark share.

This machine has no GPU. WebGL runs through SwiftShader (a CPU implementation of the GPU), so
that the model's WebGL path is what is tested and timed. The page is composited in software, as
Chrome does where it has no usable GPU: composited through SwiftShader, headless Chromium read
each frame back through the emulated GPU, a cost no visitor's browser pays (5 interleaved pairs
of bench runs: GPU-process CPU per cold load 960 → 280 ms, cold load 2.44 → 2.04 s, bare boot
0.97 → 0.90 s, repeat visit 1.24 → 1.00 s; tools/BENCH.md).
"""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"  # Debian's; `playwright install` cannot download one here
FLAGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
    "--enable-unsafe-swiftshader", "--use-angle=swiftshader",  # WebGL2 through SwiftShader
    "--disable-gpu-compositing",  # the page composited in software (see above)
]  # fmt: skip
