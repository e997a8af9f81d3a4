"""Share, "Save as image" and the installable site (issue 24): Share copies the page's address
(AniList username and filters, never an uploaded list) or, on a phone, hands it to the Web Share
API (stubbed in the page: that is the OS's edge); the image is a PNG of the top picks drawn in
the browser, with the covers when their host allows it (CORS) and letter tiles when it does
not; the favicon, the web app manifest and its icons load, and no request of a visit is a 404.

Two pages for the module's five tests, a desktop one and a phone one, each with its covers
routed from its first request (the desktop's readable by a canvas, the phone's not): the Share
test, the icons' (which only reads the page) and the image with covers share the desktop page;
the Web Share test and the image with letter tiles, the phone's. Each test asks for the list it
needs (tools/BENCH.md, "The suite's time")."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from urllib.parse import parse_qsl, urlsplit

import pytest
from animerec.filters import QUERY_KEYS
from PIL import Image

from .conftest import (
    COVER_CDN,
    SHARED,
    Session,
    open_filters,
    open_site,
    open_sources,
    run_and_wait,
)
from .test_site import ask_anilist
from .test_view import DESKTOP

pytestmark = pytest.mark.browser

XML = SHARED / "mal-export-xinil-evanalxen.xml"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
RECORD_SHARE = "navigator.share = async (data) => { window.sharedData = data; };"
COVER_RGB = (200, 40, 90)
IMAGE = {"width": 1200, "head": 120, "row": 190, "pad": 40, "cover": (100, 142)}  # share.js's


def cover_png() -> bytes:
    out = BytesIO()
    Image.new("RGB", IMAGE["cover"], COVER_RGB).save(out, format="PNG")
    return out.getvalue()


def route_covers(page, cors: bool) -> None:
    """Covers from the faked CDN as PNGs, with the header that lets a canvas read them, or one
    that names another origin (Playwright adds an allowing one where none is given)."""
    allowed = "*" if cors else "https://elsewhere.example"
    body, headers = cover_png(), {"Access-Control-Allow-Origin": allowed}
    page.route(f"{COVER_CDN}file/cover/**",
               lambda route: route.fulfill(body=body, content_type="image/png", headers=headers))


def shared_query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


@pytest.fixture(scope="module")
def desktop(browser, site_url: str) -> Iterator[tuple[Session, list[str]]]:
    """A desktop page, its covers readable by a canvas, and the 404s of its visit, from its
    first request on."""
    missing: list[str] = []

    def listen(page) -> None:
        route_covers(page, cors=True)
        page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)

    session = open_site(browser, site_url, before_load=listen, viewport=DESKTOP)
    session.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    yield session, missing
    session.page.context.close()


@pytest.fixture(scope="module")
def phone(browser, site_url: str) -> Iterator[Session]:
    """A phone page, its Web Share API recorded, its covers from a host that does not let a
    canvas read them."""
    before_load = lambda page: route_covers(page, cors=False)  # noqa: E731
    session = open_site(browser, site_url, init_script=RECORD_SHARE, before_load=before_load,
                        **PHONE)  # fmt: skip
    yield session
    session.page.context.close()


def test_share_copies_the_view_but_never_an_uploaded_list(desktop) -> None:
    page = desktop[0].page
    assert "type=" not in page.url and not page.is_checked("#filters input[value=Movie]")
    ask_anilist(page, "evanalxen")
    open_filters(page)
    renders = int(page.evaluate("document.body.dataset.renders"))
    page.check("#filters input[name=types][value=Movie]")
    page.wait_for_url("**type=Movie**")
    page.wait_for_function(  # drawn (which folds the sources) after the address changed
        "(n) => Number(document.body.dataset.renders) > n", arg=renders
    )
    page.click("#share")
    page.wait_for_function("() => /copied/.test(document.getElementById('status').textContent)")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url
    assert shared_query(copied) == {"anilist": "evanalxen", "type": "Movie"}

    open_sources(page)
    page.set_input_files("#file-input", str(XML))
    run_and_wait(page, lambda: page.click("#file-form button[type=submit]"))
    page.click("#share")
    page.wait_for_function("(old) => navigator.clipboard.readText().then((t) => t !== old)",
                           arg=copied)  # fmt: skip
    copied = page.evaluate("navigator.clipboard.readText()")
    assert set(shared_query(copied)) <= QUERY_KEYS, copied  # filters only: no list, no name
    assert "evanalxen" not in copied and len(copied) < 200


def test_share_on_a_phone_uses_the_web_share_api(phone: Session) -> None:
    page = phone.page
    page.evaluate("() => { window.sharedData = undefined; }")  # what an earlier test shared
    ask_anilist(page, "evanalxen")
    page.click("#share")
    page.wait_for_function("() => window.sharedData")
    shared = page.evaluate("window.sharedData")
    assert shared["url"] == page.url and "anilist=evanalxen" in shared["url"]


def saved_image(page) -> Image.Image:
    with page.expect_download() as download:
        page.click("#save-image")
    assert download.value.suggested_filename == "animerec-top-picks.png"
    image = Image.open(download.value.path())
    assert image.format == "PNG"
    return image.convert("RGB")


def first_cover_spot(page) -> tuple[int, int]:
    """The middle of the cover of the first card (of the image's ten) that shows a cover."""
    k = page.eval_on_selector_all(
        "#recommendations li.card",
        "cards => cards.slice(0, 10).findIndex((c) => c.querySelector('img.cover'))")
    assert k >= 0, "no card of the first ten shows a cover"
    cell = (IMAGE["width"] - 2 * IMAGE["pad"]) / 2
    x = IMAGE["pad"] + (k % 2) * cell + IMAGE["cover"][0] / 2
    y = IMAGE["head"] + (k // 2) * IMAGE["row"] + IMAGE["cover"][1] / 2
    return round(x), round(y)


@pytest.mark.parametrize("cors", [True, False], ids=["cors", "no-cors"])
def test_save_as_image_draws_the_top_picks(request, cors: bool) -> None:
    """On the desktop page (covers a canvas can read) or the phone's (covers it cannot)."""
    session = request.getfixturevalue("desktop")[0] if cors else request.getfixturevalue("phone")
    page = session.page
    ask_anilist(page, "evanalxen")
    page.wait_for_selector("#recommendations img.cover")
    image = saved_image(page)
    rows = 5  # ten picks in two columns
    assert image.size == (IMAGE["width"], IMAGE["head"] + rows * IMAGE["row"] + 60)
    assert len(set(image.resize((60, 56)).get_flattened_data())) > 20  # text and tiles, not a blank
    spot = image.getpixel(first_cover_spot(page))
    assert (spot == COVER_RGB) is cors, spot  # the cover, or (tainted) the letter tile


def test_icons_manifest_and_no_404(desktop, site_url: str) -> None:
    session, missing = desktop
    page = session.page
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"]
    icons = page.evaluate("""async () => {
      const manifest = await (await fetch("manifest.webmanifest")).json();
      const sizes = [];
      for (const icon of manifest.icons) {
        const bitmap = await createImageBitmap(await (await fetch(icon.src)).blob());
        sizes.push([icon.sizes, icon.purpose, `${bitmap.width}x${bitmap.height}`]);
      }
      return sizes;
    }""")
    assert {purpose for _, purpose, _ in icons} == {"any", "maskable"}
    assert all(declared == real for declared, _, real in icons), icons
    assert {s for s, _, _ in icons} >= {"192x192", "512x512"}
    for path in ("favicon.ico", "favicon.svg", "icons/apple-touch-icon.png"):
        # from outside the page: a page's fetch of favicon.ico races Playwright's routing
        response = page.context.request.get(site_url + path)
        assert response.status == 200 and response.headers["content-type"].startswith("image/")
    assert not missing, missing
