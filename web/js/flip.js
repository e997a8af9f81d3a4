// FLIP reordering: cards that stay in the list glide from their old place to the new one and
// new cards fade in, so a filter change reads as a reorder rather than a repaint. The Web
// Animations API needs no style attributes (the CSP allows it) and cleans up after itself.
// Skipped entirely when the visitor prefers reduced motion.

const DURATION_MS = 350;
const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)");

/** Run `update` (which replaces the children of `list`, keyed by data-mal-id), animated. */
export function flip(list, update) {
  if (reducedMotion.matches || list.closest("[hidden]")) {
    update();
    return;
  }
  const before = new Map([...list.children].map((c) => [c.dataset.malId,
                                                       c.getBoundingClientRect()]));
  update();
  // The same cards in the same order (a request's explanations arriving): nothing is
  // reordered, and reading the new places would force the new list's layout inside this task
  // rather than in the frame's own (tools/BENCH.md, "Values, not proxies, across the worker's
  // bridge").
  const keys = [...before.keys()];
  if (list.children.length === keys.length
      && [...list.children].every((card, i) => card.dataset.malId === keys[i])) return;
  // Every new place is read before any animation starts: each animate() invalidates style,
  // and a read after it recomputed it, once per card (a forced recalculation per card of 50).
  const cards = [...list.children].map((card) => {
    const old = before.get(card.dataset.malId);
    return [card, old, old && card.getBoundingClientRect()];
  });
  const timing = { duration: DURATION_MS, easing: "ease-out" };
  for (const [card, old, now] of cards) {
    if (!old) {
      card.animate([{ opacity: 0, transform: "scale(0.97)" }, { opacity: 1, transform: "none" }],
                   timing);
      continue;
    }
    const dx = old.left - now.left;
    const dy = old.top - now.top;
    if (dx || dy) {
      card.animate([{ transform: `translate(${dx}px, ${dy}px)` }, { transform: "none" }], timing);
    }
  }
}
