// The visitor's remembered light/dark choice, set before the first paint (a classic script in
// <head>, so a dark page never flashes light). Without a choice the page follows
// prefers-color-scheme (web/css/site.css); ui.js wires the toggle.
try {
  const theme = localStorage.getItem("animerec:theme");
  if (theme === "dark" || theme === "light") document.documentElement.dataset.theme = theme;
} catch {
  // storage blocked: follow the system setting
}
