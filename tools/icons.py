"""`build.py icons`: the site's icons, drawn from web/favicon.svg by Chromium and committed
(a few kB; the build copies web/ as it is, and no build needs a browser).

- web/icons/icon-192.png, icon-512.png: the favicon as it is, for the web app manifest;
- web/icons/maskable-512.png: the glyph within the central 80% (the safe zone a phone's mask
  keeps) on a full-bleed square of the favicon's colour;
- web/icons/apple-touch-icon.png (180 px, opaque: iOS fills transparency with black);
- web/favicon.ico (16 and 32 px): what browsers and crawlers ask for without reading the page.
"""

from __future__ import annotations

import argparse
import re
from io import BytesIO
from pathlib import Path

from PIL import Image

from tools.browser import CHROMIUM, FLAGS

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
SVG = WEB / "favicon.svg"
SAFE_ZONE = 0.8  # of a maskable icon's width, kept whole by every mask shape
# (file under web/, size in px, maskable: glyph in the safe zone on a full-bleed square)
ICONS = (
    ("icons/icon-192.png", 192, False),
    ("icons/icon-512.png", 512, False),
    ("icons/maskable-512.png", 512, True),
    ("icons/apple-touch-icon.png", 180, True),
)
ICO_SIZES = (16, 32)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def main(args: argparse.Namespace) -> int:
    del args
    from playwright.sync_api import sync_playwright

    svg = SVG.read_text()
    background = re.search(r'fill="(#[0-9a-fA-F]{6})"', svg).group(1)  # the rounded square's
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        for name, size, maskable in ICONS:
            png = render(page, svg, size, background if maskable else None)
            write(WEB / name, png)
        small = [Image.open(BytesIO(render(page, svg, s, None))) for s in ICO_SIZES]
        browser.close()
    ico = BytesIO()
    small[-1].save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=small)
    write(WEB / "favicon.ico", ico.getvalue())
    return 0


def render(page, svg: str, size: int, background: str | None) -> bytes:
    """`svg` as a size×size PNG: transparent around it, or (maskable) scaled into the safe
    zone on a full square of `background`."""
    inner = round(size * SAFE_ZONE) if background else size
    page.set_viewport_size({"width": size, "height": size})
    page.set_content("<!doctype html><body></body>")
    page.evaluate(
        """([svg, size, inner, background]) => {
          document.body.style.cssText = `margin:0;width:${size}px;height:${size}px;display:grid;`
            + `place-items:center;background:${background || "transparent"}`;
          const img = new Image(inner, inner);
          img.src = "data:image/svg+xml;base64," + btoa(svg);
          document.body.append(img);
          return img.decode();
        }""",
        [svg, size, inner, background],
    )
    return page.screenshot(omit_background=background is None)


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"[icons] {path.relative_to(ROOT)}: {len(data):,} bytes")
