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
# Chromium 156 preloads the omnibox's two popups (WebUI pages) for every new window, which a
# Playwright context is: a renderer of its own, about 1 s of CPU per context that no test or
# bench figure uses (tools/BENCH.md, "The suite's time, session 16"). A visitor's browser
# preloads them once, at start, not with each page.
UNUSED_UI = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
HEAP_PROFILER = "HeapProfilerReporting"  # see above
# Chromium keeps only the last --disable-features it is given, and Playwright gives its own
# first (its chromiumSwitches.ts), so its list is repeated in ours;
# tests/browser/test_launch_flags.py checks that it still holds all of Playwright's.
PLAYWRIGHT_FEATURES_OFF = (
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin", "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled",
    "PreconnectToSearch", "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion",
)  # fmt: skip
# The same holds for --enable-features, which only the heap-profiler browser below passes.
PLAYWRIGHT_FEATURES_ON = ("CDPScreenshotNewSurface", "SkipListAccountsWithoutGaiaCookies")
DISABLE, ENABLE = "--disable-features=", "--enable-features="
BASE = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
    "--enable-unsafe-swiftshader", "--use-angle=swiftshader",  # WebGL2 through SwiftShader
    "--disable-gpu-compositing",  # the page composited in software (see above)
]  # fmt: skip


def features_off(*names: str) -> str:
    """The one --disable-features switch: Playwright's, UNUSED_UI's and `names`."""
    return DISABLE + ",".join((*PLAYWRIGHT_FEATURES_OFF, *UNUSED_UI, *names))


FLAGS = [*BASE, features_off(HEAP_PROFILER)]
# The same with Chromium's sampling heap profiler on in every renderer, sampling about every
# 4 kB allocated.
HEAP_PROFILER_FLAGS = [
    *BASE, features_off(),
    ENABLE + ",".join((*PLAYWRIGHT_FEATURES_ON, f"{HEAP_PROFILER}:stable-probability/1.0/"
                       "nonstable-probability/1.0/renderer-prob-pct/100/"
                       "renderer-sampling-rate-bytes/4096")),
]  # fmt: skip
