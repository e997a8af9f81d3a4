// The filter form in #controls. Python owns the meaning (animerec.filters.Filters); this module
// only draws the form, reads and writes its values as JSON keyed by Filters' field names, and
// reports changes, debounced so that a dragged slider or typed year re-ranks once, not per step.

const DEBOUNCE_MS = 200;
const PLAN_TO_WATCH = [["show", "Show, marked"], ["hide", "Hide"], ["boost", "Boost"]];
// A genre chip cycles through these modes on each press: [mode, mark shown, spoken state].
const GENRE_MODES = [
  ["", "", "any"], ["require", "+ ", "required"], ["exclude", "− ", "excluded"],
];

let form = null;
let lastSent = "";

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function fieldset(legend, className, ...children) {
  return el("fieldset", { class: className }, el("legend", { text: legend }), ...children);
}

function labelled(text, input) {
  return el("label", {}, el("span", { text }), input);
}

function checkbox(name, text, value = "on") {
  return el("label", { class: "check" }, el("input", { type: "checkbox", name, value }),
            el("span", { text }));
}

function select(name, options, props = {}) {
  return el("select", { name, ...props },
            ...options.map(([value, text]) => el("option", { value, text })));
}

/** A range slider with its value shown next to it in an <output>. */
function slider(name, text, props) {
  const input = el("input", { type: "range", name, id: `filter-${name}`, ...props });
  const shown = el("output", { for: input.id });
  input.addEventListener("input", () => { shown.value = input.value; });
  return el("label", {}, el("span", { text }), input, shown);
}

/** Show a genre chip in `mode` ("", "require" or "exclude"). */
function setChip(chip, mode) {
  const [, mark, state] = GENRE_MODES.find(([m]) => m === mode) ?? GENRE_MODES[0];
  chip.dataset.mode = mode;
  chip.firstChild.textContent = mark;
  chip.setAttribute("aria-label", `${chip.dataset.genre}: ${state}`);
}

/** A compact genre chip: press once to require the genre, twice to exclude it, again for any.
 * An adult genre's chip (`adult`) shows only while adult titles do. */
function chip(genre, adult) {
  const button = el("button", { type: "button", class: "chip",
                                dataset: adult ? { genre, adult: "" } : { genre } },
                    el("span", { class: "mark", "aria-hidden": "true" }), genre);
  setChip(button, "");
  button.addEventListener("click", () => {
    const next = GENRE_MODES[(GENRE_MODES.findIndex(([m]) => m === button.dataset.mode) + 1)
                             % GENRE_MODES.length][0];
    setChip(button, next);
    button.dispatchEvent(new Event("change", { bubbles: true }));
  });
  return button;
}

/**
 * Draw the form into #controls from `spec` (JSON: {types, genres, limits, defaults}) and call
 * `onChange(valuesJson)` whenever the visitor changes it.
 */
export function mount(specJson, onChange) {
  const spec = JSON.parse(specJson);
  const { limits } = spec;
  const year = (name, text) => labelled(text, el("input", {
    type: "number", name, min: limits.year[0], max: limits.year[1], inputmode: "numeric" }));
  form = el("form", { id: "filters", "aria-label": "Filter the recommendations" },
    fieldset("Type", "types", ...spec.types.map((t) => checkbox("types", t, t))),
    fieldset("Start year", "years", year("year_min", "From"), year("year_max", "To")),
    fieldset("Your list", "list",
      labelled("Plan-to-watch titles", select("plan_to_watch", PLAN_TO_WATCH)),
      checkbox("hide_dropped_related", "Hide titles related to ones you dropped"),
      checkbox("hide_unstarted_sequels", "Hide later seasons of shows you have not started")),
    fieldset("Popularity", "popularity",
      labelled("At least this many members", el("input", {
        type: "number", name: "min_popularity", min: "0", step: "1000", inputmode: "numeric" })),
      slider("niche", "Niche boost", { min: "0", max: String(limits.niche), step: "0.01" })),
    fieldset("Results", "count",
      labelled("How many", el("input", {
        type: "number", name: "n", min: "1", max: String(limits.n), inputmode: "numeric" })),
      el("button", { type: "button", class: "reset", text: "Reset filters" })),
    fieldset("Adult titles", "adult",
      checkbox("adult", "Show adult titles (Hentai, Erotica)")),
    fieldset("Genres", "genres",
      el("p", { class: "hint", text: "Press a genre once to require it, twice to exclude it." }),
      el("div", { class: "chips" },
         ...spec.genres.map((g) => chip(g, spec.adult_genres.includes(g))))));
  form.addEventListener("submit", (event) => event.preventDefault());
  let timer = 0;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const json = JSON.stringify(read());
      if (json === lastSent) return;
      lastSent = json;
      onChange(json);
    }, DEBOUNCE_MS);
  };
  form.addEventListener("input", changed);
  form.elements.namedItem("adult").addEventListener("change", showAdultChips);
  form.addEventListener("change", changed);
  form.querySelector("button.reset").addEventListener("click", () => {
    set(JSON.stringify(spec.defaults));
    lastSent = "";
    changed();
  });
  document.getElementById("controls").replaceChildren(form);
}

