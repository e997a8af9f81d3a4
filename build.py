#!/usr/bin/env python3
"""animerec's one entry point: set-up, site build, serve, test, train, evaluate, bench, collect.

Every command first makes sure what it needs is installed (a virtualenv in .venv with the right
extras, npm packages from package-lock.json, Debian's chromium), then runs inside that
virtualenv. Each command lives in its own module exposing `add_arguments(parser)` and
`main(args) -> int`; this file only knows their names and needs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT / "py")]

from tools import environment  # noqa: E402  (stdlib only: runs before the virtualenv exists)

# command: (module, help, pip extras, needs npm packages, needs chromium)
COMMANDS: dict[str, tuple[str, str, tuple[str, ...], bool, bool]] = {
    "setup": ("tools.environment", "install everything the site and tests need", ("site", "test", "train"), True, True),
    "build": ("tools.dist", "build the static site into dist/", ("site",), True, False),
    "serve": ("tools.serve", "build and serve dist/ on 127.0.0.1", ("site",), True, False),
    "test": ("tools.run_tests", "run the whole test suite (unit + browser)", ("site", "test", "train"), True, True),
    "train": ("converter.train", "train, evaluate and export the default model", ("train",), True, False),
    "evaluate": ("converter.evaluate", "score an exported model against popularity and EASE", ("train",), False, False),
    "bench": ("tools.bench", "measure load, inference and re-rank speed (JSON out)", ("site", "test"), True, True),
    "collect": ("converter.collect", "collect AniList lists into SQLite", (), False, False),
    "export-ratings": ("converter.collect_export", "write collected lists as a training CSV", (), False, False),
    "catalog": ("converter.catalog_enrich", "enrich the catalog cache from AniList", (), False, False),
}  # fmt: skip


def main(argv: list[str]) -> int:
    command = argv[0] if argv and not argv[0].startswith("-") else None
    if command in COMMANDS:
        module, _, extras, npm, chromium = COMMANDS[command]
        environment.ensure_python(extras, argv)  # re-executes inside .venv when needed
        if npm:
            environment.ensure_npm()
        if chromium:
            environment.ensure_chromium()
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, help_text, *_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:  # import only the module that runs: the others may need extras
            importlib.import_module(module).add_arguments(p)
    args = parser.parse_args(argv)
    return int(importlib.import_module(COMMANDS[args.command][0]).main(args) or 0)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))
