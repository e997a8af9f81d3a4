"""How this project starts Debian's Chromium under Playwright: one place for the launch flags
the browser tests and the benchmark share (WebGL only works here through SwiftShader)."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"  # Debian's; `playwright install` cannot download one here
FLAGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
    "--enable-unsafe-swiftshader", "--use-angle=swiftshader",  # WebGL2 through SwiftShader
]  # fmt: skip
