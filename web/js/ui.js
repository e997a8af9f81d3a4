// The page's view: rendering and the listeners. Every title and username goes into the DOM as
// text (textContent), never as HTML. Python decides what to show and hands plain JSON here;
// `listen` owns the DOM events and calls Python back with values (web/py/bridge.py lists them).

import { flip } from "./flip.js";
import { wireShare } from "./share.js";

export const COVER_ORIGIN = "https://s4.anilist.co/"; // the only image host the CSP allows besides self

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const THEME_KEY = "animerec:theme";
const COVERS_KEY = "animerec:covers";

/** localStorage, or null where the browser blocks it (the page then forgets between visits). */
export function remembered(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function remember(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // storage blocked or full: keep working without it
  }
}

/** Whether covers are on (the visitor's remembered switch; on unless turned off). */
export function coversOn() {
  return remembered(COVERS_KEY) !== "off";
}

/**
 * Wire the page's controls to `handlers` (Python): source(kind, value) for a submitted
 * <form class="source" data-source=KIND> (value: its [data-value] field's text, or its File, or
 * undefined), search(text), pick(malId, score) (no score: remove), dismiss(malId), restore(malId),
 * covers(on), map() (the map toggle). Controls that only change the view (theme, panels) are handled here.
 */
export function listen(handlers) {
  for (const form of document.querySelectorAll("form.source")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const field = form.querySelector("[data-value]");
      // undefined, not null: Pyodide turns undefined into None (null into jsnull)
      const value = !field ? undefined : field.type === "file" ? field.files[0] : field.value;
      handlers.source(form.dataset.source, value);
    });
  }
  $("file-input").addEventListener("change", (event) => {
    const file = event.target.files[0];
    $("file-name").textContent = file ? `Selected: ${file.name}` : "";
  });
  $("search-input").addEventListener("input", (event) => handlers.search(event.target.value));
  for (const list of [$("search-results"), $("rated")]) {
    list.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      const row = button?.closest("li");
      if (!row) return;
      const score = button.classList.contains("add") ? Number(row.querySelector("select").value)
        : undefined;
      handlers.pick(Number(row.dataset.malId), score);
    });
  }
  for (const list of document.querySelectorAll("#results ol.cards")) { // the cards and shelves
    list.addEventListener("click", (event) => {
      const button = event.target.closest("button.dismiss");
      if (button) handlers.dismiss(Number(button.closest("li").dataset.malId));
    });
  }
  for (const box of [$("undo"), $("hidden-list")]) {
    box.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-mal-id]");
      if (button) handlers.restore(Number(button.dataset.malId));
    });
  }
  $("map-toggle").addEventListener("click", () => handlers.map());
  const covers = $("covers-toggle");
  covers.checked = coversOn();
  covers.addEventListener("change", () => {
    remember(COVERS_KEY, covers.checked ? null : "off");
    document.body.classList.toggle("no-covers", !covers.checked);
    handlers.covers(covers.checked);
  });
  document.body.classList.toggle("no-covers", !covers.checked);
}

/** The view-only controls: theme, the folded sources, the filter panel (a drawer on phones). */
function wireView() {
  const theme = $("theme-toggle");
  const dark = matchMedia("(prefers-color-scheme: dark)");
  const isDark = () => (document.documentElement.dataset.theme || (dark.matches ? "dark" : "light"))
    === "dark";
  const show = () => {
    theme.setAttribute("aria-pressed", String(isDark()));
  };
  theme.addEventListener("click", () => {
    const next = isDark() ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    remember(THEME_KEY, next);
    show();
  });
  dark.addEventListener("change", show);
  show();
  wireShare(setStatus);
  $("change-list").addEventListener("click",
                                    () => setSourcesOpen($("source-forms").hidden, true));
  const panel = $("filter-panel");
  const toggle = $("filters-toggle");
  const setOpen = (open) => {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) panel.querySelector("input, select, button:not(#filters-close)")?.focus();
    else toggle.focus();
  };
  toggle.addEventListener("click", () => setOpen(panel.hidden));
  $("filters-close").addEventListener("click", () => setOpen(false));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setOpen(false);
    else if (event.key === "Tab") keepFocusInDrawer(panel, event);
  });
}

