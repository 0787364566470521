"""The HTTP API of a real `kilde serve`: the README's examples, every error, CORS, frame-ancestors, rate limit."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kilde.app.api import HitRecord, SearchResponse

from .conftest import run_kilde
from .servers import kilde_serve

README = Path(__file__).resolve().parents[1] / "README.md"
README_URL = "http://127.0.0.1:7860"
FIELDS = {"id", "text", "document", "title", "publisher", "date", "section", "paragraph", "score", "highlight",
          "citation"}
EMBEDDER = "https://avis.example"  # may embed the widget in the configured server
API_CLIENT = "https://app.example"  # may call the API from its scripts in the configured server
STRANGER = "https://evil.example"


@pytest.fixture(scope="module")
def server(bundled_index):
    with kilde_serve(bundled_index) as url:
        yield url


@pytest.fixture(scope="module")
def configured(bundled_index):
    with kilde_serve(bundled_index, "--embed-origins", EMBEDDER, "--cors-origins", API_CLIENT,
                     "--rate-limit", "5/minute") as url:
        yield url


def request(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
    """(status, headers, text) of one HTTP request, errors included."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def readme_blocks(language: str) -> list[str]:
    section = README.read_text(encoding="utf-8").split("## HTTP API", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)


def test_readme_curl_examples_run(server):
    commands = [line for block in readme_blocks("sh") for line in block.splitlines() if line.startswith("curl")]
    assert len(commands) == 2
    for command in commands:
        result = subprocess.run(["bash", "-c", command.replace(README_URL, server)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        record = json.loads(result.stdout)
        assert record["hits"] and set(record["hits"][0]) >= FIELDS
    assert "260 mennesker av overdose" in subprocess.run(
        ["bash", "-c", commands[0].replace(README_URL, server)], capture_output=True, text=True).stdout


def test_readme_gradio_client_example_runs(server):
    (code,) = readme_blocks("python")
    result = subprocess.run([sys.executable, "-c", code.replace(README_URL, server)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "kilde-hit" in result.stdout and "fra straff til hjelp" in result.stdout
    assert result.stdout.count('class="kilde-hit"') == 3


def test_get_and_post_return_the_cli_record(server, searcher):
    question = "Hvor mange dør av overdose i Norge hvert år?"
    expected = searcher.search(question=question, k=3).as_json()
    status, headers, text = request(f"{server}/api/search?" + urllib.parse.urlencode({"q": question, "k": 3}))
    assert status == 200 and headers["Content-Type"] == "application/json"
    got = json.loads(text)
    assert got["question"] == question
    assert [h["id"] for h in got["hits"]] == [h["id"] for h in expected["hits"]]
    assert all(set(hit) == FIELDS for hit in got["hits"])
    assert all(set(hit["citation"]) == {"quote", "reference"} for hit in got["hits"])
    assert got["hits"][0]["citation"]["quote"].startswith(f"«{got['hits'][0]['text']}» – ")
    body = json.dumps({"q": question, "k": 3}).encode()
    status, _, text = request(f"{server}/api/search", "POST", body, {"Content-Type": "application/json"})
    assert status == 200 and json.loads(text)["hits"] == got["hits"]


def test_a_nynorsk_question_says_what_was_searched(server):
    question = "Kva vil Høgre gjere med butilbodet for rusavhengige?"
    status, _, text = request(f"{server}/api/search?" + urllib.parse.urlencode({"q": question, "k": 1}))
    got = json.loads(text)
    assert status == 200 and got["question"] == question
    assert got["searched_as"] == "Hva vil Høyre gjøre med botilbudet for rusavhengige?"
    status, _, text = request(f"{server}/api/search?" + urllib.parse.urlencode({"q": "Hva er fritt behandlingsvalg?"}))
    assert status == 200 and "searched_as" not in json.loads(text)


def test_default_k_is_five(server):
    status, _, text = request(f"{server}/api/search?q=rusreform")
    assert status == 200 and len(json.loads(text)["hits"]) == 5


def test_document_filter_in_get_and_post(server):
    speech = "opptrappingsplanen-for-rusfeltet"
    query = urllib.parse.urlencode({"q": "Hvordan skal pasientene få behandling?", "document": speech})
    status, _, text = request(f"{server}/api/search?{query}")
    assert status == 200 and {h["document"] for h in json.loads(text)["hits"]} == {speech}
    body = json.dumps({"q": "Hvordan skal pasientene få behandling?", "documents": ["hoyre-rusomsorg"]}).encode()
    status, _, text = request(f"{server}/api/search", "POST", body, {"Content-Type": "application/json"})
    assert status == 200 and {h["document"] for h in json.loads(text)["hits"]} == {"hoyre-rusomsorg"}
    status, _, text = request(f"{server}/api/search?q=rus&document=finnes-ikke")
    assert status == 422 and json.loads(text) == {
        "error": "document.unknown", "message": "Ukjent dokument «finnes-ikke». Bruk id-en til et dokument i indeksen."}


LONG = "å" * 1001
GET_ERRORS = [
    ("", "question.empty", "Skriv et spørsmål først."),
    ("q=", "question.empty", "Skriv et spørsmål først."),
    ("q=%20%20%20", "question.empty", "Skriv et spørsmål først."),
    ("q=" + urllib.parse.quote(LONG), "question.too_long",
     "Spørsmålet er for langt (1001 tegn). Korte det ned til høyst 1000 tegn."),
    ("q=rus&k=0", "k.out_of_range", "Antall treff må være et helt tall fra 1 til 50 (fikk 0)."),
    ("q=rus&k=51", "k.out_of_range", "Antall treff må være et helt tall fra 1 til 50 (fikk 51)."),
    ("q=rus&k=tre", "k.out_of_range", "Antall treff må være et helt tall fra 1 til 50 (fikk tre)."),
    ("q=rus&k=2.5", "k.out_of_range", "Antall treff må være et helt tall fra 1 til 50 (fikk 2.5)."),
]


@pytest.mark.parametrize("query,code,message", GET_ERRORS)
def test_bad_get_is_a_clear_json_error(server, query, code, message):
    status, headers, text = request(f"{server}/api/search?{query}")
    assert status == 422 and headers["Content-Type"] == "application/json"
    assert json.loads(text) == {"error": code, "message": message}


POST_ERRORS = [
    (b"{}", "question.empty"),
    (json.dumps({"q": "  "}).encode(), "question.empty"),
    (json.dumps({"q": LONG}).encode(), "question.too_long"),
    (json.dumps({"q": "rus", "k": 99}).encode(), "k.out_of_range"),
    (json.dumps({"q": "rus", "k": "mange"}).encode(), "k.out_of_range"),
    (json.dumps({"q": ["rus"]}).encode(), "request.invalid"),
    (b"{ikke json", "request.invalid"),
    (b"", "request.invalid"),
]


@pytest.mark.parametrize("body,code", POST_ERRORS)
def test_bad_post_is_a_clear_json_error(server, body, code):
    status, _, text = request(f"{server}/api/search", "POST", body, {"Content-Type": "application/json"})
    assert status == 422, text
    error = json.loads(text)
    assert error["error"] == code and error["message"] and "Traceback" not in text


def test_openapi_describes_the_api_and_docs_are_served_locally(server):
    status, _, text = request(f"{server}/openapi.json")
    spec = json.loads(text)
    assert status == 200 and set(spec["paths"]["/api/search"]) == {"get", "post"}
    responses = spec["paths"]["/api/search"]["get"]["responses"]
    assert {"200", "422", "429"} <= set(responses)
    status, _, html = request(f"{server}/docs")
    assert status == 200 and "/openapi.json" in html
    assert not re.search(r'(src|href)="https?://', html)  # Swagger UI from Kilde, not a CDN


def test_documented_hit_fields_match_the_core(searcher):
    from kilde.app.citations import result_json

    record = result_json(searcher.search(question="Hva er fritt behandlingsvalg?", k=1))
    assert set(record) <= set(SearchResponse.model_fields)
    assert set(record["hits"][0]) <= set(HitRecord.model_fields)


def test_api_cors_default_is_none(server):
    status, headers, _ = request(f"{server}/api/search?q=rus", headers={"Origin": STRANGER})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    status, headers, _ = request(f"{server}/api/search", "OPTIONS", headers={
        "Origin": STRANGER, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert status == 400 and "Access-Control-Allow-Origin" not in headers


def test_api_cors_for_an_allowed_and_a_refused_origin(configured):
    status, headers, _ = request(f"{configured}/api/search?q=rus", headers={"Origin": API_CLIENT})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == API_CLIENT
    status, headers, _ = request(f"{configured}/api/search", "OPTIONS", headers={
        "Origin": API_CLIENT, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == API_CLIENT
    for refused in (STRANGER, EMBEDDER):  # embedding the widget does not open the API
        status, headers, _ = request(f"{configured}/api/search?q=rus", headers={"Origin": refused})
        assert status == 200 and "Access-Control-Allow-Origin" not in headers


def test_widget_cors_follows_the_embedding_origins(configured):
    _, headers, _ = request(f"{configured}/widget/config", headers={"Origin": EMBEDDER})
    assert headers["Access-Control-Allow-Origin"] == EMBEDDER
    for refused in (STRANGER, API_CLIENT):
        _, headers, _ = request(f"{configured}/widget/config", headers={"Origin": refused})
        assert "Access-Control-Allow-Origin" not in headers


def test_widget_cors_default_is_gradios_own(server):
    """Any page may load the web component, but a server addressed as localhost answers only local pages."""
    local_page = "http://127.0.0.1:9"
    _, headers, _ = request(f"{server}/widget/config", headers={"Origin": local_page})
    assert headers["Access-Control-Allow-Origin"] == local_page
    _, headers, _ = request(f"{server}/widget/config", headers={"Origin": STRANGER})
    assert "Access-Control-Allow-Origin" not in headers


def test_frame_ancestors(server, configured):
    status, headers, _ = request(f"{server}/widget/")
    assert status == 200 and "Content-Security-Policy" not in headers  # default: any site may embed
    status, headers, _ = request(configured + "/widget/")
    assert status == 200 and headers["Content-Security-Policy"] == f"frame-ancestors 'self' {EMBEDDER}"
    status, headers, _ = request(configured + "/")  # only the widget is meant to be framed (issue 14 §6)
    assert status == 200 and headers["Content-Security-Policy"] == "frame-ancestors 'self'"


def test_rate_limit_per_client_with_retry_after(configured):
    def call(client: str):
        return request(f"{configured}/api/search?q=rus&k=0", headers={"X-Forwarded-For": client})

    assert [call("203.0.113.7")[0] for _ in range(5)] == [422] * 5  # bad requests count too
    status, headers, text = call("203.0.113.7")
    assert status == 429 and 1 <= int(headers["Retry-After"]) <= 60
    error = json.loads(text)
    assert error["error"] == "rate.limited" and f"om {headers['Retry-After']} sekunder" in error["message"]
    assert call("203.0.113.8")[0] == 422  # another client is not held back


def test_web_component_script_is_served_by_kilde(server):
    status, headers, script = request(f"{server}/gradio.js")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    (entry,) = re.findall(r'import\("\./(assets/index-[^"]+\.js)"\)', script)
    status, headers, _ = request(f"{server}/{entry}")
    assert status == 200 and "javascript" in headers["Content-Type"]


@pytest.mark.parametrize("option,value,message", [
    ("--embed-origins", "https://avis.example/side", "er ikke en opprinnelse"),
    ("--cors-origins", "avis.example", "er ikke en opprinnelse"),
    ("--rate-limit", "mange", "er ikke en gyldig grense"),
    ("--rate-limit", "0/minute", "er ikke en gyldig grense"),
])
def test_bad_serve_options_are_refused(option, value, message):
    result = run_kilde("serve", option, value, timeout=60)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_search_mode_is_chosen_per_request(server):
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    base = f"{server}/api/search?q=" + urllib.parse.quote("Hva vil Høyre gjøre med ettervernet?")
    for mode in ("hybrid", "dense", "bm25"):
        with urllib.request.urlopen(f"{base}&k=3&mode={mode}") as response:
            assert len(json.load(response)["hits"]) == 3
    try:
        urllib.request.urlopen(f"{base}&mode=tilfeldig")
        raise AssertionError("an unknown mode must be refused")
    except urllib.error.HTTPError as error:
        assert error.code == 422
        assert json.load(error)["error"] == "mode.unknown"
