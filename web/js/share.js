// "Share" and "Save as image". The link shared is the page's address, which holds the whole view
// (usernames and filters, web/py/controls.py) and never an uploaded list: that stays in the
// browser. On phones (a coarse pointer) the Web Share API offers it to the visitor's apps;
// elsewhere it is copied. The image is drawn on a canvas from the cards on screen, in the browser:
// covers where they are on and their host allows it (CORS), letter tiles otherwise.

import { COVER_ORIGIN } from "./ui.js";

const PICKS = 10; // cards on the image, in two columns
const WIDTH = 1200;
const HEAD = 120;
const ROW = 190;
const FOOT = 60;
const COVER = [100, 142];
const PAD = 40;
const BACKGROUND = "#14161c";
const TEXT = "#f2f3f7";
const MUTED = "#a9aebd";
const ACCENT = "#93a9ff";
const FONT = "system-ui, sans-serif";
const FILE_NAME = "animerec-top-picks.png";

/** Wire the two buttons; `say(text)` reports the outcome on the status line. */
export function wireShare(say) {
  document.getElementById("share").addEventListener("click", () => shareLink(say));
  document.getElementById("save-image").addEventListener("click", () => saveImage(say));
}

async function shareLink(say) {
  const url = location.href;
  if (navigator.share && matchMedia("(pointer: coarse)").matches) {
    try {
      await navigator.share({ title: document.title, url });
      return;
    } catch (err) {
      if (err.name === "AbortError") return; // the visitor closed the share sheet
    }
  }
  try {
    await navigator.clipboard.writeText(url);
    say("Link copied: it opens these recommendations with the same filters.");
  } catch {
    say("Copy this page's address to share these recommendations.");
  }
}

/** The top cards on screen: title, facts, match, cover URL (null: covers off or none). */
function picks() {
  const cards = [...document.querySelectorAll("#recommendations li.card")].slice(0, PICKS);
  return cards.map((card) => {
    const img = card.querySelector("img.cover");
    const text = (selector) => card.querySelector(selector)?.textContent ?? "";
    return {
      title: card.dataset.title,
      facts: text(".facts"),
      match: text(".match"),
      cover: img && img.src.startsWith(COVER_ORIGIN) ? img.src : null,
    };
  });
}

/** An image of `url` that a canvas may read (CORS), or null where its host does not allow it. */
function loadCover(url) {
  if (!url) return Promise.resolve(null);
  return new Promise((resolve) => {
    const img = new Image();
    img.crossOrigin = "anonymous";
    img.referrerPolicy = "no-referrer";
    img.onload = () => resolve(img);
    img.onerror = () => resolve(null);
    img.src = url;
  });
}

async function saveImage(say) {
  const shown = picks();
  if (!shown.length) return;
  const button = document.getElementById("save-image");
  button.disabled = true;
  try {
    const covers = await Promise.all(shown.map((p) => loadCover(p.cover)));
    let blob = await toPng(draw(shown, covers));
    if (!blob) blob = await toPng(draw(shown, shown.map(() => null))); // tainted: tiles only
    download(blob);
    say("Image saved.");
  } catch (err) {
    say(`The image could not be made: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

/** The canvas as a PNG blob, or null if a cover tainted it. */
function toPng(canvas) {
  return new Promise((resolve) => {
    try {
      canvas.toBlob(resolve, "image/png");
    } catch {
      resolve(null); // SecurityError: a cross-origin image without CORS
    }
  });
}

function download(blob) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: FILE_NAME });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function draw(shown, covers) {
  const rows = Math.ceil(shown.length / 2);
  const canvas = Object.assign(document.createElement("canvas"),
                               { width: WIDTH, height: HEAD + rows * ROW + FOOT });
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.textBaseline = "top";
  const who = document.getElementById("list-name")?.textContent || "";
  text(ctx, who ? `Top picks for ${who}` : "Top picks", PAD, 40, WIDTH - 2 * PAD,
       `bold 40px ${FONT}`, TEXT);
  const cell = (WIDTH - 2 * PAD) / 2;
  shown.forEach((pick, k) => {
    const x = PAD + (k % 2) * cell;
    const y = HEAD + Math.floor(k / 2) * ROW;
    if (covers[k]) ctx.drawImage(covers[k], x, y, ...COVER);
    else tile(ctx, pick.title, x, y);
    const left = x + COVER[0] + 16;
    const room = cell - COVER[0] - 32;
    text(ctx, `${k + 1}. ${pick.title}`, left, y + 4, room, `bold 24px ${FONT}`, TEXT);
    text(ctx, pick.facts, left, y + 42, room, `20px ${FONT}`, MUTED);
    text(ctx, pick.match, left, y + 74, room, `20px ${FONT}`, ACCENT);
  });
  text(ctx, `animerec · ${location.host}${location.pathname}`, PAD, canvas.height - FOOT + 14,
       WIDTH - 2 * PAD, `18px ${FONT}`, MUTED);
  return canvas;
}

/** `value` in one line of at most `width` pixels, cut with an ellipsis. */
function text(ctx, value, x, y, width, font, colour) {
  ctx.font = font;
  ctx.fillStyle = colour;
  let shown = value;
  while (shown.length > 1 && ctx.measureText(shown).width > width) shown = shown.slice(0, -2) + "…";
  ctx.fillText(shown, x, y);
}

/** The page's letter tile: the title's first letter on a colour of its own. */
function tile(ctx, title, x, y) {
  let hash = 0;
  for (const c of title) hash = (hash * 31 + c.codePointAt(0)) % 360;
  ctx.fillStyle = `hsl(${hash} 35% 45%)`;
  ctx.fillRect(x, y, ...COVER);
  ctx.fillStyle = TEXT;
  ctx.font = `bold 48px ${FONT}`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText((title || "?").trim().charAt(0).toUpperCase(), x + COVER[0] / 2, y + COVER[1] / 2);
  ctx.textAlign = "start";
  ctx.textBaseline = "top";
}
