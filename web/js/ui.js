// Rendering only: every title and username goes into the DOM as text (textContent), never as
// HTML. Python decides what to show and hands plain JSON here.

import { flip } from "./flip.js";

const COVER_ORIGIN = "https://s4.anilist.co/"; // the only image host the CSP allows besides self

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

export function setStatus(text) {
  $("status").textContent = text;
}

/** Ready for input, or not; a page whose loading failed (body.failed) stays not ready. */
export function setReady(ready) {
  ready = ready && !document.body.classList.contains("failed");
  for (const button of document.querySelectorAll("#sources button")) button.disabled = !ready;
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
  for (const button of document.querySelectorAll("#sources button")) button.disabled = busy;
}

export function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

export function showFileName(name) {
  $("file-name").textContent = name ? `Selected: ${name}` : "";
}

/** A cover image, or a CSS placeholder when there is none or it fails: never a broken box. */
function cover(url, title) {
  const placeholder = el("span", { class: "cover placeholder", "aria-hidden": "true",
                                   text: (title || "?").trim().charAt(0).toUpperCase() });
  if (!url || !url.startsWith(COVER_ORIGIN)) return placeholder;
  const img = el("img", { class: "cover", alt: "", loading: "lazy", referrerpolicy: "no-referrer",
                          width: "100", height: "142" });
  img.addEventListener("error", () => img.replaceWith(placeholder), { once: true });
  img.src = url;
  return img;
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

/** One recommendation card; `because` ([{mal_id, title}] from the visitor's list) is optional. */
export function renderCard(card) {
  const links = el("p", { class: "links" },
    el("a", { href: card.mal_url, rel: "noopener noreferrer", target: "_blank",
              text: "MyAnimeList" }));
  if (card.anilist_url) {
    links.append(" ", el("a", { href: card.anilist_url, rel: "noopener noreferrer",
                                target: "_blank", text: "AniList" }));
  }
  return el("li", { class: card.planned ? "card planned" : "card",
                    dataset: { malId: String(card.mal_id) } },
    cover(card.cover, card.title),
    el("div", { class: "body" },
      el("h3", { class: "title", text: card.title }),
      card.title_en ? el("p", { class: "title-en", text: card.title_en }) : null,
      el("p", { class: "facts", text: facts(card) }),
      card.genres.length ? el("p", { class: "genres", text: card.genres.join(", ") }) : null,
      card.match === null
        ? el("p", { class: "match unscored", text: "New: not scored by the model yet" })
        : el("p", { class: "match", text: `${card.match.toFixed(1)}% match` }),
      card.planned ? el("p", { class: "planned", text: "On your plan-to-watch list" }) : null,
      card.because && card.because.length ? because(card.because) : null,
      links));
}

export function setBackend(name) {
  $("backend").textContent = `The model runs on TF.js backend: ${name}`;
  $("backend").dataset.backend = name;
}

/**
 * The results view: {summary, list: [{title, cover, score}], cards: [...]}; cards that stay
 * glide to their new place (flip.js). body[data-renders] counts renders (tests wait on it).
 */
export function renderResults(json) {
  const view = JSON.parse(json);
  flip($("recommendations"), () => {
    $("summary").textContent = view.summary;
    $("your-list").replaceChildren(...view.list.map((entry) =>
      el("li", { title: entry.title }, cover(entry.cover, entry.title),
         el("span", { class: "caption", text: entry.score ? `${entry.title} (${entry.score})`
                                                             : entry.title }))));
    $("recommendations").replaceChildren(...view.cards.map(renderCard));
  });
  $("results").hidden = false;
  document.body.dataset.renders = String(Number(document.body.dataset.renders || 0) + 1);
}

/** The "continue what you love" shelf: {cards: [...]}, hidden while it has none. */
export function renderShelf(json) {
  const { cards } = JSON.parse(json);
  $("continue-cards").replaceChildren(...cards.map(renderCard));
  $("continue").hidden = !cards.length;
}

export function clearResults() {
  $("results").hidden = true;
  $("recommendations").replaceChildren();
}

/** Search hits for "rate a few titles": [{mal_id, label}], each with a score picker. */
export function renderSearchResults(json) {
  const hits = JSON.parse(json);
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
