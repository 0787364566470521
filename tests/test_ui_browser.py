"""The web interface in a real headless Chromium: type a question, see a cited paragraph."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import KILDE, free_port, wait_for_http

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="module")
def server(bundled_index):
    port = free_port()
    process = subprocess.Popen([str(KILDE), "serve", "--index", str(bundled_index), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian chromium is required: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_question_gives_cited_paragraph(server, browser):
    page = browser.new_page()
    outside = []
    page.on("request", lambda r: None if r.url.startswith((server, "data:", "blob:")) else outside.append(r.url))
    page.goto(server)
    page.get_by_label("Spørsmål").fill("Hvor mange dør av overdose i Norge hvert år?")
    page.get_by_role("button", name="Søk").click()
    first = page.locator(".kilde-hit").first
    first.wait_for(timeout=60_000)
    assert "260 mennesker av overdose" in page.locator("#kilde-results").inner_text()
    citation = first.locator(".kilde-citation").inner_text()
    assert "avsnitt" in citation and "godt treff" in citation  # the score is in the label's tooltip
    assert page.locator(".kilde-hit").count() == 5
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-search.png"), full_page=True)
    assert outside == []  # everything the page loads comes from Kilde itself
    page.close()


def test_empty_question_shows_a_norwegian_message(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.get_by_role("button", name="Søk").click()
    alert = page.locator(".kilde-message")
    alert.wait_for(timeout=30_000)
    assert alert.inner_text() == "Skriv et spørsmål først."
    page.close()


def test_example_question_runs(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.get_by_text("Hva innebærer den gylne regel?").first.click()
    page.get_by_role("button", name="Søk").click()
    page.locator(".kilde-hit").first.wait_for(timeout=60_000)
    assert "Gjeninnførte den gylne regel" in page.locator(".kilde-hit").first.inner_text()
    page.close()


def test_off_topic_question_is_answered_with_abstention(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.get_by_label("Spørsmål").fill("Hva er hovedstaden i Australia?")
    page.get_by_role("button", name="Søk").click()
    alert = page.locator(".kilde-message")
    alert.wait_for(timeout=60_000)
    assert alert.inner_text() == "Fant ingen avsnitt som svarer godt på spørsmålet"
    assert "svake treff" in page.locator(".kilde-weak h3").inner_text()  # closest ones, clearly marked
    page.close()


def test_a_nynorsk_question_shows_what_was_searched(server, browser):
    page = browser.new_page()
    page.goto(server)
    page.get_by_label("Spørsmål").fill("Kva vil Høgre gjere med butilbodet for rusavhengige?")
    page.get_by_role("button", name="Søk").click()
    page.locator(".kilde-hit").first.wait_for(timeout=60_000)
    note = page.locator(".kilde-searched-as")
    assert note.inner_text() == "Søkt på bokmål, maskinoversatt: «Hva vil Høyre gjøre med botilbudet for rusavhengige?»"
    assert "tilpasset botilbud" in page.locator(".kilde-hit").first.inner_text()
    page.close()
