"""Lighthouse 12 (npm, on Debian's Chromium) against the built dist/ served locally: the page's
accessibility, best practices and SEO, and its layout shift while it loads. Speed is judged by
`build.py bench` (its Lighthouse figures included), not here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import lighthouse

pytestmark = pytest.mark.browser


def test_lighthouse_scores(site_url: str, tmp_path: Path) -> None:
    try:
        result = lighthouse.run(site_url, tmp_path / "lighthouse.json",
                                lighthouse.DESKTOP_PROVIDED, lighthouse.QUALITY)
    except lighthouse.LighthouseError as err:
        pytest.fail(str(err))
    scores = {k: c["score"] for k, c in result["categories"].items()}
    failing = [
        audit_id
        for audit_id, audit in result["audits"].items()
        if audit["score"] is not None and audit["score"] < 1
    ]
    assert scores["accessibility"] == 1, failing
    assert scores["best-practices"] >= 0.95, failing
    assert scores["seo"] >= 0.95, failing
    assert result["audits"]["cumulative-layout-shift"]["numericValue"] <= 0.05