/** On phones the filter panel is a drawer over the page: Tab cycles within it. */
function keepFocusInDrawer(panel, event) {
  if (getComputedStyle(panel).position !== "fixed") return;
  const stops = [...panel.querySelectorAll("button, input, select")]
    .filter((e) => !e.disabled && e.offsetParent !== null);
  const [first, last] = [stops[0], stops.at(-1)];
  const wrapTo = event.shiftKey ? (document.activeElement === first ? last : null)
    : (document.activeElement === last ? first : null);
  if (wrapTo) {
    event.preventDefault();
    wrapTo.focus();
  }
}

/** Unfold (or fold) the source forms; `focus`: move the focus to the first field (on "change"). */
function setSourcesOpen(open, focus = false) {
  $("source-forms").hidden = !open;
  $("change-list").setAttribute("aria-expanded", String(open));
  if (open && focus) $("source-forms").querySelector("input:not([disabled])")?.focus();
}

/** Put `value` in the [data-value] field of the source form `kind` (a shared ?anilist= link). */
export function setSourceValue(kind, value) {
  document.querySelector(`form.source[data-source="${kind}"] [data-value]`).value = value;
}

/**
 * The address bar's query with each key of `json` ({key: value}) set to its value, or deleted
 * where it is null (a set key moves to the end), replacing the history entry (a shared link).
 */
export function replaceQuery(json) {
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(JSON.parse(json))) {
    url.searchParams.delete(key);
    if (value !== null) url.searchParams.set(key, value);
  }
  history.replaceState(null, "", url.href);
}

/** After a list is answered: the source forms fold into "Your list: NAME · change". */
function foldSources(name) {
  document.body.classList.add("answered");
  $("list-name").textContent = name;
  $("list-bar").hidden = false;
  $("source-forms").hidden = true;
  $("change-list").setAttribute("aria-expanded", "false");
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wireView);
else wireView();

/** The catalog map's box and its toggle button, shown or hidden (the map is atlas.js's). */
export function showMap(shown) {
  $("atlas").hidden = !shown;
  $("map-toggle").setAttribute("aria-pressed", String(shown));
}

export function mapShown() {
  return !$("atlas").hidden;
}

export function setStatus(text) {
  $("status").textContent = text;
}

/** Ready for input, or not; a page whose loading failed (body.failed) stays not ready. */
export function setReady(ready) {
  ready = ready && !document.body.classList.contains("failed");
  for (const button of document.querySelectorAll("form.source button")) button.disabled = !ready;
  $("search-input").disabled = !ready;
  document.body.classList.toggle("ready", ready);
}

let firstRunEnded;
/** Settles when the page's first request (a profile and its explanations) has ended. */
export const firstRun = new Promise((resolve) => { firstRunEnded = resolve; });

/** Busy while a request runs; body[data-runs] counts finished requests (tests wait on it). */
export function setBusy(busy) {
  document.body.classList.toggle("busy", busy);
  if (!busy) {
    document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
    firstRunEnded();
  }
  for (const button of document.querySelectorAll("form.source button")) button.disabled = busy;
}

export function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

/**
 * A cover image, or a CSS placeholder when there is none or it fails: never a broken box. Its
 * box has a fixed aspect ratio, filled with the cover's dominant `color` while it loads.
 */
