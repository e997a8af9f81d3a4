"""Keras model → TF.js layers model (tf_keras .h5 → tensorflowjs converter), reload of the
exported artifacts, file hashes, and the parity cases the browser checks itself against."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import tf_keras as keras
from animerec.catalog import Catalog
from animerec.encoding import encode_sparse
from animerec.profile import Profile

from .data import SparseRows
from .lowrank import linear_model
from .model import OUTPUT_NAME

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
    """The exported TF.js artifacts, loaded back into Python (dequantized, and a tied model's
    kernels expanded, as the browser does)."""
    from tensorflowjs.converters import load_keras_model

    tied = read_tied(model_dir)
    if tied is not None:
        return tied_model(tied)
    return load_keras_model(str(model_dir / "model.json"))


# --- tied models (converter/tied.py): one shipped factor, expanded into both kernels -------

TIED = ("tied/q", "tied/root", "tied/scale")  # the shipped tensors, in the shard's order
RESIDUAL = ("tied/residual_counts", "tied/residual_columns", "tied/residual_values")
SHARD = "group1-shard1of1.bin"


@dataclass(frozen=True)
class SparseResidual:
    """A sparse n × n matrix R beside the low-rank part, by source title (row): how many
    entries each row has, their columns (ascending within a row) and their values on a uint8
    grid (value = low + step·code, TF.js' dequantization)."""

    counts: np.ndarray  # uint16, n
    columns: np.ndarray  # uint16, entries
    codes: np.ndarray  # uint8, entries
    low: float
    step: float

    def dense(self) -> np.ndarray:
        """R as a float32 matrix, each value computed in float64 and rounded to float32, as
        web/js/tied.js does."""
        n = len(self.counts)
        r = np.zeros((n, n), np.float32)
        rows = np.repeat(np.arange(n), self.counts.astype(np.int64))
        r[rows, self.columns] = (self.codes.astype(np.float64) * self.step + self.low).astype(
            np.float32
        )
        return r

    def shipped(self) -> bytes:
        """Counts, then each row's columns as differences from the previous column of the row
        (the first from 0: small numbers brotli stores in fewer bytes), then the codes."""
        starts = np.concatenate([[0], np.cumsum(self.counts.astype(np.int64))[:-1]])
        deltas = np.diff(self.columns.astype(np.int64), prepend=0)
        firsts = starts[self.counts > 0]
        deltas[firsts] = self.columns[firsts]
        return (
            self.counts.astype("<u2").tobytes()
            + deltas.astype("<u2").tobytes()
            + self.codes.tobytes()
        )

    @classmethod
    def read(
        cls, data: bytes, at: int, n: int, entries: int, low: float, step: float
    ) -> SparseResidual:
        """The residual `shipped` wrote at offset `at` of `data`."""
        counts = np.frombuffer(data, "<u2", n, at)
        deltas = np.frombuffer(data, "<u2", entries, at + 2 * n).astype(np.int64)
        codes = np.frombuffer(data, np.uint8, entries, at + 2 * n + 2 * entries)
        sums = np.cumsum(deltas)
        starts = np.concatenate([[0], np.cumsum(counts.astype(np.int64))[:-1]])
        first = np.repeat(starts, counts.astype(np.int64))  # each entry's row start
        columns = sums - sums[first] + deltas[first]  # the row start's delta is absolute
        return cls(counts, columns.astype(np.uint16), codes, low, step)


@dataclass(frozen=True)
class TiedParts:
    """What ships: Q's uint8 codes and grid, Λ^½ and τ·s, and optionally a sparse residual."""

    codes: np.ndarray  # uint8, n × r
    low: float  # Q = low + step·codes (TF.js' quantization min and scale)
    step: float
    root: np.ndarray  # float32, n
    scale: np.ndarray  # float32, r
    residual: SparseResidual | None = None

    def q(self) -> np.ndarray:
        """Q dequantized as TF.js does: code·scale + min in float64, rounded to float32."""
        return (self.codes.astype(np.float64) * self.step + self.low).astype(np.float32)


def expand(parts: TiedParts) -> tuple[np.ndarray, np.ndarray]:
    """The two kernels: U = Q / root (n × r) and V = (scale · Qᵀ) · root (r × n), each value
    computed in float64 and rounded to float32, as web/js/tied.js does."""
    q = parts.q().astype(np.float64)
    root = parts.root.astype(np.float64)
    u = (q / root[:, None]).astype(np.float32)
    v = ((parts.scale.astype(np.float64)[:, None] * q.T) * root[None, :]).astype(np.float32)
    return u, v


def tied_model(parts: TiedParts) -> keras.Model:
    """The net the page runs for `parts`: list → Dense(r) → Dense(n_items), plus x·R where the
    parts have a residual (the page adds it beside its sparse first layer, web/js/sparse.js)."""
    net = linear_model(*expand(parts))
    if parts.residual is None:
        return net
    x_in = net.inputs[0]
    n = len(parts.root)
    residual = keras.layers.Dense(n, use_bias=False, name="residual")
    out = keras.layers.Add(name="with_residual")([net.outputs[0], residual(x_in)])
    residual.set_weights([parts.residual.dense()])
    return keras.Model(x_in, out, name="dlae_tied_residual")


def export_tied(parts: TiedParts, out_dir: Path) -> list[Path]:
    """The float32 export of the parts' chain net with its weights replaced by the three TIED
    tensors (and the RESIDUAL ones, if any) in one shard, and `tied` naming the kernels they
    expand into."""
    files = export_tfjs(linear_model(*expand(parts)), out_dir, None)
    model_json = out_dir / "model.json"
    topology = json.loads(model_json.read_text())
    kernels = [w["name"] for group in topology["weightsManifest"] for w in group["weights"]]
    for path in files[1:]:
        path.unlink()
    n, r = parts.codes.shape
    shard = parts.codes.tobytes() + parts.root.astype("<f4").tobytes()
    shard += parts.scale.astype("<f4").tobytes()
    weights = [
        {"name": TIED[0], "shape": [n, r], "dtype": "float32",
         "quantization": {"dtype": "uint8", "min": parts.low, "scale": parts.step}},
        {"name": TIED[1], "shape": [n], "dtype": "float32"},
        {"name": TIED[2], "shape": [r], "dtype": "float32"},
    ]  # fmt: skip
    if parts.residual is not None:
        shard += parts.residual.shipped()
        weights += residual_specs(parts.residual)
    (out_dir / SHARD).write_bytes(shard)
    topology["weightsManifest"] = [{"paths": [SHARD], "weights": weights}]
    factor, output = sorted(kernels, key=lambda k: k.startswith(OUTPUT_NAME))
    topology["tied"] = {"factor": factor, "output": output}
    model_json.write_text(json.dumps(topology))
    return [model_json, out_dir / SHARD]


def residual_specs(residual: SparseResidual) -> list[dict[str, Any]]:
    """TF.js weight specs of the residual's three arrays (as dequantized numbers: counts and
    column differences are uint16 with scale 1)."""
    n, entries = len(residual.counts), len(residual.codes)
    whole = {"dtype": "uint16", "min": 0, "scale": 1}
    return [
        {"name": RESIDUAL[0], "shape": [n], "dtype": "float32", "quantization": whole},
        {"name": RESIDUAL[1], "shape": [entries], "dtype": "float32", "quantization": whole},
        {"name": RESIDUAL[2], "shape": [entries], "dtype": "float32",
         "quantization": {"dtype": "uint8", "min": residual.low, "scale": residual.step}},
    ]  # fmt: skip


def read_tied(model_dir: Path) -> TiedParts | None:
    """The TIED (and RESIDUAL) tensors of an exported model, or None for a model that is not
    tied."""
    topology = json.loads((model_dir / "model.json").read_text())
    if "tied" not in topology:
        return None
    (group,) = topology["weightsManifest"]
    specs = {w["name"]: w for w in group["weights"]}
    n, r = specs[TIED[0]]["shape"]
    data = (model_dir / group["paths"][0]).read_bytes()
    quant = specs[TIED[0]]["quantization"]
    codes = np.frombuffer(data, np.uint8, n * r).reshape(n, r)
    root = np.frombuffer(data, "<f4", n, n * r)
    scale = np.frombuffer(data, "<f4", r, n * r + 4 * n)
    if math.prod(specs[TIED[1]]["shape"]) != n or specs[TIED[2]]["shape"] != [r]:
        raise ValueError(f"{model_dir / 'model.json'}: tied tensors of mismatched shapes")
    residual = None
    if RESIDUAL[0] in specs:
        (entries,) = specs[RESIDUAL[2]]["shape"]
        grid = specs[RESIDUAL[2]]["quantization"]
        at = n * r + 4 * (n + r)
        residual = SparseResidual.read(data, at, n, entries, grid["min"], grid["scale"])
    return TiedParts(codes, float(quant["min"]), float(quant["scale"]), root, scale, residual)


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
