"""Which members of Pyodide's `python_stdlib.zip` the site ships: the static import closure of
everything the page can run, so that modules nothing on the page can import (unittest,
tomllib, wsgiref, xml.dom, email.mime, sqlite3…) stop costing cold-load bytes.

Runs inside Pyodide (tools/pyodide_compile.py, after its trace), where `ast` parses the zip's
3.14 sources; it holds nothing Pyodide-specific, so the unit tests run it in CPython too.

The closure starts from the modules the dynamic trace saw, Pyodide's own packages, and the
imports of the page's Python and of the Python embedded in the runtime's JS, then follows every
import statement of every module it reaches: inside functions and `try` blocks too (a lazy
import is still an import), relative ones resolved, and `from pkg import name` counted as a
possible submodule `pkg.name`. It errs on the side of keeping: a module named only by a string
(`import_module("x.y")`, `__import__`, a dotted module name in a constant) counts, and so does
every member that no import statement can name (data files, `_sysconfigdata_*`), and so do
the few modules CPython's C code imports (C_IMPORTS). The one thing it skips is the body of
`if __name__ == "__main__":`, which never runs on import.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping

# `codecs.lookup` imports `encodings.<normalized name>` for any codec a text names (a MAL
# export's XML declaration, `bytes.decode(...)`): a computed name no scan can follow.
ALWAYS = ("encodings",)
# Pyodide's JS imports these by name at times the Node trace does not reach (`pyimport`,
# `import_module` in pyodide.asm.mjs; pyodide.http, pyodide.console on demand).
PYODIDE_PACKAGES = ("pyodide", "_pyodide")
# CPython's C code imports these by name, which no Python source shows: `_pylong` (longobject.c:
# str ↔ int and divmod of huge ints), `ctypes._layout` (_ctypes: every Structure's layout),
# `string.templatelib` (pickling a t-string).
C_IMPORTS = ("_pylong", "ctypes._layout", "string.templatelib")
# Left out even where an import names them: they cannot work in a browser tab. There are no
# processes to start (multiprocessing, concurrent.futures.process), no terminal for the REPL
# and the pager of `help()` (_pyrepl, pydoc; `_sitebuiltins` names pydoc), and no Windows
# (asyncio's Windows loops). xmlrpc goes with them: only multiprocessing and `_compat_pickle`'s
# table of Python 2 names name it. On the page, importing one raises ImportError.
UNUSABLE = ("multiprocessing", "concurrent.futures.process", "_pyrepl", "pydoc", "xmlrpc",
            "asyncio.windows_events", "asyncio.windows_utils")  # fmt: skip
# Python's import statements in any text, JS included (the runtime's JS embeds Python:
# PyScript's stdlib and prelude, polyscript's helpers, Pyodide's boot snippets).
IMPORT_TEXT = re.compile(r"\bimport\s+((?:[\w.]+(?:\s+as\s+\w+)?\s*,\s*)*[\w.]+)")
FROM_TEXT = re.compile(r"\bfrom\s+([\w.]+)\s+import\s+\(?\s*((?:\w+(?:\s+as\s+\w+)?\s*,\s*)*\w+)")
ESCAPES = re.compile(r"\\+[ntr]")  # line breaks and tabs as JS strings write them
DYNAMIC_CALLS = ("import_module", "__import__")


def module_names(members: Iterable[str]) -> dict[str, str]:
    """{dotted module name: member} for the zip's `.py` members an import statement can name."""
    names = {}
    for member in members:
        if not member.endswith(".py"):
            continue
        parts = member.removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts.pop()
        if parts and all(p.isidentifier() for p in parts):
            names[".".join(parts)] = member
    return names


def imports_in_text(text: str) -> set[str]:
    """Module names Python import statements in `text` may load, found by pattern (for text
    that is not one Python module: JS carrying Python in strings). Relative ones are skipped."""
    text = ESCAPES.sub(" ", text)  # "js\nfrom x import y": no word boundary before `from`
    found: set[str] = set()
    for match in IMPORT_TEXT.finditer(text):
        found.update(part.split()[0] for part in match.group(1).split(","))
    for match in FROM_TEXT.finditer(text):
        base = match.group(1)
        found.add(base)
        found.update(f"{base}.{part.split()[0]}" for part in match.group(2).split(","))
    return {name.strip(".") for name in found if not name.startswith(".")}


def imports_in_source(source: bytes | str, module: str, is_package: bool) -> set[str]:
    """Module names `module`'s source may import: every import statement anywhere in it, plus
    string constants given to `import_module`/`__import__` and dotted names in constants (the
    caller keeps only those that name a stdlib module)."""
    package = module if is_package else module.rpartition(".")[0]
    found = {name for node in _walk(ast.parse(source)) for name in _names_in(node, package)}
    return found - {""}


