// Which model the page runs: models/index.json (written by tools/dist.py) lists the model
// folders, the first being the default; `?model=FOLDER` in the URL picks another.

/** The folder named by `?model=` in `search` when it is listed, else the first listed. */
export function chooseModel(models, search) {
  const wanted = new URLSearchParams(search).get("model");
  const folders = models.map((m) => m.folder);
  if (!folders.length) throw new Error("models/index.json lists no model");
  return folders.includes(wanted) ? wanted : folders[0];
}
