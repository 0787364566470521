"""Citing in a real headless Chromium: ?q= links, the passage view, «Kopier kilde», the filters,
and a permalink that still opens its paragraph after the index is rebuilt."""

from __future__ import annotations

import shutil
import urllib.parse

import pytest

from kilde.app.citations import quotation
from kilde.index.documents.reader import bundled_corpus, read_documents
from kilde.index.retrieval.search import Searcher
from kilde.index.store.builds import build_index, load_index

from .servers import kilde_serve
from .test_ui_browser import ARTIFACTS, browser  # noqa: F401 (a fixture)

SPEECH, PARTY = "opptrappingsplanen-for-rusfeltet", "hoyre-rusomsorg"
OVERDOSE = "Hvor mange dør av overdose i Norge hvert år?"
TIMEOUT = 60_000


@pytest.fixture(scope="module")
def server(bundled_index):
    with kilde_serve(bundled_index) as url:
        yield url


def ask(url: str, question: str) -> str:
    return f"{url}/?{urllib.parse.urlencode({'q': question})}"


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_question_in_the_address_runs_on_load_and_shows_both_sides(server, browser):
    page = browser.new_page()
    page.goto(ask(server, "Hva mener de om brukermedvirkning?"))
    page.locator(".kilde-hit").first.wait_for(timeout=TIMEOUT)
    assert page.get_by_label("Spørsmål").input_value() == "Hva mener de om brukermedvirkning?"
    hits = page.locator(".kilde-hit")
    assert hits.count() == 5
    assert {hits.nth(i).get_attribute("data-document") for i in range(5)} == {SPEECH, PARTY}
    labels = page.locator(".kilde-source").all_inner_texts()
    assert any("Statsminister Erna Solberg" in t and "tale" in t for t in labels)
    assert any("Høyre" in t and "politikkside" in t for t in labels)
    page.locator(".kilde-context summary").first.click()  # the paragraphs around the first hit
    assert page.locator(".kilde-hit").first.locator(".kilde-neighbour").first.is_visible()
    screenshot(page, "cite-both-sides.png")
    page.close()


def test_highlight_is_marked_in_the_card(server, browser):
    page = browser.new_page()
    page.goto(ask(server, OVERDOSE))
    first = page.locator(".kilde-hit").first
    first.wait_for(timeout=TIMEOUT)
    marks = first.locator(".kilde-text mark")
    assert marks.count() == 1 and "260 mennesker av overdose" in marks.inner_text()
    assert marks.inner_text() != first.locator(".kilde-text").inner_text()  # a sentence, not the whole paragraph
    screenshot(page, "cite-highlight.png")
    page.close()


def test_hit_link_opens_the_passage_view(server, browser, searcher):
    page = browser.new_page()
    page.goto(ask(server, OVERDOSE))
    first = page.locator(".kilde-hit").first
    first.wait_for(timeout=TIMEOUT)
    passage_id = first.get_attribute("data-passage-id")
    first.locator(".kilde-permalink").click()
    view = page.locator(".kilde-passage")
    view.wait_for(timeout=TIMEOUT)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query) == {"p": [passage_id]}
    context = searcher.context(passage_id)
    assert view.locator(".kilde-text").inner_text() == context.passage.text
    neighbours = view.locator(".kilde-neighbour").all_inner_texts()
    assert context.previous.text in neighbours[0] and context.next.text in neighbours[1]
    assert view.locator(".kilde-ref").inner_text() == f"Høyre: «Rusomsorg», avsnitt {context.passage.paragraph}"
    assert view.locator(".kilde-reference").inner_text() == "Høyre. (u.å.). Rusomsorg."
    screenshot(page, "cite-passage.png")
    page.goto(f"{server}/?p=0000000000000000")
    page.locator(".kilde-message").wait_for(timeout=TIMEOUT)
    assert page.locator(".kilde-message").inner_text().startswith("Fant ikke avsnittet «0000000000000000».")
    page.close()


def copied(page, card, form: str = "quote") -> str:
    button = card.locator(f'.kilde-copy[data-form="{form}"]')
    button.click()
    page.wait_for_function("(b) => b.textContent === 'Kopiert'", arg=button.element_handle())
    return page.evaluate("navigator.clipboard.readText()")