def _walk(tree: ast.AST) -> Iterator[ast.AST]:
    """`ast.walk` less the body of each `if __name__ == "__main__":`: it runs only when the
    module is the script (`python -m heapq` imports doctest, then unittest, pdb…), never when
    imported, and nothing on the page runs a stdlib module as a script."""
    todo = [tree]
    while todo:
        node = todo.pop()
        if _is_main_guard(node):
            todo.extend(node.orelse)
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def _is_main_guard(node: ast.AST) -> bool:
    if not (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)):
        return False
    sides = [node.test.left, *node.test.comparators]
    names = {side.id for side in sides if isinstance(side, ast.Name)}
    texts = {_string(side) for side in sides}
    eq = len(node.test.ops) == 1 and isinstance(node.test.ops[0], ast.Eq)
    return eq and names == {"__name__"} and "__main__" in texts


def _names_in(node: ast.AST, package: str) -> list[str]:
    """The module names one AST node may import (see `imports_in_source`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = _resolve(node.module, node.level, package)  # "*" becomes `base.*`
        return [base, *(f"{base}.{alias.name}" for alias in node.names)] if base else []
    if isinstance(node, ast.Call) and _called_name(node.func) in DYNAMIC_CALLS and node.args:
        name = _string(node.args[0])
        return [_resolve(name.lstrip("."), len(name) - len(name.lstrip(".")), package)]
    name = _string(node)
    return [name] if "." in name and all(p.isidentifier() for p in name.split(".")) else []


def _string(node: ast.AST) -> str:
    is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
    return node.value if is_text else ""


def _resolve(name: str | None, level: int, package: str) -> str:
    """The absolute name of `from <level dots><name> import …` inside `package`."""
    if not level:
        return name or ""
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return ""
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def shipped(members: Mapping[str, bytes], roots: Iterable[str]) -> list[str]:
    """The members of the zip `members` ({name: bytes}, in zip order) to ship, given the module
    names `roots` the page may import: the closure of `roots`, of the ALWAYS packages, of
    Pyodide's own packages and of C_IMPORTS (see `closure` and `kept_members`)."""
    sources = {member: data for member, data in members.items() if member.endswith(".py")}
    whole = (*ALWAYS, *PYODIDE_PACKAGES)
    always = [name for name in module_names(sources) if name.split(".")[0] in whole]
    return kept_members(members, closure(sources, [*roots, *always, *C_IMPORTS]))


def closure(sources: Mapping[str, bytes], roots: Iterable[str]) -> set[str]:
    """The stdlib modules reachable from `roots` (module names) through the imports of
    `sources` ({member: source}, the zip's `.py`): each name with its parent packages, and for
    `from pkg import *` every direct submodule of `pkg` (its `__all__` may name them); none of
    the UNUSABLE ones."""
    names = module_names(sources)
    todo = list(roots)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name.endswith(".*"):
            package = name.removesuffix(".*")
            todo.extend(n for n in names if n.rpartition(".")[0] == package)
            continue
        for module in _with_parents(name):
            if module in names and module not in seen and not unusable(module):
                seen.add(module)
                member = names[module]
                is_package = member.endswith("/__init__.py")
                todo.extend(imports_in_source(sources[member], module, is_package))
    return seen


def unusable(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in UNUSABLE)


def _with_parents(name: str) -> list[str]:
    """`a.b.c` → [`a`, `a.b`, `a.b.c`]: importing a submodule imports its packages first."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def kept_members(members: Iterable[str], modules: set[str]) -> list[str]:
    """The members of the zip to ship, in order: the `.py` of `modules`, everything under the
    ALWAYS packages, and every member no import statement names (folders, data files,
    `_sysconfigdata_*`, which sysconfig imports by a computed name) unless it lies in a
    package none of whose modules is kept."""
    members = list(members)
    names = module_names(members)  # `modules` holds its packages too: see `closure`
    by_member = {member: name for name, member in names.items()}
    packages = {name for name, member in names.items() if member.endswith("/__init__.py")}
    kept = []
    for member in members:
        top = member.split("/")[0]
        if top in ALWAYS:
            kept.append(member)
        elif member in by_member:
            if by_member[member] in modules:
                kept.append(member)
        elif _package_of(member, packages) in {*modules, ""}:
            kept.append(member)
    return kept


def _package_of(member: str, packages: set[str]) -> str:
    """The innermost package holding `member` (a folder entry `a/b/` counts as inside `a.b`),
    or "" when it lies in no package."""
    parts = member.rstrip("/").split("/")
    folders = parts if member.endswith("/") else parts[:-1]
    for end in range(len(folders), 0, -1):
        if ".".join(folders[:end]) in packages:
            return ".".join(folders[:end])
    return ""
