"""The catalog map's figures for `build.py bench`, on a page that shows recommendations: how
long opening the map takes once its files have arrived (web/js/atlas.js's own measure, from
the files' arrival to the first frame drawn), and the frames while zooming from the whole
catalog in and back out: each frame's drawing (JS on the main thread), and the interval
between frames (what the visitor sees, raster and compositing included)."""

from __future__ import annotations

from typing import Any

ZOOM_STEPS, ZOOM_FACTOR = 60, 1.06  # 60 frames in (to ×33), 60 back out
MAP_TIMEOUT_MS = 60_000
# One zoom step per animation frame, as a wheel held down gives.
ZOOM_SWEEP = """async ([steps, factor]) => {
  const view = animerec.atlasView;
  const first = view.frames.length;
  const intervals = [];
  let last = await new Promise(requestAnimationFrame);
  for (let k = 0; k < 2 * steps; k++) {
    view.zoomBy(k < steps ? factor : 1 / factor);
    const now = await new Promise(requestAnimationFrame);
    intervals.push(now - last);
    last = now;
  }
  return { draws: view.frames.slice(first), intervals };
}"""


def atlas_timings(page: Any) -> dict[str, Any]:
    """Open the map (its script and files load now) and sweep the zoom: {open_ms, draws,
    intervals} in ms."""
    page.click("#map-toggle")
    page.wait_for_selector("#atlas[data-open-ms]", timeout=MAP_TIMEOUT_MS)
    open_ms = float(page.get_attribute("#atlas", "data-open-ms"))
    sweep = page.evaluate(ZOOM_SWEEP, [ZOOM_STEPS, ZOOM_FACTOR])
    return {"open_ms": open_ms, **sweep}
