// Lets PyScript run under a policy without 'unsafe-eval' (tools/csp.py). PyScript 0.7 keeps one
// default *worker* hook (it registers `_pyscript`, the JS side of the `pyscript` package, inside
// workers) and, for every <script type="py">, compiles its worker hooks with Function(...),
// which such a policy blocks, so the page never starts. The page's Python, in a worker or not
// (web/js/python-mode.js), never imports `pyscript`: dropping the hook is harmless.
// It must run before PyScript handles the page's <script type="py">, a task after its module
// has run: web/js/python-mode.js imports this module, not PyScript's, for that.

import { hooks } from "../vendor/pyscript/core.js";

hooks.worker.onBeforeRunAsync.clear();

export { hooks };
