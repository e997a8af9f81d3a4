// Profile statistics in #stats: the SVG charts animerec.stats draws (escaped there), parsed as
// SVG documents and imported as nodes, never assigned as HTML; the summary goes in as text.

const SVG = "image/svg+xml";

function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, SVG);
  if (doc.querySelector("parsererror")) throw new Error("a chart is not valid SVG");
  return document.importNode(doc.documentElement, true);
}

/** Render {charts: [svg text], summary: text} into #stats. */
export function renderStats(json) {
  const view = JSON.parse(json);
  const figures = view.charts.map((svg) => {
    const figure = document.createElement("figure");
    figure.append(parseSvg(svg));
    return figure;
  });
  const summary = document.createElement("p");
  summary.className = "stats-summary";
  summary.textContent = view.summary;
  document.getElementById("stats").replaceChildren(...figures, summary);
}
