// The catalog map: every title a point at the position the converter laid out from the model's
// item vectors (converter/atlas.py), drawn on a 2D canvas, coloured by genre or year. The
// visitor's list and the recommendations are lit up; titles the filters exclude are dimmed.
// Wheel, pinch, drag and the keyboard (+ − arrows 0) zoom and pan; hover or tap shows a title,
// a click asks Python (web/py/atlas_panel.py) for its card. Python decides what to light up and
// what the filters keep; this file owns the listeners and calls back with a catalog index.
// Imported on the first open only (loader.js's openAtlas): nothing here is on the cold path.

import { check } from "./integrity.js";
import { COVER_ORIGIN, renderCard } from "./ui.js";

const GENRE_PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
                       "#f032e6", "#9a6324", "#469990", "#800000", "#808000", "#a9a9b3"];
const BACKGROUND = "#14161c";
const DIMMED = "rgba(140, 145, 160, 0.18)";
const LIST_COLOUR = "#ffffff";
const REC_COLOUR = "#ffd23f";
const ZOOM_MIN = 0.8;
const ZOOM_MAX = 64;
const KEY_ZOOM = 1.5;
const KEY_PAN = 60; // CSS pixels per arrow press
const TAP_SLOP = 6; // CSS pixels a press may move and still be a click
const HIT_RADIUS = 10; // CSS pixels around a point that hover and click reach
const GRID = 128; // cells per axis of the hit-test grid
const REGION_ZOOM = [0, 2.5]; // from these zooms on, labels of level 0, 1 show
const TITLE_ZOOM = 6; // from this zoom on, titles of points in view show
const MAX_TITLE_LABELS = 60;
const FONT = "12px system-ui, sans-serif";
const KEPT = { "1": 1, "0": 0, "-": 2 }; // highlights' mask: kept, dimmed, not drawn at all
const UNSHOWN = 2;
const LABEL_GENRES = " · "; // a region label joins its genres with this

/** A year colour: blue (old) through violet to red (new) in `buckets` steps, clear of the
 * recommendations' yellow; dark grey for unknown. */
