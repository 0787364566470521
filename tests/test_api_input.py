"""Issue 14 §4 and §6: bad input to a real `kilde serve` gets Kilde's own JSON error, never a 500.

On main: `{"q": "\\ud800 rus"}` gave 500 text/plain (the tokenizer's TypeError); body errors,
405 and unknown /api/ paths gave FastAPI's `{"detail": …}`; `k` took `true`, `"5"` and `5.0`;
bodies had no size limit; no page sent `X-Content-Type-Options`, and `/` could be framed by any site.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pytest

from kilde.app.request_limits import API_BODY_LIMIT
from kilde.index.retrieval.search import MAX_QUESTION_CHARS

from .servers import kilde_serve
from .test_api import request


@pytest.fixture(scope="module")
def server(bundled_index):
    with kilde_serve(bundled_index) as url:
        yield url


def post(server: str, body: bytes, content_type: str = "application/json"):
    return request(f"{server}/api/search", "POST", body, {"Content-Type": content_type})


def assert_kilde_error(status: int, headers, text: str, expected_status: int, code: str) -> dict:
    assert status == expected_status, text
    assert headers["Content-Type"] == "application/json"
    error = json.loads(text)
    assert set(error) == {"error", "message"} and error["error"] == code, error
    return error


def test_a_lone_surrogate_is_a_documented_422(server):
    error = assert_kilde_error(*post(server, b'{"q": "\\ud800 rus"}'), 422, "question.invalid")
    assert "ugyldig UTF-8" in error["message"]
    error = assert_kilde_error(*request(f"{server}/api/search?q=rus&mode=%5Cud800"), 422, "mode.unknown")


def test_a_surrogate_echoed_in_an_error_is_no_500(server):
    assert_kilde_error(*post(server, b'{"q": "rus", "mode": "\\udfff"}'), 422, "mode.unknown")
    assert_kilde_error(*post(server, b'{"q": "rus", "documents": ["\\ud800"]}'), 422, "document.unknown")


@pytest.mark.parametrize("body", [b'{"q": "\xff\xfe rus"}', b'{"q": "rus"', b"[" * 5000 + b"]" * 5000,
                                  b'{"q": ' * 4000 + b'"x"' + b"}" * 4000])
def test_body_errors_are_kildes_json(server, body):
    status, headers, text = post(server, body)
    assert status in (400, 422) and headers["Content-Type"] == "application/json", text
    assert set(json.loads(text)) == {"error", "message"}


@pytest.mark.parametrize("k", ["true", '"5"', "5.0", "null", "[5]"])
def test_k_must_be_a_json_integer(server, k):
    assert_kilde_error(*post(server, f'{{"q": "rus", "k": {k}}}'.encode()), 422, "k.out_of_range")


def test_a_whole_k_is_taken(server):
    status, _, text = post(server, b'{"q": "rus", "k": 2}')
    assert status == 200 and len(json.loads(text)["hits"]) == 2


def test_the_schema_states_the_question_limits(server):
    _, _, text = request(f"{server}/openapi.json")
    schema = json.loads(text)
    body = schema["components"]["schemas"]["SearchRequest"]["properties"]
    (query,) = [p for p in schema["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "q"]
    for q in (body["q"], query["schema"]):
        assert (q["minLength"], q["maxLength"]) == (1, MAX_QUESTION_CHARS)
    assert body["k"]["type"] == "integer"
    assert {"503", "413"} <= set(schema["paths"]["/api/search"]["post"]["responses"])


def test_a_body_over_the_limit_is_refused(server):
    big = json.dumps({"q": "rus", "documents": ["x" * API_BODY_LIMIT]}).encode()
    assert_kilde_error(*post(server, big), 413, "request.too_large")


def test_a_chunked_body_over_the_limit_is_refused_while_it_streams(server):
    host, port = urllib.parse.urlsplit(server).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    chunks = (b"x" * 8192 for _ in range(4 * API_BODY_LIMIT // 8192))  # no Content-Length: chunked
    connection.request("POST", "/api/search", body=chunks, headers={"Content-Type": "application/json"},
                       encode_chunked=True)
    response = connection.getresponse()
    assert response.status == 413 and json.loads(response.read())["error"] == "request.too_large"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_a_kilde_405(server, method):
    status, headers, text = request(f"{server}/api/search", method, b"")
    assert_kilde_error(status, headers, text, 405, "method.not_allowed")
    assert headers["Allow"] == "GET, POST"


def test_an_unknown_api_path_is_a_kilde_404(server):
    assert_kilde_error(*request(f"{server}/api/finnes-ikke"), 404, "not.found")


def test_every_response_says_nosniff(server):
    for path in ("/", "/api/search?q=rus", "/api/search?q=", "/widget/", "/openapi.json", "/gradio.js",
                 "/api/finnes-ikke"):
        _, headers, _ = request(server + path)
        assert headers["X-Content-Type-Options"] == "nosniff", path


def test_only_the_widget_may_be_framed_by_other_sites(bundled_index, server):
    for path in ("/", "/legg-til", "/bygg-inn"):
        _, headers, _ = request(server + path)
        assert headers["Content-Security-Policy"] == "frame-ancestors 'self'", path
    _, headers, _ = request(f"{server}/widget/")
    assert "Content-Security-Policy" not in headers  # default: any site may embed the widget
