"""Titles the site recognizes but the model does not score, in real Chromium: counted in the
summary and the stats, shown on "your list", and offered on the "continue what you love" shelf
(a 2026 sequel of a completed, loved 2023 show)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import (
    Session,
    card_ids,
    open_filters,
    open_site,
    open_sources,
    run_and_wait,
)

pytestmark = pytest.mark.browser

# (MyAnimeList id, status, score): the first five the model scores; 61987 (Kusuriya no
# Hitorigoto 3rd Season, 2026) it only recognizes.
LIST = [(52991, "Completed", 10), (5114, "Completed", 9), (16498, "Completed", 8),
        (1535, "Completed", 8), (54492, "Completed", 9), (61987, "Watching", 10)]  # fmt: skip
FRIEREN_2 = 59978  # Sousou no Frieren 2nd Season (2026): recognized, not scored


@pytest.fixture(scope="module")
def app(browser, site_url) -> Session:
    session = open_site(browser, site_url)
    yield session
    session.page.context.close()


def export(path: Path) -> Path:
    """A MyAnimeList XML export of LIST, ids and statuses only, as old exports are."""
    rows = "".join(
        f"<anime><series_animedb_id>{m}</series_animedb_id><my_status>{s}</my_status>"
        f"<my_score>{score}</my_score></anime>"
        for m, s, score in LIST
    )
    path.write_text(f"<?xml version='1.0'?><myanimelist>{rows}</myanimelist>")
    return path


def upload_list(page, tmp_path: Path) -> None:
    open_sources(page)  # folded into the "Your list" bar after an answer
    page.set_input_files("#file-input", str(export(tmp_path / "list.xml")))
    run_and_wait(page, lambda: page.click("#file-form button[type=submit]"))


def test_recognized_titles_are_counted_shown_and_continued(app: Session, tmp_path: Path):
    page = app.page
    upload_list(page, tmp_path)
    assert page.is_hidden("#error"), page.inner_text("#error")
    summary = page.inner_text("#summary")
    assert "5 titles on the list are scored by the model, 1 more recognized" in summary
    assert "1 more recognized" in page.inner_text("#stats .stats-summary")
    assert "Kusuriya no Hitorigoto 3rd Season" in page.inner_text("#your-list")
    assert page.is_visible("#continue")
    shelf = page.eval_on_selector_all(
        "#continue-cards li.card", "cs => cs.map(c => [Number(c.dataset.malId), c.innerText])"
    )
    first_id, first_text = shelf[0]
    assert first_id == FRIEREN_2
    assert "not scored by the model" in first_text
    assert not {m for m, _ in shelf} & {m for m, _, _ in LIST}


def test_the_shelf_follows_the_title_filters(app: Session, tmp_path: Path) -> None:
    """A type filter applies to the "continue" shelf as to the cards: with Movie only, the
    TV sequel leaves it, and every title left on it is a film."""
    page = app.page
    upload_list(page, tmp_path)

    def shelf() -> list[tuple[int, str]]:
        return page.eval_on_selector_all("#continue-cards li.card",
                                         "cs => cs.map(c => [Number(c.dataset.malId), "
                                         "c.innerText])")  # fmt: skip

    assert FRIEREN_2 in dict(shelf())
    open_filters(page)
    renders = int(page.evaluate("document.body.dataset.renders || 0"))
    page.check("#filters input[name=types][value=Movie]")
    page.wait_for_function("(n) => Number(document.body.dataset.renders || 0) > n", arg=renders)
    try:
        assert FRIEREN_2 not in dict(shelf())
        assert all("Movie" in text for _, text in shelf())
    finally:
        page.uncheck("#filters input[name=types][value=Movie]")


def test_a_tampered_recognized_file_is_refused_and_the_page_goes_on(
    browser, site_url: str, models_dir: Path, tmp_path: Path
) -> None:
    """The served file differs from the manifest by one title: read, it would still put the
    sequel on the shelf; refused, the page goes on with the model's catalog alone."""
    real = (models_dir / "catalog-extra.json").read_bytes()
    tampered = real.replace(b"Sousou no Frieren 2nd Season", b"Sousou no Frieren 2nd Seasom")
    assert tampered != real
    session = open_site(browser, site_url, before_load=lambda page: page.route(
        "**/catalog-extra.json", lambda route: route.fulfill(status=200, body=tampered)))
    page = session.page
    try:
        upload_list(page, tmp_path)
        assert page.is_hidden("#error"), page.inner_text("#error")
        assert len(card_ids(page)) == 50
        assert "5 titles on the list are scored by the model, 0 more recognized" in (
            page.inner_text("#summary")
        )
        shelf = page.eval_on_selector_all(
            "#continue-cards li.card", "cs => cs.map(c => +c.dataset.malId)"
        )
        assert FRIEREN_2 not in shelf  # known from the refused file only
    finally:
        page.context.close()
