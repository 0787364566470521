"""Issue 11 in a real headless Chromium: weak hits, filtered searches and their link, the page title,
`lang="nb"` and Norwegian labels, the «Dokumenter» page, `?d=`, `GET /api/documents`, examples from the
index, and on a 375 px phone «Søk» brings the results into view."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from .servers import kilde_serve
from .test_cite_browser import SPEECH, ask, screenshot
from .test_ui_browser import browser  # noqa: F401 (a fixture)

TIMEOUT = 90_000
OFF_TOPIC = "Hva er hovedstaden i Australia?"


@pytest.fixture(scope="module")
def server(bundled_index):
    with kilde_serve(bundled_index, "--allow-upload") as url:
        yield url


def test_weak_hits_have_no_highlight_and_say_so_in_words(server, browser):
    page = browser.new_page()
    page.goto(ask(server, OFF_TOPIC))
    page.locator(".kilde-hit").first.wait_for(timeout=TIMEOUT)
    assert "Fant ingen avsnitt som svarer godt" in page.locator(".kilde-message").inner_text()
    assert page.locator(".kilde-text mark").count() == 0
    labels = page.locator(".kilde-score")
    assert set(labels.all_inner_texts()) == {"svakt treff"}
    assert labels.first.get_attribute("title").startswith("Poeng ")
    assert "poeng" not in page.locator("#kilde-results").inner_text().casefold()
    assert page.title() == f"{OFF_TOPIC} – Kilde"
    assert page.evaluate("document.documentElement.lang") == "nb"
    screenshot(page, "cite-weak-hits.png")
    page.close()


def test_filtered_search_says_so_warns_and_its_link_keeps_the_filter(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.get_by_label("Bare fra dokumentene").click()
    page.get_by_role("option", name="Statsministerens kontor (Regjeringen): «Opptrappingsplanen for rusfeltet»").click()
    page.get_by_label("Spørsmål").fill(OFF_TOPIC)
    page.get_by_role("button", name="Søk", exact=True).click()
    page.locator(".kilde-hit").first.wait_for(timeout=TIMEOUT)
    results = page.locator("#kilde-results")
    assert "Filtrert søk: bare i Opptrappingsplanen for rusfeltet." in results.inner_text()
    assert "Fant ingen avsnitt som svarer godt" in results.inner_text()  # the warning, filtered too
    assert page.title() == f"{OFF_TOPIC} – Kilde"
    link = page.get_by_role("link", name="Lenke til søket").get_attribute("href")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(link).query) == {"q": [OFF_TOPIC], "f": [SPEECH]}
    screenshot(page, "cite-filtered-weak.png")
    page.goto(server + "/" + link)
    page.locator(".kilde-hit").first.wait_for(timeout=TIMEOUT)
    assert "Filtrert søk" in page.locator("#kilde-results").inner_text()
    hits = page.locator(".kilde-hit")
    assert {hits.nth(i).get_attribute("data-document") for i in range(hits.count())} == {SPEECH}
    page.close()


def test_examples_come_from_the_index_metadata(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.get_by_label("Spørsmål").wait_for(timeout=TIMEOUT)
    examples = page.locator(".gallery-item, button.example, [data-testid='examples'] button")
    page.get_by_text("Hva innebærer den gylne regel?").first.wait_for(timeout=TIMEOUT)  # from corpus/metadata.toml
    assert examples.count() >= 4
    page.close()


def test_documents_page_lists_the_index_and_opens_a_document_whole(server, browser, searcher):
    page = browser.new_page()
    page.goto(f"{server}/dokumenter")
    table = page.locator("table.kilde-documents")
    table.wait_for(timeout=TIMEOUT)
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    first = rows.first.inner_text()  # newest first: the dated speech, then the undated page
    assert "Opptrappingsplanen for rusfeltet" in first and "26.05.2015" in first and "28" in first
    assert "udatert" in rows.nth(1).inner_text()
    screenshot(page, "documents-page.png")
    page.locator("#kilde-documents-from input, #kilde-documents-from textarea").fill("2016")
    page.locator("#kilde-documents-from input, #kilde-documents-from textarea").press("Enter")
    page.get_by_text("Ingen dokumenter passer.").wait_for(timeout=TIMEOUT)
    page.goto(f"{server}/?d={SPEECH}")
    document = page.locator(".kilde-document")
    document.wait_for(timeout=TIMEOUT)
    passages = [p for p in searcher.index.passages if p.document_id == SPEECH]
    items = document.locator(".kilde-document-paragraph")
    assert items.count() == len(passages)
    assert [int(n) for n in items.evaluate_all("els => els.map(e => e.dataset.paragraph)")] == [p.paragraph for p in passages]
    assert items.nth(3).locator(".kilde-text").inner_text() == passages[3].text
    screenshot(page, "document-whole.png")
    items.nth(3).locator(".kilde-paragraph-number").click()
    page.locator(".kilde-passage").wait_for(timeout=TIMEOUT)
    assert page.locator(".kilde-passage").get_attribute("data-passage-id") == passages[3].id
    page.close()


def test_documents_api(server):
    with urllib.request.urlopen(f"{server}/api/documents", timeout=60) as response:
        data = json.loads(response.read())
    by_id = {d["id"]: d for d in data["documents"]}
    assert by_id[SPEECH]["speaker"] == "Statsminister Erna Solberg" and by_id[SPEECH]["passages"] == 28  # §20 («…:») joined with §21
    assert set(by_id[SPEECH]) == {"id", "title", "publisher", "speaker", "date", "type", "url", "source", "passages"}


def test_gradio_labels_are_norwegian_on_the_upload_page(server, browser):
    page = browser.new_page(locale="en-US")  # even in a browser set to English
    page.goto(f"{server}/legg-til")
    page.get_by_text("Slipp fil her").first.wait_for(timeout=TIMEOUT)
    body = page.locator("body").inner_text()
    assert "Drop File Here" not in body and "Click to Upload" not in body and "Klikk for å laste opp" in body
    assert page.evaluate("document.documentElement.lang") == "nb"
    screenshot(page, "upload-norwegian.png")
    page.close()


def test_on_a_phone_search_scrolls_to_the_results(server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server)
    page.get_by_label("Spørsmål").fill("Hvor mange dør av overdose i Norge hvert år?")
    page.get_by_role("button", name="Søk", exact=True).click()
    first = page.locator(".kilde-hit").first
    first.wait_for(timeout=TIMEOUT)
    page.wait_for_function("() => document.querySelector('.kilde-results').getBoundingClientRect().top < 812",
                           timeout=TIMEOUT)
    assert page.evaluate("window.scrollY") > 0
    screenshot_viewport = page.screenshot(path=None)
    assert screenshot_viewport
    from .test_ui_browser import ARTIFACTS

    page.screenshot(path=str(ARTIFACTS / "phone-375-results.png"))  # what the phone shows: the results
    context.close()
