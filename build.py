#!/usr/bin/env python3
"""animerec's one entry point: set-up, site build, serve, icons, test, train, evaluate, bench,
collect.

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
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT / "py")]

from tools import environment  # noqa: E402  (stdlib only: runs before the virtualenv exists)


class Command(NamedTuple):
    module: str
    help: str
    extras: tuple[str, ...] = ()  # pip extras of pyproject.toml
    npm: bool = False  # needs node_modules from package-lock.json
    chromium: bool = False  # needs Debian's chromium


ALL = ("site", "test", "train")
COMMANDS: dict[str, Command] = {
    "setup": Command(
        "tools.environment", "install everything the site and tests need", ALL, True, True
    ),
    "build": Command("tools.dist", "build the static site into dist/", ("site",), True),
    "serve": Command("tools.serve", "build and serve dist/ on 127.0.0.1", ("site",), True),
    "icons": Command(
        "tools.icons", "draw the site's icons from web/favicon.svg", ("test",), chromium=True
    ),
    "test": Command("tools.run_tests", "lint, build, run every test", ALL, True, True),
    "train": Command(
        "converter.train", "train, evaluate, export the default model", ("train",), True
    ),
    "atlas": Command(
        "converter.atlas", "lay out a model's titles as a map (atlas.bin, atlas.json)", ("train",)
    ),
    "fresh": Command(
        "converter.fresh_build",
        "rebuild a model's catalogs and fresh.json from the metadata, without training",
        ("train",),
    ),
    "evaluate": Command(
        "converter.evaluate", "score a model against popularity and EASE", ("train",)
    ),
    "bench": Command(
        "tools.bench", "measure load, inference, re-rank (JSON)", ("site", "test"), True, True
    ),
    "collect": Command("converter.collect", "collect AniList lists into SQLite"),
    "export-ratings": Command(
        "converter.collect_export", "write collected lists as a training CSV"
    ),
    "catalog": Command("converter.catalog_enrich", "enrich the catalog cache from AniList"),
}


def main(argv: list[str]) -> int:
    command = argv[0] if argv and not argv[0].startswith("-") else None
    if command in COMMANDS:
        needs = COMMANDS[command]
        environment.ensure_python(needs.extras, argv)  # re-executes inside .venv when needed
        if needs.npm:
            environment.ensure_npm()
        if needs.chromium:
            environment.ensure_chromium()
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, spec in COMMANDS.items():
        p = sub.add_parser(name, help=spec.help, description=spec.help)
        if name == command:  # import only the module that runs: the others may need extras
            importlib.import_module(spec.module).add_arguments(p)
    args = parser.parse_args(argv)
    return int(importlib.import_module(COMMANDS[args.command].module).main(args) or 0)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))
