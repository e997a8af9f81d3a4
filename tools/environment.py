"""Installs what the commands need, idempotently, with the standard library only (it runs before
the virtualenv exists): a .venv with the project's extras, npm packages, Debian's chromium."""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
EXTRAS = VENV / ".animerec-extras"  # the extras installed, comma-separated (ensure_python)
CHROMIUM = "/usr/bin/chromium"


def log(message: str) -> None:
    print(f"[setup] {message}", file=sys.stderr, flush=True)


def _stamp(name: str, *parts: bytes) -> Path:
    digest = hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]
    return Path(name + "." + digest)


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def ensure_python(extras: tuple[str, ...], argv: list[str]) -> None:
    """Create/refresh .venv with `extras` and every extra an earlier command installed, resolved
    together in one pip call (so the order of commands cannot leave `pip check` unhappy), then
    re-execute build.py inside it."""
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    wanted = together(extras, installed_extras())
    stamp = VENV / _stamp(".installed", pyproject, ",".join(wanted).encode())
    if not stamp.exists():
        if not VENV_PYTHON.exists():
            log("creating .venv")
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        log(f"pip install -e {spec(wanted)}")
        pip = [str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "-e", spec(wanted)], cwd=ROOT, check=True)
        for old in VENV.glob(".installed.*"):
            old.unlink()
        stamp.touch()
        EXTRAS.write_text(",".join(wanted) + "\n")
    if not in_venv():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(ROOT / "build.py"), *argv])


def installed_extras() -> tuple[str, ...]:
    """The extras the last pip call installed into .venv (none before the first)."""
    text = EXTRAS.read_text() if EXTRAS.exists() else ""
    return tuple(name for name in text.strip().split(",") if name)


def together(extras: tuple[str, ...], installed: tuple[str, ...]) -> tuple[str, ...]:
    """The extras one pip call resolves: those asked for and those already in, sorted."""
    return tuple(sorted({*extras, *installed}))


def spec(extras: tuple[str, ...]) -> str:
    """pip's requirement for the project with `extras`: ".[site,test]", or "." for none."""
    return f".[{','.join(extras)}]" if extras else "."


def ensure_npm() -> None:
    """`npm ci` when node_modules does not match package-lock.json."""
    lock = (ROOT / "package-lock.json").read_bytes()
    stamp = ROOT / "node_modules" / _stamp(".animerec-ci", lock)
    if stamp.exists():
        return
    if not shutil.which("npm"):
        raise SystemExit("npm is needed (Node.js 20+): apt-get install -y nodejs npm")
    log("npm ci")
    subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=ROOT,
        check=True,
    )
    stamp.touch()


def ensure_chromium() -> None:
    """Debian's chromium for Playwright (Playwright's own browser download cannot work here)."""
    if Path(CHROMIUM).exists():
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    log("apt-get install chromium")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`build.py setup` takes no options."""


def main(args: argparse.Namespace) -> int:
    log("ready: .venv, node_modules and chromium are installed")
    return 0