function showAdultChips() {
  const shown = form.elements.namedItem("adult").checked;
  for (const c of form.querySelectorAll("button.chip[data-adult]")) c.hidden = !shown;
}

/** The form's values as Filters fields (numbers as typed; Python normalizes them). */
function read() {
  const data = new FormData(form);
  const genres = (mode) => [...form.querySelectorAll("button.chip")]
    .filter((c) => c.dataset.mode === mode).map((c) => c.dataset.genre);
  return {
    types: data.getAll("types"),
    year_min: data.get("year_min"),
    year_max: data.get("year_max"),
    genres_required: genres("require"),
    genres_excluded: genres("exclude"),
    plan_to_watch: data.get("plan_to_watch"),
    hide_dropped_related: data.has("hide_dropped_related"),
    hide_unstarted_sequels: data.has("hide_unstarted_sequels"),
    min_popularity: data.get("min_popularity"),
    niche: data.get("niche"),
    n: data.get("n"),
    adult: data.has("adult"),
  };
}

/** Show `valuesJson` (a Filters as JSON) in the form, without reporting it as a change. */
export function set(valuesJson) {
  const v = JSON.parse(valuesJson);
  const field = (name) => form.elements.namedItem(name);
  for (const box of form.querySelectorAll("input[name=types]")) {
    box.checked = v.types.includes(box.value);
  }
  for (const name of ["year_min", "year_max", "min_popularity", "niche", "n", "plan_to_watch"]) {
    field(name).value = v[name] ?? "";
  }
  form.querySelector("output[for=filter-niche]").value = field("niche").value;
  field("hide_dropped_related").checked = v.hide_dropped_related;
  field("hide_unstarted_sequels").checked = v.hide_unstarted_sequels;
  field("adult").checked = v.adult;
  showAdultChips();
  for (const c of form.querySelectorAll("button.chip")) {
    const g = c.dataset.genre;
    setChip(c, v.genres_required.includes(g) ? "require"
      : v.genres_excluded.includes(g) ? "exclude" : "");
  }
  lastSent = JSON.stringify(read());
}

/** The model selector: shown only when there is more than one model to choose from. */
export function mountModels(modelsJson, current, onChange) {
  const models = JSON.parse(modelsJson);
  const box = document.getElementById("model-choice");
  const picker = document.getElementById("model-select");
  picker.replaceChildren(...models.map((m) => {
    const recall = m.metrics?.["recall@20"];
    const text = recall === undefined ? m.name || m.folder
      : `${m.name || m.folder} (recall@20 ${recall.toFixed(2)})`;
    return el("option", { value: m.folder, text });
  }));
  picker.value = current;
  picker.addEventListener("change", () => onChange(picker.value));
  box.hidden = models.length < 2;
}

/** Select `folder` in the model selector (after back/forward), without reporting a change. */
export function setModel(folder) {
  document.getElementById("model-select").value = folder;
}