function yearPalette(buckets) {
  const colours = Array.from({ length: buckets }, (_, b) =>
    `hsl(${Math.round(210 + 150 * (b / Math.max(buckets - 1, 1))) % 360} 80% 60%)`);
  return [...colours, "#5d6070"];
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

async function fetchChecked(dir, name, manifest) {
  const url = new URL(name, dir);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  const bytes = await response.arrayBuffer();
  await check(bytes, name, manifest.files?.[name]?.sha256);
  return bytes;
}

/** The model folder's atlas files, each checked against its manifest: {meta, positions}. */
async function loadFiles(dir) {
  const response = await fetch(new URL("manifest.json", dir));
  if (!response.ok) throw new Error(`HTTP ${response.status} for the model's manifest`);
  const manifest = await response.json();
  if (!manifest.atlas?.meta) throw new Error("this model has no map (build.py atlas makes one)");
  const meta = JSON.parse(new TextDecoder().decode(
    await fetchChecked(dir, manifest.atlas.meta, manifest)));
  const bytes = await fetchChecked(dir, meta.positions, manifest);
  const view = new DataView(bytes);
  const positions = new Float32Array(meta.n_items * 2);
  for (let k = 0; k < positions.length; k++) positions[k] = view.getInt16(2 * k, true);
  return { meta, positions };
}

/** Catalog indices in a GRID×GRID grid over the layout, for hit tests near the pointer. */
function hitGrid(positions, extent) {
  const cells = Array.from({ length: GRID * GRID }, () => []);
  const n = positions.length / 2;
  for (let i = 0; i < n; i++) cells[cellOf(positions[2 * i], positions[2 * i + 1], extent)].push(i);
  return cells;
}

function cellIndex(v, extent) {
  return Math.min(GRID - 1, Math.max(0, Math.floor(((v + extent) / (2 * extent)) * GRID)));
}

function cellOf(x, y, extent) {
  return cellIndex(y, extent) * GRID + cellIndex(x, extent);
}

/**
 * Open the map in `container` for the model folder `dir` (a URL ending in "/"); `itemsJson`
 * is web/py/atlas_view.items(catalog), `onPick(index)` is called when a title is clicked.
 * Returns the handle Python keeps: update(highlightsJson), showCard(cardJson), close().
 */
export async function open(container, dir, itemsJson, onPick) {
  const { meta, positions } = await loadFiles(dir);
  const arrived = performance.now();
  performance.mark("animerec:atlas-files");
  const items = JSON.parse(itemsJson);
  if (items.titles.length !== meta.n_items) {
    throw new Error(`the map has ${meta.n_items} titles, the catalog ${items.titles.length}`);
  }
  const map = new AtlasMap(container, meta, positions, items, onPick);
  map.draw();
  const openMs = performance.now() - arrived;
  container.dataset.openMs = openMs.toFixed(1);
  performance.mark("animerec:atlas-drawn");
  return map.handle();
}

class AtlasMap {
  constructor(container, meta, positions, items, onPick) {
    Object.assign(this, { container, meta, positions, items, onPick });
    this.n = meta.n_items;
    this.extent = meta.extent;
    this.grid = hitGrid(positions, meta.extent);
    this.mode = "genre";
    this.kept = null; // Uint8Array(n) of 1 (kept) / 0 (dimmed) / UNSHOWN, null: all kept
    this.unshownGenres = new Set(); // region labels naming one of these are not drawn
    this.list = new Int32Array(0);
    this.recs = new Int32Array(0);
    this.covers = new Map();
    this.view = { cx: 0, cy: 0, zoom: 1 }; // world centre and zoom over "fit"
    this.pointers = new Map(); // pointerId → {x, y} in CSS pixels, while pressed
    this.frames = []; // milliseconds each draw took (bench.py reads them)
    this.listeners = [];
    this.build();
    this.classify();
  }

  handle() {
    return {
      update: (json) => this.update(JSON.parse(json)),
      showCard: (json) => this.showCard(JSON.parse(json)),
      close: () => this.close(),
      frames: this.frames,
      zoomBy: (factor) => this.zoomAt(factor, this.width / 2, this.height / 2),
      /** The region labels drawn last (for tests). */
      regions: () => [...this.regions],
      /** Client coordinates of catalog title `index` now (for tests). */
      clientPoint: (index) => {
        const rect = this.canvas.getBoundingClientRect();
        const [x, y] = this.toScreen(this.positions[2 * index], this.positions[2 * index + 1]);
        return { x: rect.left + x, y: rect.top + y };
      },
    };
  }

  build() {
    const n = this.n.toLocaleString("en");
    this.canvas = el("canvas", { tabIndex: 0, className: "atlas-canvas" });
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", `Map of the ${n} titles of the catalog, similar titles ` +
      "close together; your titles in white, recommendations in yellow. The list of " +
      "recommendations below holds the same titles as text. Arrow keys pan, + and − zoom.");
    this.tip = el("div", { className: "atlas-tip", hidden: true });
    this.tip.setAttribute("aria-hidden", "true");
    this.legend = el("ul", { className: "atlas-legend" });
    this.card = el("ul", { className: "atlas-card cards" });
    this.card.setAttribute("aria-live", "polite");
    const colour = el("fieldset", { className: "atlas-colour" }, el("legend", { textContent: "Colour by" }),
                      ...["genre", "year"].map((mode) => this.radio(mode)));
    const zoom = (label, factor, text) => {
      const button = el("button", { type: "button", textContent: text });
      button.setAttribute("aria-label", label);
      this.listen(button, "click", () => (factor ? this.zoomAt(factor, this.width / 2,
                                                               this.height / 2) : this.reset()));
      return button;
    };
    const tools = el("div", { className: "atlas-tools" }, colour,
                     zoom("Zoom in", KEY_ZOOM, "+"), zoom("Zoom out", 1 / KEY_ZOOM, "−"),
                     zoom("Show the whole map", 0, "Fit"));
    const stage = el("div", { className: "atlas-stage" }, this.canvas, this.tip);
    this.container.replaceChildren(tools, stage, this.legend, this.card);
    this.container.dataset.points = String(this.n);
    this.ctx = this.canvas.getContext("2d", { alpha: false });
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(this.canvas);
    this.fit();
    this.listenAll();
  }

  radio(mode) {
    const input = el("input", { type: "radio", name: "atlas-colour", value: mode,
                                checked: mode === this.mode });
    this.listen(input, "change", () => { this.mode = mode; this.classify(); this.requestDraw(); });
    return el("label", {}, input, ` ${mode === "genre" ? "Genre" : "Year"}`);
  }

  listen(target, type, handler, options) {
    target.addEventListener(type, handler, options);
    this.listeners.push(() => target.removeEventListener(type, handler, options));
  }

  close() {
    this.listeners.forEach((remove) => remove());
    this.resize.disconnect();
    this.container.replaceChildren();
  }

  /** Canvas size from its CSS box, in device pixels; keeps the view. */
  fit() {
    const dpr = window.devicePixelRatio || 1;
    this.width = this.canvas.clientWidth;
    this.height = this.canvas.clientHeight;
    this.canvas.width = Math.max(1, Math.round(this.width * dpr));
    this.canvas.height = Math.max(1, Math.round(this.height * dpr));
    this.dpr = dpr;
    if (this.members) this.requestDraw();
  }

  /** Pixels per world unit at zoom 1: the whole layout fits the canvas. */
  baseScale() {
    return (0.94 * Math.min(this.width, this.height)) / (2 * this.extent);
  }

  toScreen(x, y) {
    const s = this.baseScale() * this.view.zoom;
    return [this.width / 2 + (x - this.view.cx) * s, this.height / 2 + (y - this.view.cy) * s];
  }

  toWorld(px, py) {
    const s = this.baseScale() * this.view.zoom;
    return [this.view.cx + (px - this.width / 2) / s, this.view.cy + (py - this.height / 2) / s];
  }

  /** Colour class per title (Python's), and the titles of each class, for batched drawing. */
  classify() {
    const { classes, legend } = this.items[this.mode];
    this.palette = this.mode === "genre" ? GENRE_PALETTE : yearPalette(legend.length - 1);
    this.classes = classes;
    this.legend.replaceChildren(...legend.map((name, c) => {
      const swatch = el("span", { className: "swatch" });
      swatch.style.background = this.palette[Math.min(c, this.palette.length - 1)];
      return el("li", {}, swatch, ` ${name}`);
    }));
    this.bucket();
  }

  /** The titles per colour class, the dimmed ones apart (drawn first, in one colour). */
  bucket() {
    const members = this.palette.map(() => []);
    const dimmed = [];
    for (let i = 0; i < this.n; i++) {
      if (this.kept?.[i] === UNSHOWN) continue;
      if (this.kept && !this.kept[i]) dimmed.push(i);
      else members[Math.min(this.classes[i], members.length - 1)].push(i);
    }
    this.members = members.map((list) => Int32Array.from(list));
    this.dimmed = Int32Array.from(dimmed);
  }

  /** {list, recs, kept, unshown_genres, covers} from web/py/atlas_view.highlights. */
  update(view) {
    this.list = Int32Array.from(view.list);
    this.recs = Int32Array.from(view.recs);
    this.kept = view.kept ? Uint8Array.from(view.kept, (c) => KEPT[c] ?? 0) : null;
    this.unshownGenres = new Set(view.unshown_genres);
    this.covers = new Map(Object.entries(view.covers).map(([k, url]) => [Number(k), url]));
    this.container.dataset.listed = String(this.list.length);
    this.container.dataset.recs = String(this.recs.length);
    this.container.dataset.dimmed = String(this.kept ? this.kept.filter((k) => !k).length : 0);
    this.container.dataset.unshown = String(this.kept ? this.kept.filter((k) => k === UNSHOWN).length
                                                      : 0);
    this.bucket();
    this.requestDraw();
  }

  showCard(card) {
    const close = el("button", { type: "button", className: "atlas-close", textContent: "Close" });
    close.addEventListener("click", () => this.card.replaceChildren(), { once: true });
    const li = renderCard(card);
    li.querySelector(".body").append(close);
    this.card.replaceChildren(li);
  }

  requestDraw() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => { this.pending = 0; this.draw(); });
  }

  draw() {
    const started = performance.now();
    const { ctx, dpr } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const radius = Math.min(4, 1.4 * Math.sqrt(this.view.zoom));
    let drawn = this.points(this.dimmed, DIMMED, radius);
    this.members.forEach((list, c) => { drawn += this.points(list, this.palette[c], radius); });
    const lit = this.rings(this.list, LIST_COLOUR, radius + 1.5) +
                this.rings(this.recs, REC_COLOUR, radius + 2.5);
    this.labels();
    this.container.dataset.drawn = String(drawn);
    this.container.dataset.highlighted = String(lit);
    this.container.dataset.zoom = this.view.zoom.toFixed(3);
    this.frames.push(performance.now() - started);
  }

  /** Squares for `indices` in one path and one fill; returns how many were in view. */
  points(indices, colour, radius) {
    const { ctx, positions, width, height } = this;
    const s = this.baseScale() * this.view.zoom;
    const ox = width / 2 - this.view.cx * s;
    const oy = height / 2 - this.view.cy * s;
    const size = 2 * radius;
    let drawn = 0;
    ctx.beginPath();
    for (const i of indices) {
      const x = ox + positions[2 * i] * s;
      const y = oy + positions[2 * i + 1] * s;
      if (x < -size || y < -size || x > width + size || y > height + size) continue;
      ctx.rect(x - radius, y - radius, size, size);
      drawn += 1;
    }
    ctx.fillStyle = colour;
    ctx.fill();
    return drawn;
  }

  /** Circles with a dark edge for highlighted `indices`; returns how many were in view. */
  rings(indices, colour, radius) {
    const { ctx, width, height } = this;
    let drawn = 0;
    ctx.beginPath();
    for (const i of indices) {
      const [x, y] = this.toScreen(this.positions[2 * i], this.positions[2 * i + 1]);
      if (x < -radius || y < -radius || x > width + radius || y > height + radius) continue;
      ctx.moveTo(x + radius, y);
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
      drawn += 1;
    }
    ctx.fillStyle = colour;
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = BACKGROUND;
    ctx.stroke();
    return drawn;
  }

  /** Region labels of the levels the zoom allows, then titles once zoomed in, none overlapping. */
  labels() {
    const { ctx } = this;
    const taken = [];
    ctx.font = FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    const place = (text, x, y, colour) => {
      const w = ctx.measureText(text).width + 6;
      const box = [x - w / 2, y - 9, x + w / 2, y + 9];
      if (box[2] < 0 || box[0] > this.width || box[3] < 0 || box[1] > this.height) return false;
      if (taken.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) {
        return false;
      }
      taken.push(box);
      ctx.fillStyle = "rgba(20, 22, 28, 0.72)";
      ctx.fillRect(box[0], box[1], w, 18);
      ctx.fillStyle = colour;
      ctx.fillText(text, x, y);
      return true;
    };
    if (this.view.zoom >= TITLE_ZOOM) {
      for (const i of this.titlesInView()) {
        const [x, y] = this.toScreen(this.positions[2 * i], this.positions[2 * i + 1]);
        place(this.items.titles[i], x, y - 12, "#f2f3f7");
      }
    }
    const regions = [];
    for (const label of this.meta.labels) {
      if (this.view.zoom < REGION_ZOOM[label.level]) continue;
      if (label.text.split(LABEL_GENRES).some((g) => this.unshownGenres.has(g))) continue;
      const [x, y] = this.toScreen(label.x, label.y);
      if (place(label.text, x, y, label.level ? "#c9cde0" : "#ffffff")) regions.push(label.text);
    }
    this.container.dataset.labels = String(taken.length);
    this.regions = regions;
  }

  /** Up to MAX_TITLE_LABELS titles in view: the lit-up ones first. */
  titlesInView() {
    const inView = (i) => {
      const [x, y] = this.toScreen(this.positions[2 * i], this.positions[2 * i + 1]);
      return x >= 0 && y >= 0 && x <= this.width && y <= this.height;
    };
    const out = [...this.recs, ...this.list].filter(inView);
    for (let i = 0; i < this.n && out.length < 4 * MAX_TITLE_LABELS; i++) {
      if (inView(i) && (!this.kept || this.kept[i] === 1)) out.push(i);
    }
    return [...new Set(out)].slice(0, MAX_TITLE_LABELS);
  }

  /** The catalog index nearest to CSS pixel (px, py) within HIT_RADIUS, or -1. */
  nearest(px, py) {
    const [wx, wy] = this.toWorld(px, py);
    const reach = HIT_RADIUS / (this.baseScale() * this.view.zoom);
    const [x0, x1] = [cellIndex(wx - reach, this.extent), cellIndex(wx + reach, this.extent)];
    const [y0, y1] = [cellIndex(wy - reach, this.extent), cellIndex(wy + reach, this.extent)];
    let best = -1;
    let bestD = reach * reach;
    for (let cy = y0; cy <= y1; cy++) {
      for (let cx = x0; cx <= x1; cx++) {
        for (const i of this.grid[cy * GRID + cx]) {
          if (this.kept?.[i] === UNSHOWN) continue;
          const dx = this.positions[2 * i] - wx;
          const dy = this.positions[2 * i + 1] - wy;
          if (dx * dx + dy * dy <= bestD) [best, bestD] = [i, dx * dx + dy * dy];
        }
      }
    }
    return best;
  }

  /** Zoom by `factor` keeping the world point under CSS pixel (px, py) in place. */
  zoomAt(factor, px, py) {
    const zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, this.view.zoom * factor));
    const [wx, wy] = this.toWorld(px, py);
    this.view.zoom = zoom;
    const [ax, ay] = this.toWorld(px, py);
    this.view.cx += wx - ax;
    this.view.cy += wy - ay;
    this.requestDraw();
  }

  panBy(dx, dy) {
    const s = this.baseScale() * this.view.zoom;
    this.view.cx -= dx / s;
    this.view.cy -= dy / s;
    this.requestDraw();
  }

  reset() {
    this.view = { cx: 0, cy: 0, zoom: 1 };
    this.requestDraw();
  }

  showTip(index, px, py) {
    if (index < 0) {
      this.tip.hidden = true;
      return;
    }
    const cover = this.covers.get(index);
    const parts = [el("span", { textContent: this.items.titles[index] })];
    if (cover && cover.startsWith(COVER_ORIGIN)) {
      parts.unshift(el("img", { src: cover, alt: "", width: 50, height: 71,
                                referrerPolicy: "no-referrer" }));
    }
    this.tip.replaceChildren(...parts);
    this.tip.dataset.index = String(index);
    this.tip.style.left = `${Math.min(px + 12, this.width - 160)}px`;
    this.tip.style.top = `${py + 12}px`;
    this.tip.hidden = false;
  }

  listenAll() {
    const canvas = this.canvas;
    const local = (event) => {
      const rect = canvas.getBoundingClientRect();
      return [event.clientX - rect.left, event.clientY - rect.top];
    };
    this.listen(canvas, "wheel", (event) => {
      event.preventDefault();
      const [px, py] = local(event);
      const step = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
      this.zoomAt(Math.exp(-step * 0.002), px, py);
    }, { passive: false });
    this.listen(canvas, "pointerdown", (event) => {
      canvas.setPointerCapture(event.pointerId);
      const [x, y] = local(event);
      this.pointers.set(event.pointerId, { x, y, startX: x, startY: y });
    });
    this.listen(canvas, "pointermove", (event) => this.onMove(event, local(event)));
    this.listen(canvas, "pointerup", (event) => this.onUp(event, local(event)));
    this.listen(canvas, "pointercancel", (event) => this.pointers.delete(event.pointerId));
    this.listen(canvas, "pointerleave", (event) => {
      if (event.pointerType === "mouse") this.tip.hidden = true;
    });
    this.listen(canvas, "keydown", (event) => this.onKey(event));
  }

  onMove(event, [x, y]) {
    const pointer = this.pointers.get(event.pointerId);
    if (!pointer) {
      this.showTip(this.nearest(x, y), x, y);
      return;
    }
    const others = [...this.pointers.entries()].filter(([id]) => id !== event.pointerId);
    if (others.length === 1) { // pinch: zoom by the change of distance, about the midpoint
      const [, other] = others[0];
      const before = Math.hypot(pointer.x - other.x, pointer.y - other.y);
      const after = Math.hypot(x - other.x, y - other.y);
      if (before > 0) this.zoomAt(after / before, (x + other.x) / 2, (y + other.y) / 2);
      this.panBy((x - pointer.x) / 2, (y - pointer.y) / 2);
    } else if (others.length === 0) {
      this.panBy(x - pointer.x, y - pointer.y);
    }
    pointer.moved = pointer.moved || Math.hypot(x - pointer.startX, y - pointer.startY) > TAP_SLOP;
    Object.assign(pointer, { x, y });
  }

  onUp(event, [x, y]) {
    const pointer = this.pointers.get(event.pointerId);
    this.pointers.delete(event.pointerId);
    if (!pointer || pointer.moved || this.pointers.size) return;
    const index = this.nearest(x, y);
    this.showTip(index, x, y);
    if (index >= 0) this.onPick(index);
  }

  onKey(event) {
    const pans = { ArrowLeft: [KEY_PAN, 0], ArrowRight: [-KEY_PAN, 0],
                   ArrowUp: [0, KEY_PAN], ArrowDown: [0, -KEY_PAN] };
    const centre = [this.width / 2, this.height / 2];
    if (event.key === "+" || event.key === "=") this.zoomAt(KEY_ZOOM, ...centre);
    else if (event.key === "-" || event.key === "_") this.zoomAt(1 / KEY_ZOOM, ...centre);
    else if (event.key === "0") this.reset();
    else if (event.key in pans) this.panBy(...pans[event.key]);
    else return;
    event.preventDefault();
  }
}
