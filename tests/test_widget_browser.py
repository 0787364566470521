"""The widget on a newspaper's page, in a real headless Chromium: both snippets on one page, the iframe
sized by the height the widget reports, links that open a new tab, `/widget` without the slash, the
«Søker i» footer and the plain-language hit label."""

from __future__ import annotations

import pytest

from kilde.app.embed_page import snippets

from .test_embed_browser import HOST_PAGE, QUESTION, sites  # noqa: F401 (a fixture)
from .test_ui_browser import ARTIFACTS, browser  # noqa: F401 (a fixture)

TIMEOUT = 90_000


def ask(widget) -> None:
    box = widget.get_by_label("Spør Kilde")
    box.fill(QUESTION)
    box.press("Enter")
    widget.locator(".kilde-hit").first.wait_for(timeout=TIMEOUT)


def test_both_snippets_work_on_one_page_and_the_iframe_grows(sites, browser):
    kilde, host, folder = sites
    iframe, component = snippets(kilde)
    (folder / "both.html").write_text(HOST_PAGE.format(snippet=iframe + "\n<hr>\n" + component), encoding="utf-8")
    page = browser.new_page(viewport={"width": 900, "height": 1000})
    page.goto(f"{host}/both.html")
    frame = page.frame_locator("iframe.kilde-widget")
    component_widget = page.locator("gradio-app")
    component_widget.get_by_label("Spør Kilde").wait_for(timeout=TIMEOUT)  # not stuck on «Loading…»
    before = page.locator("iframe.kilde-widget").bounding_box()["height"]
    ask(frame)
    page.wait_for_function(
        f"() => document.querySelector('iframe.kilde-widget').getBoundingClientRect().height > {before + 200}",
        timeout=TIMEOUT)
    inner = page.frames[1].evaluate("Math.ceil(document.querySelector('gradio-app').getBoundingClientRect().height)")
    outer = page.locator("iframe.kilde-widget").bounding_box()["height"]
    assert abs(outer - inner) <= 2  # the frame is as tall as its content: the page scrolls, not the frame
    ask(component_widget)
    for widget in (frame, component_widget):
        for link in widget.locator(".kilde-hit a, .kilde-search-link a").all():
            assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
        assert widget.locator("#kilde-widget-footer").inner_text().startswith("Søker i: «")
        assert widget.locator(".kilde-score").first.inner_text() in {"godt treff", "mulig treff", "svakt treff"}
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-both-snippets.png"), full_page=True)
    page.close()


def test_widget_link_opens_a_new_tab(sites, browser):
    kilde, _, _ = sites
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{kilde}/widget/")
    ask(page)
    with context.expect_page() as opened:
        page.locator(".kilde-permalink").first.click()
    tab = opened.value
    tab.locator(".kilde-passage").wait_for(timeout=TIMEOUT)
    assert tab.url.startswith(f"{kilde}/?p=")
    context.close()


@pytest.mark.parametrize("path", ["/widget", "/widget?__theme=dark"])
def test_widget_without_the_slash_works(sites, browser, path):
    kilde, _, _ = sites
    page = browser.new_page()
    response = page.goto(f"{kilde}{path}")
    assert response.ok
    page.get_by_label("Spør Kilde").wait_for(timeout=TIMEOUT)
    assert page.url.startswith(f"{kilde}/widget/")
    page.screenshot(path=str(ARTIFACTS / f"widget-no-slash{'-dark' if 'dark' in path else ''}.png"))
    page.close()
