"""The widget embedded in another site's page, in a real headless Chromium, across origins.

The host page is built from the snippets the «Bygg inn» page shows, served from a second loopback
port; Kilde is told that origin may embed it. Every request the page makes must go to one of the
two servers: nothing from a CDN, no fonts, no analytics.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kilde.app.embed_page import snippets

from .conftest import free_port
from .servers import kilde_serve, static_site
from .test_ui_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

QUESTION = "Hvor mange dør av overdose i Norge hvert år?"
ANSWER = "260 mennesker av overdose"
HOST_PAGE = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Lokalavisa</title><style>body {{ font-family: serif; margin: 0; padding: 12px; }}</style></head>
<body><h1>Lokalavisa: rusreformen</h1><p>Spør kildene selv:</p>
{snippet}
</body></html>
"""


@pytest.fixture(scope="module")
def sites(bundled_index, tmp_path_factory):
    """(kilde URL, host site URL, host folder): Kilde allows the host's origin to embed it."""
    folder = tmp_path_factory.mktemp("host-site")
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    with kilde_serve(bundled_index, "--embed-origins", host) as kilde, static_site(folder, port):
        yield kilde, host, folder


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian chromium is required: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shown_snippets(sites, browser) -> tuple[str, str]:
    """The two snippets as the «Bygg inn» page shows them to a visitor."""
    kilde, _, _ = sites
    page = browser.new_page()
    page.goto(f"{kilde}/bygg-inn")
    iframe, component = (page.locator(f"#{name} .cm-content") for name in ("kilde-embed-iframe", "kilde-embed-component"))
    iframe.get_by_text(kilde).first.wait_for(timeout=60_000)
    page.frame_locator("iframe").get_by_label("Spør Kilde").wait_for(timeout=60_000)  # the preview
    assert page.get_by_role("navigation").inner_text().split() == ["Søk", "Bygg", "inn", "Dokumenter"]
    shown = (_code_text(iframe), _code_text(component))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "embed-page.png"), full_page=True)
    page.close()
    return shown


def _code_text(editor) -> str:
    return "\n".join(line.inner_text() for line in editor.locator(".cm-line").all())


def test_embed_page_shows_both_snippets_for_this_server(sites, shown_snippets):
    kilde, _, _ = sites
    assert shown_snippets == snippets(kilde)


@pytest.mark.parametrize("kind", ["iframe", "webcomponent"])
def test_embedded_widget_answers_and_loads_nothing_from_elsewhere(sites, browser, shown_snippets, kind):
    kilde, host, folder = sites
    snippet = shown_snippets[0] if kind == "iframe" else shown_snippets[1]
    (folder / f"{kind}.html").write_text(HOST_PAGE.format(snippet=snippet), encoding="utf-8")
    page = browser.new_page(viewport={"width": 900, "height": 1000})
    requests = []
    page.on("request", lambda r: requests.append(r.url))  # the page's and its frames' requests
    page.goto(f"{host}/{kind}.html")
    widget = page.frame_locator("iframe") if kind == "iframe" else page.locator("gradio-app")
    box = widget.get_by_label("Spør Kilde")
    box.fill(QUESTION)
    box.press("Enter")
    first = widget.locator(".kilde-hit").first
    first.wait_for(timeout=60_000)
    assert ANSWER in widget.locator(".kilde-results").inner_text()
    citation = first.locator(".kilde-citation").inner_text()
    assert "avsnitt" in citation and re.search(r"(godt|mulig|svakt) treff", citation)  # paragraph and hit label
    assert widget.locator(".kilde-hit").count() == 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"embed-{kind}.png"), full_page=True)
    page.close()
    allowed = {urlsplit(kilde).netloc, urlsplit(host).netloc}
    elsewhere = [url for url in requests if not url.startswith(("data:", "blob:")) and urlsplit(url).netloc not in allowed]
    assert elsewhere == []
    assert any(url.startswith(f"{kilde}/widget/") for url in requests)


def test_widget_fits_320_px_in_the_dark_theme(sites, browser):
    kilde, host, folder = sites
    snippet = snippets(kilde)[0].replace("/widget/", "/widget/?__theme=dark")
    (folder / "narrow.html").write_text(HOST_PAGE.format(snippet=snippet), encoding="utf-8")
    page = browser.new_page(viewport={"width": 344, "height": 900})  # 320 px for the frame after the page's margins
    page.goto(f"{host}/narrow.html")
    assert page.locator("iframe").bounding_box()["width"] == 320
    widget = page.frame_locator("iframe")
    box = widget.get_by_label("Spør Kilde")
    box.fill(QUESTION)
    box.press("Enter")
    widget.locator(".kilde-hit").first.wait_for(timeout=60_000)
    frame = page.frames[1]
    assert frame.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    background = frame.evaluate("getComputedStyle(document.querySelector('.gradio-container')).backgroundColor")
    assert _luminance(background) < 0.25, background
    page.screenshot(path=str(ARTIFACTS / "embed-320-dark.png"), full_page=True)
    page.close()


def test_other_origins_may_not_frame_the_widget(sites, browser):
    kilde, host, folder = sites
    (folder / "framed.html").write_text(HOST_PAGE.format(snippet=snippets(kilde)[0]), encoding="utf-8")
    page = browser.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "frame-ancestors" in message.text else None)
    page.goto(host.replace("127.0.0.1", "localhost") + "/framed.html")  # same files, another origin
    page.wait_for_timeout(2_000)
    assert refused, "Chromium should report the frame-ancestors refusal"
    assert page.frame_locator("iframe").get_by_label("Spør Kilde").count() == 0
    page.close()


def _luminance(css_color: str) -> float:
    red, green, blue = (int(part) for part in css_color[css_color.index("(") + 1:].split(",")[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255
