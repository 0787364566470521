"""Issue 14 §7: searches in flight are bounded, one limit for the API and the pages; past it the
API answers 503 + Retry-After with Norwegian JSON, and one search has a time limit.

On main every request queued (50 clients × 60 s: p50 18–23 s, threads 5 → 44). Here a test holds
the only slot itself, so what is measured is the refusal, not a race.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from kilde.app.limits import LimitedSearcher, SearchLimits, SearchSlots, ServerBusy
from kilde.app.server import create_app
from kilde.app.ui import answer

QUESTION = "Hvor mange dør av overdose i Norge hvert år?"


@pytest.fixture
def slots():
    return SearchSlots(SearchLimits(max_searches=1, timeout=60))


def test_past_the_limit_the_api_sheds_with_503_and_retry_after(library, slots):
    client = TestClient(create_app(library, search_slots=slots))
    assert client.get("/api/search", params={"q": QUESTION}).status_code == 200
    assert slots.take()  # every slot taken: as if a search were running
    try:
        for response in (client.get("/api/search", params={"q": QUESTION}),
                         client.post("/api/search", json={"q": QUESTION})):
            assert response.status_code == 503 and response.headers["Retry-After"] == "1"
            assert response.json() == {"error": "server.busy", "message":
                                       "Kilde har for mange søk på gang akkurat nå. Prøv igjen om 1 sekunder."}
    finally:
        slots.give_back()
    assert client.get("/api/search", params={"q": QUESTION}).status_code == 200  # the slot is free again


def test_the_pages_share_the_apis_limit(library, slots):
    limited = LimitedSearcher(library, slots)
    assert "kilde-hit" in answer(limited, QUESTION, 5)
    assert slots.take()
    try:
        assert "for mange søk på gang" in answer(limited, QUESTION, 5)
    finally:
        slots.give_back()


def test_a_search_past_its_time_is_answered_504_and_keeps_its_slot_until_it_ends(library):
    slots = SearchSlots(SearchLimits(max_searches=1, timeout=0))  # no search is done the instant it starts
    client = TestClient(create_app(library, search_slots=slots))
    response = client.get("/api/search", params={"q": QUESTION})
    assert response.status_code == 504 and response.json()["error"] == "search.timeout"
    assert "tok for lang tid" in response.json()["message"]


def test_a_refused_search_never_runs(library):
    slots = SearchSlots(SearchLimits(max_searches=1))
    ran = []
    assert slots.take()
    with pytest.raises(ServerBusy) as busy:
        slots.run(ran.append, 1)
    slots.give_back()
    assert busy.value.code == "server.busy" and ran == []
    assert slots.run(ran.append, 2) is None and ran == [2]


def test_a_nan_k_in_the_gradio_endpoint_is_a_norwegian_message(library):
    """On main: «cannot convert float NaN to integer», in English, from int(k)."""
    for k in (float("nan"), float("inf"), 2.5, 0.0):
        shown = answer(library, QUESTION, k)
        assert "Antall treff må være et helt tall" in shown and "cannot convert" not in shown
    assert "kilde-hit" in answer(library, QUESTION, 3.0)
