"""Uploading documents in the web interface: off by default, and in a real browser when switched on."""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kilde.app.server import create_app
from kilde.app.upload import UPLOAD_PAGE_PATH, ingest, upload_page
from kilde.index import Library

from .servers import kilde_serve
from .test_ingest import PAGE

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

QUESTION = "Hvor får rusavhengige gratis frokost?"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian chromium is required: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def index_dir(tmp_path, bundled_index) -> Path:
    folder = tmp_path / "index"
    shutil.copytree(bundled_index, folder)
    return folder


def test_there_is_no_upload_page_unless_switched_on(library):
    assert TestClient(create_app(library)).get(UPLOAD_PAGE_PATH).status_code == 404
    page = TestClient(create_app(library, extend_ui=upload_page(library))).get(UPLOAD_PAGE_PATH)
    assert page.status_code == 200 and "Legg til dokumenter" in page.text


def test_an_upload_is_kept_added_and_searched_at_once(tmp_path, index_dir, embedder):
    live = Library.open(index_dir, model=embedder)
    upload = tmp_path / "gradio-temp" / "lavterskel.html"
    upload.parent.mkdir()
    upload.write_text(PAGE, encoding="utf-8")
    message = ingest(live, [upload], {"publisher": " Bodø kommune ", "title": ""})
    assert message.startswith("Lagt til: «lavterskel».") and "(1 lest inn, 50 gjenbrukt)" in message
    upload.unlink()  # Gradio cleans its temporary files; the index keeps its own copy
    assert (index_dir / "uploads" / "lavterskel.html").read_text(encoding="utf-8") == PAGE
    hit = live.search(QUESTION, 1).hits[0]
    # The page's <h1> is its title, not <title> (issue 11: a <title> carries the site's name).
    assert (hit.document.id, hit.document.publisher, hit.document.title) == ("lavterskel", "Bodø kommune",
                                                                             "Lavterskeltilbud")

    broken = tmp_path / "gradio-temp" / "skadet.pdf"
    broken.write_bytes(b"%PDF-1.4 dette er ingen pdf")
    message = ingest(live, [broken], {})
    assert message.startswith("skadet.pdf kan ikke leses som") and str(tmp_path) not in message
    assert not (index_dir / "uploads" / "skadet.pdf").exists()
    assert ingest(live, [], {}) == "Velg minst én fil først."

    # A type Kilde cannot read: refused in Norwegian by the reader (the upload input sets no
    # `file_types`, whose check in Gradio's page would say «Invalid file type» in English).
    table = tmp_path / "gradio-temp" / "tall.csv"
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    message = ingest(live, [table], {})
    assert message.startswith("tall.csv: ukjent filtype.") and not (index_dir / "uploads" / "tall.csv").exists()


def test_upload_in_the_browser(tmp_path, index_dir, browser):
    upload = tmp_path / "lavterskel.html"
    upload.write_text(PAGE, encoding="utf-8")
    with kilde_serve(index_dir, "--allow-upload") as server:
        page = browser.new_page()
        page.goto(server + UPLOAD_PAGE_PATH)
        page.locator("#kilde-upload-files input[type=file]").set_input_files(str(upload))
        page.locator("#kilde-upload-publisher textarea, #kilde-upload-publisher input").first.fill("Bodø kommune")
        page.get_by_role("button", name="Legg til i indeksen").click()
        status = page.locator("#kilde-upload-status")
        status.get_by_text("Lagt til: «lavterskel».").wait_for(timeout=120_000)
        assert "3 dokumenter og 51 avsnitt (1 lest inn, 50 gjenbrukt)" in status.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ui-upload.png"), full_page=True)

        page.goto(server)  # the search page searches the new index
        page.get_by_label("Spørsmål").fill(QUESTION)
        page.get_by_role("button", name="Søk").click()
        first = page.locator(".kilde-hit").first
        first.wait_for(timeout=60_000)
        assert "Bodø åpner et lavterskeltilbud" in first.inner_text()
        page.close()
        with urllib.request.urlopen(f"{server}/api/search?{urllib.parse.urlencode({'q': QUESTION, 'k': 1})}") as answer:
            assert json.load(answer)["hits"][0]["document"] == "lavterskel"  # and so does the API
