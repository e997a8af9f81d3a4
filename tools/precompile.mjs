// node tools/precompile.mjs WORK: boots Pyodide from node_modules, mounts the folder WORK at the
// same path inside it and runs tools/pyodide_compile.py's main(WORK) there (see that file).
import { readFileSync } from "node:fs";
import { loadPyodide } from "pyodide";

const work = process.argv[2];
const pyodide = await loadPyodide();
pyodide.FS.mkdirTree(work);
pyodide.mountNodeFS(work, work);
const script = readFileSync(new URL("pyodide_compile.py", import.meta.url), "utf8");
const namespace = pyodide.toPy({ __name__: "pyodide_compile" });
pyodide.runPython(script, { globals: namespace });
namespace.get("main")(work);
