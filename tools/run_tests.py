"""`build.py test`: lint, build dist/, then the whole pytest suite (unit, training, browser)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINTED = ["build.py", "py", "converter", "tools", "tests", "web"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    parser.add_argument("--no-lint", action="store_true", help="skip ruff")


def main(args: argparse.Namespace) -> int:
    if not args.no_lint:
        lint = subprocess.run([sys.executable, "-m", "ruff", "check", *LINTED], cwd=ROOT)
        if lint.returncode:
            print("ruff found problems (see above)", file=sys.stderr)
            return lint.returncode
    from tools import dist

    dist.build()
    result = subprocess.run([sys.executable, "-m", "pytest", "-ra", *args.pytest_args], cwd=ROOT)
    if result.returncode == 5:
        print("pytest collected no tests: that is a failure here", file=sys.stderr)
    return result.returncode
