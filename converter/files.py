"""A model folder's file entries for its manifest (size and sha256), free of TensorFlow so that
the commands that only rewrite data files (`build.py fresh`) start fast."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any


def file_entry(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
