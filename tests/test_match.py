"""The match figure on the shipped model's real output (computed here in plain Python from the
uint8 weights, as the browser dequantizes them): it reads 100 for the top pick and spreads over
the list instead of bunching at 96–99%."""

from __future__ import annotations

import json
from array import array
from pathlib import Path

import pytest
from animerec.catalog import Catalog
from animerec.encoding import encode
from animerec.filters import Filters
from animerec.parsers import parse_profile_file
from animerec.ranking import Candidates, RankContext
from helpers import FIXTURES, ROOT

MODEL = ROOT / "models" / "default"


def logits(row: array, model: Path) -> list[float]:
    """The model's output for one encoded row: two dense layers of dequantized uint8 weights,
    or a tied model's one factor (converter/tied.py) used as both."""
    topology = json.loads((model / "model.json").read_text())
    (group,) = topology["weightsManifest"]
    data = b"".join((model / p).read_bytes() for p in group["paths"])
    if "tied" in topology:
        return tied_logits(row, group["weights"], data)
    (n, r), q0 = group["weights"][0]["shape"], group["weights"][0]["quantization"]
    q1 = group["weights"][1]["quantization"]
    hidden = [0.0] * r
    for i, x in enumerate(row):
        if x:
            for k, w in enumerate(data[i * r : (i + 1) * r]):
                hidden[k] += x * (q0["min"] + q0["scale"] * w)
    out = [0.0] * n
    base = n * r
    for k, h in enumerate(hidden):
        lo, step = q1["min"] * h, q1["scale"] * h
        weights = data[base + k * n : base + (k + 1) * n]
        out = [o + lo + step * w for o, w in zip(out, weights, strict=True)]
    return out


def tied_logits(row: array, specs: list[dict], data: bytes) -> list[float]:
    """x·U·V with U = Q / root and V = scale·Qᵀ·root, Q = min + step·code (n × r codes, then
    root as n and scale as r float32s)."""
    (n, r), quant = specs[0]["shape"], specs[0]["quantization"]
    root = array("f", data[n * r : n * r + 4 * n])
    scale = array("f", data[n * r + 4 * n : n * r + 4 * (n + r)])
    hidden = [0.0] * r
    for i, x in enumerate(row):
        if x:
            for k, code in enumerate(data[i * r : (i + 1) * r]):
                hidden[k] += x * (quant["min"] + quant["scale"] * code) / root[i]
    weighted = [h * s for h, s in zip(hidden, scale, strict=True)]
    out = []
    for j in range(n):
        codes = data[j * r : (j + 1) * r]
        total = sum(
            w * (quant["min"] + quant["scale"] * c) for w, c in zip(weighted, codes, strict=True)
        )
        out.append(total * root[j])
    return out


@pytest.mark.parametrize("name", ["mal-export-v110-igorv.xml", "mal-export-xinil-evanalxen.xml"])
def test_match_spreads_over_the_list(name: str) -> None:
    catalog = Catalog.from_json(json.loads((MODEL / "catalog.json").read_text()))
    profile = parse_profile_file((FIXTURES / name).read_bytes(), name)
    scores = logits(encode(profile, catalog), MODEL)
    recs = Candidates(RankContext(catalog), profile, scores).rank(Filters())
    shown = [round(r.match) for r in recs]
    assert shown[0] == 100
    assert shown == sorted(shown, reverse=True)
    assert shown[-1] <= 60, f"the 50th title still reads {shown[-1]}%"
    assert len(set(shown)) >= 15, f"only {len(set(shown))} different figures on 50 cards"
