"""The HTTP API: GET and POST /api/search over the one search core, with JSON errors.

Responses are `SearchResult.as_json()` with each hit's `citation` added (`citations.result_json`),
the same record as `kilde ask --json`; the models below only describe it in the OpenAPI document, so a field added to the core reaches clients
without a change here.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictInt
from starlette.exceptions import HTTPException

from kilde.index.errors import QuestionError
from kilde.index.library import Library
from kilde.index.retrieval.search import MAX_K, MAX_QUESTION_CHARS

from . import texts
from .citations import result_json
from .limits import ServerBusy
from .ratelimit import RateLimit, RateLimited

API_PREFIX = "/api"
DEFAULT_K = 5
_DOCS = texts.API_DOCS
_Q_HELP = _DOCS["q"].format(limit=MAX_QUESTION_CHARS)
_K_HELP = _DOCS["k"].format(limit=MAX_K)


Mode = Literal["hybrid", "dense", "bm25"]
# q's limits, stated in the schema but checked by the core (`clean_question`), which collapses
# whitespace before it counts and says in Norwegian what is wrong: pydantic would refuse first.
_Q_LIMITS = {"minLength": 1, "maxLength": MAX_QUESTION_CHARS}


class KildeJSON(JSONResponse):
    """JSON as UTF-8; text that cannot be UTF-8 (a lone surrogate echoed in an error) is replaced, not a 500."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode(
            "utf-8", errors="replace")


class SearchRequest(BaseModel):
    q: str = Field(description=_Q_HELP, examples=texts.EXAMPLE_QUESTIONS[:1], json_schema_extra=_Q_LIMITS)
    k: StrictInt = Field(DEFAULT_K, ge=1, le=MAX_K, description=_K_HELP)  # true, "5" and 5.0 are no k
    mode: Mode | None = Field(None, description=_DOCS["mode"])
    documents: list[str] | None = Field(None, description=_DOCS["document"])


class CitationRecord(BaseModel):
    quote: str = Field(description=_DOCS["citation_quote"])
    reference: str = Field(description=_DOCS["citation_reference"])


class HitRecord(BaseModel):
    id: str
    text: str = Field(description=_DOCS["text"])
    document: str
    title: str
    publisher: str | None
    date: str | None
    section: str | None
    paragraph: int = Field(description=_DOCS["paragraph"])
    page: int | None = Field(None, description=_DOCS["page"])
    last_paragraph: int | None = Field(None, description=_DOCS["last_paragraph"])
    score: float = Field(description=_DOCS["score"])
    highlight: list[tuple[int, int]] = Field(description=_DOCS["highlight"])
    citation: CitationRecord


class SearchResponse(BaseModel):
    question: str
    searched_as: str | None = Field(None, description=_DOCS["searched_as"])
    abstained: bool = Field(False, description=_DOCS["abstained"])
    hits: list[HitRecord]


class ErrorResponse(BaseModel):
    error: str = Field(description=_DOCS["error"])
    message: str = Field(description=_DOCS["message"])


def install(app: FastAPI, library: Library, rate_limit: RateLimit) -> None:
    """Register the API routes and its error handlers; before Gradio is mounted at "/"."""
    router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(rate_limit)], responses={
        200: {"model": SearchResponse}, 413: {"model": ErrorResponse},
        422: {"model": ErrorResponse}, 429: {"model": ErrorResponse}, 503: {"model": ErrorResponse},
        504: {"model": ErrorResponse}})

    @router.get("/search", summary=_DOCS["get"], response_class=KildeJSON)
    def search_get(q: str = Query(description=_Q_HELP, json_schema_extra=_Q_LIMITS),
                   k: int = Query(DEFAULT_K, ge=1, le=MAX_K, description=_K_HELP),
                   mode: Mode | None = Query(None, description=_DOCS["mode"]),
                   document: list[str] | None = Query(None, description=_DOCS["document"])):
        return _search(library, q, k, mode, document)

    @router.post("/search", summary=_DOCS["post"], response_class=KildeJSON)
    def search_post(body: SearchRequest):
        return _search(library, body.q, body.k, body.mode, body.documents)

    app.include_router(router)

    # Without this, another method on /api/search or another /api/ path falls through to Gradio,
    # mounted at "/", which answers 404 with FastAPI's {"detail": …}.
    @app.api_route(API_PREFIX + "/{rest:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                   include_in_schema=False)
    def elsewhere(request: Request, rest: str) -> JSONResponse:
        if rest == "search":
            return _error(405, "method.not_allowed", texts.API_ERRORS["method.not_allowed"].format(
                method=request.method), {"Allow": "GET, POST"})
        return _error(404, "not.found", texts.API_ERRORS["not.found"].format(path=request.url.path))
    app.add_exception_handler(QuestionError, _question_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(RateLimited, _rate_limited)
    app.add_exception_handler(ServerBusy, _busy)
    app.add_exception_handler(HTTPException, _http_error)


def _search(library: Library, q: str, k: int, mode: str | None, documents: list[str] | None) -> JSONResponse:
    return KildeJSON(result_json(library.search(question=q, k=k, mode=mode, documents=documents)))


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return KildeJSON({"error": code, "message": message}, status_code=status, headers=headers)


async def _busy(request: Request, error: ServerBusy) -> JSONResponse:
    """503 + Retry-After when every search slot is taken; 504 when one search ran past its time."""
    status = 503 if error.code == "server.busy" else 504
    return _error(status, error.code, texts.describe(error), {"Retry-After": str(error.params["seconds"])}
                  if status == 503 else None)


async def _http_error(request: Request, error: HTTPException):
    """Under /api/: Kilde's own JSON for 404, 405 and body errors; elsewhere FastAPI's answer."""
    if not (request.url.path + "/").startswith(API_PREFIX + "/"):
        return await http_exception_handler(request, error)
    if error.status_code == 405:
        return _error(405, "method.not_allowed", texts.API_ERRORS["method.not_allowed"].format(method=request.method),
                      {"Allow": "GET, POST"})
    if error.status_code == 404:
        return _error(404, "not.found", texts.API_ERRORS["not.found"].format(path=request.url.path))
    if error.status_code == 400:  # FastAPI: "There was an error parsing the body" (invalid UTF-8, say)
        return _error(422, "request.invalid", texts.API_ERRORS["request.invalid"])  # as any other bad body
    return _error(error.status_code, "request.invalid", texts.API_ERRORS["request.invalid"])


async def _question_error(request: Request, error: QuestionError) -> JSONResponse:
    return _error(422, error.code, texts.describe(error))


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's own 422 lists pydantic internals; say instead, in the core's words, what to fix."""
    for problem in error.errors():
        field = problem["loc"][-1] if problem["loc"] else None
        if field == "k":
            return await _question_error(request, QuestionError("k.out_of_range", k=problem.get("input"), limit=MAX_K))
        if field == "q" and problem["type"] == "missing":
            return await _question_error(request, QuestionError("question.empty"))
        if field == "mode":
            return await _question_error(request, QuestionError("mode.unknown", mode=problem.get("input")))
    return _error(422, "request.invalid", texts.API_ERRORS["request.invalid"])


async def _rate_limited(request: Request, error: RateLimited) -> JSONResponse:
    message = texts.API_ERRORS["rate.limited"].format(seconds=error.retry_after)
    return _error(429, "rate.limited", message, {"Retry-After": str(error.retry_after)})