function cover(url, title, color) {
  const placeholder = el("span", { class: "cover placeholder", "aria-hidden": "true",
                                   text: (title || "?").trim().charAt(0).toUpperCase() });
  if (!url || !url.startsWith(COVER_ORIGIN) || document.body.classList.contains("no-covers")) {
    return placeholder;
  }
  const img = el("img", { class: "cover", alt: "", loading: "lazy", referrerpolicy: "no-referrer",
                          width: "100", height: "142", decoding: "async" });
  if (color && /^#[0-9a-f]{6}$/i.test(color)) img.style.backgroundColor = color;
  img.addEventListener("error", () => img.replaceWith(placeholder), { once: true });
  img.src = url;
  return img;
}

/** Covers that came after the cards ({mal_id: {url, color}}): swapped into their placeholders. */
export function applyCovers(json) {
  const covers = JSON.parse(json);
  for (const card of document.querySelectorAll("#results ol.cards > li.card")) {
    const found = covers[card.dataset.malId];
    const old = card.querySelector(".cover.placeholder");
    if (found && old) old.replaceWith(cover(found.url, card.dataset.title, found.color));
  }
}

function facts(card) {
  const parts = [card.type, card.year, card.episodes ? `${card.episodes} ep.` : null];
  return parts.filter(Boolean).join(" · ");
}

/** "Because you watched A, B, C": each entry a span carrying its MyAnimeList id. */
function because(entries) {
  const parts = ["Because you watched "];
  entries.forEach((e, i) => {
    if (i) parts.push(", ");
    parts.push(el("span", { text: e.title, dataset: { malId: String(e.mal_id) } }));
  });
  return el("p", { class: "because" }, ...parts);
}

/**
 * One recommendation card; `because` ([{mal_id, title}] from the visitor's list) and `reasons`
 * (plain sentences: each person's reason when watching together, or what a "New for you"
 * title's place rests on) are optional.
 */
export function renderCard(card) {
  const links = el("p", { class: "links" },
    el("a", { href: card.mal_url, rel: "noopener noreferrer", target: "_blank",
              text: "MyAnimeList" }));
  if (card.anilist_url) {
    links.append(" ", el("a", { href: card.anilist_url, rel: "noopener noreferrer",
                                target: "_blank", text: "AniList" }));
  }
  return el("li", { class: card.planned ? "card planned" : "card",
                    dataset: { malId: String(card.mal_id), title: card.title } },
    cover(card.cover, card.title, card.color),
    el("div", { class: "body" },
      el("h3", { class: "title", text: card.title }),
      card.title_en ? el("p", { class: "title-en", text: card.title_en }) : null,
      el("p", { class: "facts", text: facts(card) }),
      card.genres.length ? el("p", { class: "genres", text: card.genres.join(", ") }) : null,
      card.match === null
        ? el("p", { class: "match unscored", text: "New: not scored by the model yet" })
        : el("p", { class: "match", text: card.match }),
      card.planned ? el("p", { class: "planned", text: "On your plan-to-watch list" }) : null,
      card.because && card.because.length ? because(card.because) : null,
      ...(card.reasons || []).map((text) => el("p", { class: "because reason", text })),
      links,
      el("button", { type: "button", class: "dismiss", text: "Not interested",
                     "aria-label": `Not interested: ${card.title}` })));
}

export function setBackend(name) {
  $("backend").textContent = `The model runs on TF.js backend: ${name}`;
  $("backend").dataset.backend = name;
}

/**
 * The whole results view in one call (one round trip from PyScript's worker): {continue, fresh}
 * (the shelves: {cards}, each hidden while it has none), filters (how many are on) and results
 * ({who, summary, list: [{title, cover, score}], cards: [...]}); cards that stay glide to their
 * new place (flip.js). body[data-renders] counts renders (tests wait on it).
 */
export function renderView(json) {
  const view = JSON.parse(json);
  for (const id of ["continue", "fresh"]) renderShelf(view[id].cards, id);
  showFilterCount(view.filters);
  renderResults(view.results);
  document.body.dataset.renders = String(Number(document.body.dataset.renders || 0) + 1);
}

function renderResults(view) {
  flip($("recommendations"), () => {
    $("summary").textContent = view.summary;
    $("your-list").replaceChildren(...view.list.map((entry) =>
      el("li", { title: entry.title }, cover(entry.cover, entry.title),
         el("span", { class: "caption", text: entry.score ? `${entry.title} (${entry.score})`
                                                             : entry.title }))));
    $("recommendations").replaceChildren(...view.cards.map(renderCard));
  });
  $("results").hidden = false;
  foldSources(view.who);
}

function renderShelf(cards, id) {
  $(`${id}-cards`).replaceChildren(...cards.map(renderCard));
  $(id).hidden = !cards.length;
}

/** No results (an error): the forms open again, with the visitor's input as it was. */
export function clearResults() {
  $("results").hidden = true;
  $("recommendations").replaceChildren();
  setSourcesOpen(true);
}

/** The filter panel's button says how many filters are on: "Filters (2)". */
function showFilterCount(count) {
  $("filters-toggle").textContent = count ? `Filters (${count})` : "Filters";
}

/** "Hidden TITLE. Undo" after "not interested" (empty `title`: nothing to undo). */
export function showUndo(malId, title) {
  const box = $("undo");
  if (!title) {
    box.replaceChildren();
    return;
  }
  const undo = el("button", { type: "button", dataset: { malId: String(malId) }, text: "Undo",
                              "aria-label": `Undo: show ${title} again` });
  box.replaceChildren(`Hidden “${title}”. `, undo);
  undo.focus();
}

/** The titles marked "not interested": [{mal_id, title}], each with a Restore button. */
export function renderHidden(json) {
  const hidden = JSON.parse(json);
  $("hidden-count").textContent = String(hidden.length);
  $("hidden-titles").hidden = !hidden.length;
  $("hidden-list").replaceChildren(...hidden.map((h) =>
    el("li", {}, el("span", { text: h.title }),
       el("button", { type: "button", dataset: { malId: String(h.mal_id) }, text: "Restore",
                      "aria-label": `Restore ${h.title}` }))));
}

/** Focus a card's "not interested" button (after an undo, for keyboard use). */
export function focusCard(malId) {
  document.querySelector(`#results ol.cards > li[data-mal-id="${Number(malId)}"] button.dismiss`)
    ?.focus();
}

/**
 * Search hits for "rate a few titles" (`json`: [{mal_id, label}]), each with a score picker,
 * if they are for what the search field holds (`query`): with Python in its worker, the hits
 * of an earlier keystroke can arrive after the next, and would replace the list under the
 * visitor's keyboard focus. The list says which query it shows (data-query).
 */
export function renderSearchResults(query, json) {
  if (query !== $("search-input").value) return;
  const hits = JSON.parse(json);
  $("search-results").dataset.query = query;
  $("search-results").replaceChildren(...hits.map((hit) => {
    const select = el("select", { "aria-label": `Score for ${hit.label}` },
      ...Array.from({ length: 10 }, (_, i) => el("option", { value: String(10 - i),
                                                             text: String(10 - i) })));
    select.value = "8";
    return el("li", { dataset: { malId: String(hit.mal_id) } },
      el("span", { class: "label", text: hit.label }), select,
      el("button", { type: "button", class: "add", text: "Add" }));
  }));
}

/** The titles rated so far: [{mal_id, label, score}]. */
export function renderRated(json) {
  const rated = JSON.parse(json);
  $("rated").replaceChildren(...rated.map((r) =>
    el("li", { dataset: { malId: String(r.mal_id) } },
      el("span", { class: "label", text: `${r.label}: ${r.score}/10` }),
      el("button", { type: "button", class: "remove", text: "Remove" }))));
}

/** Rows of the loading panel: progress(label) → {update(loaded, total), done(text)}. */
export function progressRow(label) {
  const bar = el("progress", { max: "1", value: "0" });
  const text = el("span", { class: "bytes" });
  const row = el("li", {}, el("span", { class: "what", text: label }), bar, text);
  $("progress").append(row);
  return {
    update(loaded, total) {
      bar.max = total || 1;
      bar.value = Math.min(loaded, total || loaded);
      text.textContent = total ? `${mb(loaded)} / ${mb(total)}` : mb(loaded);
    },
    done(note) {
      bar.value = bar.max;
      row.classList.add("done");
      if (note) text.textContent = note;
    },
  };
}

export function mb(bytes) {
  return `${(bytes / 1e6).toFixed(bytes < 1e6 ? 2 : 1)} MB`;
}
