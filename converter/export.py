"""Keras model → TF.js layers model (tf_keras .h5 → tensorflowjs converter), reload of the
exported artifacts, file hashes, and the parity cases the browser checks itself against."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import tf_keras as keras
from animerec.catalog import Catalog
from animerec.encoding import encode_sparse
from animerec.profile import Profile

from .data import SparseRows

# tensorflowjs imports TF-DF, whose banner imports IPython whenever stdout is not a terminal
# (pytest capture, pipes): silence it before any converter import.
os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")

FORMAT = "tfjs_layers_model"
PARITY_TOP = 20
PARITY_PROBES = 32  # fixed extra output positions per case, spread over the catalog


def export_tfjs(model: keras.Model, out_dir: Path, quantization: str | None) -> list[Path]:
    """Write model.json + weight shards into `out_dir`; `quantization` is uint8, float16 or None."""
    from tensorflowjs.converters.converter import dispatch_keras_h5_to_tfjs_layers_model_conversion

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        h5 = Path(tmp) / "model.h5"
        model.save(h5, include_optimizer=False)
        dispatch_keras_h5_to_tfjs_layers_model_conversion(
            str(h5),
            str(out_dir),
            quantization_dtype_map={quantization: True} if quantization else None,
        )
    strip_training_only(out_dir / "model.json")
    return model_files(out_dir)


def strip_training_only(model_json: Path) -> None:
    """Drop weight regularizers from the exported topology: they only shape training, and
    TF.js 4.22 refuses to load a model that names Keras' `L2` ("Unknown regularizer: L2")."""
    topology = json.loads(model_json.read_text())
    for layer in topology["modelTopology"]["model_config"]["config"]["layers"]:
        for key in ("kernel_regularizer", "bias_regularizer", "activity_regularizer"):
            if key in layer["config"]:
                layer["config"][key] = None
    model_json.write_text(json.dumps(topology))


def model_files(model_dir: Path) -> list[Path]:
    """model.json and the weight shards it names."""
    topology = json.loads((model_dir / "model.json").read_text())
    shards = [p for group in topology["weightsManifest"] for p in group["paths"]]
    return [model_dir / "model.json", *(model_dir / s for s in shards)]


def load_tfjs(model_dir: Path) -> keras.Model:
    """The exported TF.js artifacts, loaded back into Python (dequantized as the browser does)."""
    from tensorflowjs.converters import load_keras_model

    return load_keras_model(str(model_dir / "model.json"))


def file_entry(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def parity_cases(
    model: keras.Model,
    profiles: Mapping[str, Profile],
    held: Mapping[str, SparseRows],
    catalog: Catalog,
) -> dict[str, Any]:
    """Per case: the sparse input and the model's top-20 indices/logits, plus logits at fixed
    probe positions, so a browser run can be compared within 1e-3 without the full output."""
    inputs = {name: encode_sparse(p, catalog) for name, p in profiles.items()}
    for name, rows in held.items():
        idx, val = rows.row(0)
        inputs[name] = (idx.tolist(), val.tolist())
    n = len(catalog)
    probes = np.linspace(0, n - 1, PARITY_PROBES).round().astype(int)
    cases = []
    for name, (idx, val) in inputs.items():
        x = np.zeros((1, n), np.float32)
        x[0, idx] = val
        out = model(x, training=False).numpy()[0]
        top = np.argsort(-out, kind="stable")[:PARITY_TOP]
        cases.append(
            {
                "name": name,
                "indices": [int(i) for i in idx],
                "values": [round(float(v), 6) for v in val],
                "top_indices": top.tolist(),
                "top_values": _rounded(out[top]),
                "probe_indices": probes.tolist(),
                "probe_values": _rounded(out[probes]),
            }
        )
    return {
        "tolerance": 1e-3,
        "note": "outputs are the logits the exported TF.js artifacts give in Python (tensorflowjs "
        "load_keras_model); top_indices rank ALL items, including the input ones",
        "cases": cases,
    }


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 5) for v in values]
