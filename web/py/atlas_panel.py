"""The "Map" view's controller: opens the catalog map (`web/js/atlas.js`, imported and its files
fetched on the first open only), keeps its highlights and filter mask in step with the results,
and answers a click on a title with that title's card."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import atlas_view
import bridge
from animerec.catalog import Catalog
from animerec.filters import Filters
from animerec.profile import Profile
from animerec.ranking import Candidates, Recommendation
from pyodide.ffi import JsException

READY = "Map ready: drag or use the arrow keys to pan, the wheel or + and − to zoom."


class MapPanel:
    def __init__(self) -> None:
        self.view = None  # atlas.js's handle once open
        self.opening: asyncio.Future | None = None
        self.results: tuple | None = None  # what the results show, for highlights()
        self.on_pick_proxy = bridge.callback(self.on_pick)

    def reset(self, folder: str, catalog: Catalog) -> None:
        """Another model (and catalog): a map opened from now on is that model's."""
        if self.view is not None:
            self.view.close()
        self.view, self.opening, self.results = None, None, None
        self.folder, self.catalog = folder, catalog
        bridge.ui.showMap(False)

    def refresh(
        self,
        candidates: Candidates,
        recs: Sequence[Recommendation],
        profile: Profile,
        filters: Filters,
    ) -> None:
        """The results changed: light up the new list and recommendations, dim what the
        filters exclude. Computed only while the map is open (else at its next opening): a
        filter change with the map closed costs nothing more."""
        self.results = (candidates, recs, profile, filters)
        if self.view is not None and bridge.ui.mapShown():
            self._send()

    def _send(self) -> None:
        if self.results is not None:
            self.view.update(atlas_view.highlights(*self.results))

    def on_toggle(self) -> None:
        if bridge.ui.mapShown():
            bridge.ui.showMap(False)
        elif self.opening is None or self.opening.done():
            self.opening = asyncio.ensure_future(self.open())

    async def open(self) -> None:
        bridge.ui.showMap(True)
        if self.view is None:
            bridge.ui.setStatus("Loading the map…")
            folder = self.folder
            try:
                view = await bridge.site.openAtlas(
                    folder, atlas_view.items(self.catalog), self.on_pick_proxy
                )
            except JsException as err:
                bridge.ui.showMap(False)
                bridge.ui.showError(f"The map could not be opened: {err.message}")
                return
            if folder != self.folder:  # the model changed meanwhile: this map is not its
                view.close()
                return
            self.view = view
            bridge.ui.setStatus(READY)
        self._send()

    def on_pick(self, index: int) -> None:
        if self.view is not None and self.results is not None:
            candidates, _, profile, _ = self.results
            self.view.showCard(atlas_view.card(int(index), candidates, profile))
