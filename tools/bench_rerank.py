"""`build.py bench`'s re-rank probe (tools/bench.py serves it as bench/rerank.py): runs where
the page's Python runs (web/js/python-mode.js), on the main thread in the page's own interpreter
(PyScript shares it between <script type="py">), or in a worker of its own with the page's config
(booted after the cold load's figures are taken). The page's catalog text, model and uploaded
file, re-ranked under a visitor's plausible control changes, then under the same changes with
titles marked "not interested". Runs in Pyodide only."""

import json
from array import array

import bridge  # web/py's, on this interpreter's path too: the page's globalThis in either mode
from animerec.catalog import Catalog
from animerec.encoding import encode
from animerec.filters import Filters
from animerec.parsers import parse_profile_file
from animerec.ranking import Candidates, RankContext, time_rerank
from pyodide.ffi import create_proxy, to_js

FILTER_CHANGES = [
    Filters(n=30), Filters(types=("TV",), n=30), Filters(types=("TV",), year_min=2010, n=30),
    Filters(genres_required=("Action",), n=30), Filters(genres_excluded=("Romance",), n=30),
    Filters(niche=0.5, n=30), Filters(plan_to_watch="boost", n=30),
    Filters(min_popularity=10000, n=30), Filters(hide_unstarted_sequels=False, n=30),
]


async def bench_rerank(repeat):
    loaded = await bridge.site.ready
    catalog = Catalog.from_json(json.loads(loaded.catalogText))
    upload = bridge.page().document.getElementById("file-input").files.item(0)
    profile = parse_profile_file((await upload.arrayBuffer()).to_bytes(), upload.name)
    scores = array("f")
    scores.frombytes((await loaded.model.predict(to_js(encode(profile, catalog)))).to_bytes())
    candidates = Candidates(RankContext(catalog), profile, scores)
    timings = time_rerank(candidates, FILTER_CHANGES, repeat)
    # The "not interested" path: the same changes with 20 of the best titles hidden.
    hidden = {r.item.index for r in candidates.rank(Filters(n=20))}
    return to_js(timings + time_rerank(candidates, FILTER_CHANGES, repeat, hidden))


bridge.page().__benchRerank = create_proxy(bench_rerank)
