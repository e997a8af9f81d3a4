// Lets PyScript run under a policy without 'unsafe-eval' (tools/csp.py). PyScript 0.7 keeps one
// default *worker* hook (it registers `_pyscript` inside workers) and, for every main-thread
// <script type="py">, compiles its worker hooks with Function(...), which such a policy blocks,
// so the page never starts. This page runs no PyScript workers: dropping the hook is harmless.
// It must run before Pyodide is up, which it does: PyScript reads the hooks only after that.

import { hooks } from "../vendor/pyscript/core.js";

hooks.worker.onBeforeRunAsync.clear();