@pytest.mark.parametrize("clipboard_api", [True, False])
def test_copy_button_puts_the_reference_on_the_clipboard(server, browser, searcher, clipboard_api):
    question = "Hva sa statsministeren om brukerinvolvering?"
    hit = next(h for h in searcher.search(question, 5).hits if h.document.id == SPEECH)
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    if not clipboard_api:  # as on a plain-HTTP page: writing through the API fails, the fallback copies
        context.add_init_script("navigator.clipboard.writeText = () => Promise.reject(new Error('insecure'))")
    page = context.new_page()
    page.goto(ask(server, question))
    card = page.locator(f'.kilde-hit[data-passage-id="{hit.passage.id}"]')
    card.wait_for(timeout=TIMEOUT)
    text = copied(page, card)
    assert text == quotation(hit)
    assert text.endswith(f"» – Statsminister Erna Solberg, Statsministerens kontor (Regjeringen): "
                         f"«Opptrappingsplanen for rusfeltet», tale 26.05.2015, avsnitt {numbers(hit.passage)}")
    page.wait_for_timeout(2_500)  # «Kopiert» turns back into the button's label
    assert copied(page, card, "reference") == ("Solberg, E. (2015, 26. mai). Opptrappingsplanen for rusfeltet [Tale]. "
                                               "Statsministerens kontor (Regjeringen).")
    if clipboard_api:
        screenshot(page, "cite-copied.png")
    context.close()


def test_copy_button_works_in_the_widget(server, browser, searcher):
    hit = searcher.search(OVERDOSE, 3).hits[0]
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{server}/widget/")
    page.get_by_label("Spør Kilde").fill(OVERDOSE)
    page.get_by_label("Spør Kilde").press("Enter")
    card = page.locator(".kilde-hit").first
    card.wait_for(timeout=TIMEOUT)
    assert copied(page, card) == quotation(hit)
    assert card.locator(".kilde-permalink").get_attribute("target") == "_blank"
    context.close()


def test_filter_restricts_hits_to_the_chosen_document(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.get_by_label("Bare fra dokumentene").click()
    page.get_by_role("option", name="Statsministerens kontor (Regjeringen): «Opptrappingsplanen for rusfeltet»").click()
    page.get_by_label("Spørsmål").fill("Hvordan skal pasientene få behandling?")
    page.get_by_role("button", name="Søk", exact=True).click()
    hits = page.locator(".kilde-hit")
    hits.first.wait_for(timeout=TIMEOUT)
    assert hits.count() == 5 and {hits.nth(i).get_attribute("data-document") for i in range(5)} == {SPEECH}
    screenshot(page, "cite-filter.png")
    page.get_by_label("Bare fra utgiverne").click()
    page.get_by_role("option", name="Høyre", exact=True).click()
    page.get_by_role("button", name="Søk", exact=True).click()
    page.locator(".kilde-message").wait_for(timeout=TIMEOUT)  # speech and Høyre: no document is both
    assert "Ingen dokumenter passer" in page.locator(".kilde-message").inner_text()
    page.close()


def test_permalink_survives_a_rebuild(tmp_path, embedder, browser):
    """Build, take ids, change the document (a paragraph added above, another edited), rebuild, open the links."""
    corpus = shutil.copytree(bundled_corpus(), tmp_path / "corpus")
    index_dir = tmp_path / "index"
    build_index(read_documents([corpus]), embedder, index_dir, [str(corpus)])
    hits = Searcher(load_index(index_dir), embedder).search(OVERDOSE, 3).hits
    kept = next(h for h in hits if "260 mennesker av overdose" in h.passage.text)
    edited = next(h for h in hits if h.document.id == PARTY and h.passage.text not in kept.passage.text)

    source = corpus / f"{PARTY}.txt"
    text = source.read_text(encoding="utf-8")
    heading, rest = text.split("\n\n", 1)
    text = f"{heading}\n\nEt nytt avsnitt øverst, så alle avsnittene under får et nytt nummer.\n\n{rest}"
    source.write_text(text.replace(edited.passage.text, edited.passage.text + " Endret."), encoding="utf-8")
    build_index(read_documents([corpus]), embedder, index_dir, [str(corpus)])

    with kilde_serve(index_dir) as url:
        page = browser.new_page()
        page.goto(f"{url}/?p={kept.passage.id}")
        view = page.locator(".kilde-passage")
        view.wait_for(timeout=TIMEOUT)
        assert view.locator(".kilde-text").inner_text() == kept.passage.text
        assert view.locator(".kilde-ref").inner_text() == f"Høyre: «Rusomsorg», avsnitt {kept.passage.paragraph + 1}"
        screenshot(page, "cite-permalink-rebuilt.png")
        page.goto(f"{url}/?p={edited.passage.id}")
        page.locator(".kilde-message").wait_for(timeout=TIMEOUT)
        assert "Fant ikke avsnittet" in page.locator(".kilde-message").inner_text()
        page.close()


def numbers(passage) -> str:
    """The paragraph numbers a citation gives: «20», or «20–21» for a lead-in joined with its continuation."""
    return f"{passage.paragraph}–{passage.last_paragraph}" if passage.last_paragraph else str(passage.paragraph)
