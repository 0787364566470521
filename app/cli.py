"""The `kilde` command: index, ask, serve."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import traceback
from pathlib import Path

from kilde.index import notices
from kilde.index.errors import ClusterError, KildeError, QuestionError
from kilde.index.retrieval.search import MODES, SearchResult, check_k, clean_question

from . import texts
from .arguments import KildeArgumentParser
from .citations import citation, details, result_json, source_label


def main(argv: list[str] | None = None) -> int:
    notices.set_handler(lambda code, params: print(texts.notice(code, params), file=sys.stderr, flush=True))
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except KildeError as error:
        print(texts.CLI_ERROR_PREFIX + texts.describe(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug: say so plainly; KILDE_DEBUG=1 shows the traceback
        if os.environ.get("KILDE_DEBUG"):
            traceback.print_exc()
        print(f"{texts.CLI_ERROR_PREFIX}{texts.UNEXPECTED_ERROR} ({type(error).__name__}: {error})", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    from kilde.index.library import default_index_dir

    help = texts.CLI_HELP
    common = KildeArgumentParser(add_help=False)
    # None: the default index, the one folder `ask` and `serve` build the bundled corpus into.
    common.add_argument("--index", dest="index_dir", type=Path, default=None, metavar="DIR",
                        help=help["index_dir"].format(default=default_index_dir()))
    common.add_argument("--model", default=None, metavar="NAVN_ELLER_STI", help=help["model"])
    _add_backend_options(common)

    metadata = KildeArgumentParser(add_help=False)
    for name, metavar in texts.METADATA_METAVARS.items():
        metadata.add_argument(f"--{name}", default=None, metavar=metavar, help=help[name])

    parser = KildeArgumentParser(prog="kilde", description=texts.CLI_DESCRIPTION)
    commands = parser.add_subparsers(required=True, metavar="{index,add,remove,documents,ask,eval,serve,check,export}",
                                     title=texts.ARGPARSE_COMMANDS)

    index = commands.add_parser("index", parents=[common, metadata], help=help["index"])
    index.add_argument("paths", nargs="*", type=Path, help=help["paths"])
    index.add_argument("--ray", default=None, metavar="ADRESSE", help=help["ray"])
    index.set_defaults(run=_index)

    add = commands.add_parser("add", parents=[common, metadata], help=help["add"])
    add.add_argument("paths", nargs="+", type=Path, metavar="FIL", help=help["add_paths"])
    add.set_defaults(run=_add)

    remove = commands.add_parser("remove", parents=[common], help=help["remove"])
    remove.add_argument("ids", nargs="+", metavar="DOKUMENT_ID", help=help["ids"])
    remove.set_defaults(run=_remove)

    documents = commands.add_parser("documents", parents=[common], help=help["documents"])
    documents.add_argument("--json", action="store_true", help=help["documents_json"])
    documents.set_defaults(run=_documents)

    ask = commands.add_parser("ask", parents=[common], help=help["ask"])
    ask.add_argument("question", nargs="?", metavar="SPØRSMÅL", help=help["question"])
    ask.add_argument("-k", type=int, default=5, help=help["k"])
    ask.add_argument("--json", action="store_true", help=help["json"])
    ask.add_argument("--mode", choices=MODES, default=None, help=help["mode"])
    ask.set_defaults(run=_ask)

    evaluate = commands.add_parser("eval", parents=[common], help=help["eval"])
    evaluate.add_argument("questions", type=Path, help=help["questions"])
    evaluate.add_argument("--mode", choices=MODES, default=None, help=help["mode"])
    evaluate.add_argument("--json", action="store_true", help=help["eval_json"])
    _add_engine_options(evaluate)  # `--engine milvus`: the same questions against a Milvus collection
    evaluate.set_defaults(run=_eval)

    serve = commands.add_parser("serve", parents=[common], help=help["serve"])
    serve.add_argument("--host", default="127.0.0.1", help=help["host"])
    serve.add_argument("--port", type=int, default=7860, help=help["port"])
    _add_embed_options(serve)
    serve.add_argument("--allow-upload", action="store_true", help=help["allow_upload"])
    _add_limit_options(serve)
    _add_engine_options(serve)
    serve.set_defaults(run=_serve)

    check = commands.add_parser("check", help=help["check"])
    check.add_argument("--index", dest="index_dir", type=Path, default=default_index_dir(), metavar="DIR",
                       help=help["index_dir"].format(default=default_index_dir()))
    check.set_defaults(run=_check)

    export = commands.add_parser("export", parents=[common], help=help["export"])
    export.add_argument("target", choices=["milvus"], help=help["export_target"])
    export.add_argument("--uri", required=True, help=help["milvus_uri"])
    export.add_argument("--collection", required=True, help=help["milvus_collection"])
    export.set_defaults(run=_export)
    return parser


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    help = texts.CLI_HELP
    parser.add_argument("--engine", choices=["local", "milvus"], default="local", help=help["engine"])
    parser.add_argument("--uri", default=None, help=help["milvus_uri"])
    parser.add_argument("--collection", default=None, help=help["milvus_collection"])


def _export(args: argparse.Namespace) -> int:
    from kilde.index.cluster.milvus_store import export_index

    report = export_index(args.index_dir or _default_dir(), args.uri, args.collection)
    print(texts.CLI_EXPORTED.format(collection=report.collection, passages=report.passages,
                                    written=report.written, deleted=report.deleted, kept=report.kept))
    return 0




def _check(args: argparse.Namespace) -> int:
    """Verify the live build against the hashes recorded at publish time: 0 when whole, 2 when damaged."""
    from kilde.index.store.check import check_index

    index_dir = args.index_dir or _default_dir()
    result = check_index(index_dir)
    live, path = result.live, index_dir
    if live.ok and not live.verifiable:
        print(texts.CHECK_OLD_FORMAT.format(path=path, build=live.name))
        return 0
    if live.ok:
        print(texts.CHECK_OK.format(path=path, build=live.name, built_at=live.manifest.built_at, files=live.files))
        return 0
    print(texts.CHECK_DAMAGED.format(path=path, build=live.name), file=sys.stderr)
    for kind, file in live.problems:
        print(texts.CHECK_PROBLEMS[kind].format(file=file), file=sys.stderr)
    previous = result.previous
    if previous is not None and previous.ok:
        print(texts.CHECK_PREVIOUS_OK.format(build=previous.name, built_at=previous.manifest.built_at), file=sys.stderr)
    else:
        print(texts.CHECK_NO_PREVIOUS, file=sys.stderr)
    return 2


def _open(args: argparse.Namespace, progress: bool = True, threads: int | None = None):
    from kilde.index.library import Library

    engine = None
    if getattr(args, "engine", "local") == "milvus":  # `serve --engine milvus`: both legs from the collection
        from kilde.index.cluster.milvus_engine import milvus_engine

        if not (args.uri and args.collection):
            raise ClusterError("milvus.options")
        engine = milvus_engine(args.uri, args.collection)
    return Library.open(args.index_dir, model=args.model, backend=args.backend, precision=args.precision,
                        threads=threads, progress=progress, engine=engine)


def _opened(args: argparse.Namespace, threads: int | None = None):
    """The library for `ask`, `eval`, `serve`, `documents`: refused when no index is there."""
    library = _open(args, threads=threads)
    if library.manifest is None:
        from kilde.index.errors import IndexStateError

        raise IndexStateError("index.missing", path=str(library.path))
    return library


def _add_backend_options(common: argparse.ArgumentParser) -> None:
    from kilde.index.model.backends import ALL_PRECISIONS, BACKENDS, DEFAULT_BACKEND, ENV_BACKEND, ENV_PRECISION

    help = texts.CLI_HELP
    common.add_argument("--backend", choices=BACKENDS, default=None,
                        help=help["backend"].format(default=DEFAULT_BACKEND, env=ENV_BACKEND))
    common.add_argument("--precision", choices=ALL_PRECISIONS, default=None,
                        help=help["precision"].format(env=ENV_PRECISION))


def _library(args: argparse.Namespace):
    """The library of `--index` (or the default one) for a change: `index`, `add`, `remove`."""
    from kilde.index.library import Library

    return Library(args.index_dir or _default_dir(), model=args.model, backend=args.backend,
                   precision=args.precision)


def _overrides(args: argparse.Namespace) -> dict[str, str]:
    return {name: getattr(args, name) for name in texts.METADATA_METAVARS if getattr(args, name)}


def _index(args: argparse.Namespace) -> int:
    from kilde.index.documents.reader import bundled_corpus

    if getattr(args, "ray", None):
        from kilde.index.cluster.ray_embed import resolve_address

        args.ray = resolve_address(args.ray)  # fails on a missing RAY_ADDRESS or Ray before the model loads
    library = _library(args)
    if args.paths:
        change = library.index(args.paths, progress=True, ray=args.ray, **_overrides(args))
    elif _has_index(library):  # rebuild a user's index from what it was built from, never the bundled corpus
        change = library.rebuild(progress=True, **_overrides(args))
    else:
        change = library.index([bundled_corpus()], progress=True, ray=args.ray, **_overrides(args))
    manifest = change.manifest
    print(texts.CLI_INDEX_BUILT.format(path=library.path, documents=manifest.document_count,
                                       passages=manifest.passage_count, seconds=manifest.build_seconds))
    return 0


def _has_index(library) -> bool:
    """Whether the folder holds an index (a live or previous build); one whose builds are all
    unreadable is refused rather than rebuilt from the bundled corpus (issue 14 §5)."""
    from kilde.index.errors import IndexStateError

    try:
        return library.manifest is not None
    except IndexStateError:
        raise IndexStateError("index.sources_unknown", path=str(library.path)) from None


def _add(args: argparse.Namespace) -> int:
    library = _library(args)  # no index yet: these documents make one
    _print_change(library, library.add(args.paths, progress=True, **_overrides(args)))
    return 0


def _remove(args: argparse.Namespace) -> int:
    library = _library(args)
    _print_change(library, library.remove(args.ids, progress=True))
    return 0


def _documents(args: argparse.Namespace) -> int:
    documents = _opened(args).documents()
    if args.json:
        for document in documents:
            print(json.dumps(document.as_json(), ensure_ascii=False))
        return 0
    for document in documents:
        print(texts.CLI_DOCUMENT_LINE.format(id=document.id, title=document.title, passages=document.passages,
                                             source=" · ".join(source_label(document))))
    print(texts.CLI_DOCUMENTS_TOTAL.format(documents=len(documents), passages=sum(d.passages for d in documents)))
    return 0


def _default_dir() -> Path:
    from kilde.index.library import default_index_dir

    return default_index_dir()


def _print_change(library, change) -> None:
    for template, ids in ((texts.CLI_ADDED, change.added), (texts.CLI_REPLACED, change.replaced),
                          (texts.CLI_REMOVED, change.removed)):
        if ids:
            print(template.format(ids=", ".join(f"«{i}»" for i in ids)))
    manifest = change.manifest
    print(texts.CLI_INDEX_UPDATED.format(path=library.path, documents=manifest.document_count,
                                         passages=manifest.passage_count, embedded=manifest.embedded,
                                         reused=manifest.reused, seconds=manifest.build_seconds))


def _ask(args: argparse.Namespace) -> int:
    check_k(args.k)
    if args.question is not None:
        questions = [clean_question(args.question)]  # a bad question fails before the model loads
    elif sys.stdin is None or sys.stdin.isatty():
        print(texts.CLI_ERROR_PREFIX + texts.CLI_NO_QUESTION, file=sys.stderr)
        return 2
    else:  # bytes, so a line of invalid UTF-8 fails alone (as question.invalid) instead of the whole read
        lines = (line.decode("utf-8", errors="surrogateescape").rstrip("\r\n") for line in sys.stdin.buffer)
        questions = [line for line in lines if line.strip()]
    library = _opened(args)
    failed = False
    for question in questions:
        try:
            result = library.search(question, args.k, mode=args.mode)
        except QuestionError as error:
            failed = True
            _print_error(question, texts.describe(error), args.json)
            continue
        print(json.dumps(result_json(result), ensure_ascii=False) if args.json else _human(result), flush=True)
    return 1 if failed else 0


def _print_error(question: str, message: str, as_json: bool) -> None:
    if as_json:  # the question as read, with what cannot be UTF-8 (lone surrogates) shown as U+FFFD
        question = re.sub("[\ud800-\udfff]", "\ufffd", question)
        print(json.dumps({"question": question, "error": message}, ensure_ascii=False), flush=True)
    else:
        print(texts.CLI_ERROR_PREFIX + message, file=sys.stderr)


# Terminal escapes (CSI/OSC sequences, then any other C0/C1 control but tab and newline): a document
# may hold them, and printed as is they would recolour, retitle or rewrite the reader's terminal.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]"
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` without terminal escapes or control characters (tab and newline kept)."""
    return _ESCAPES.sub("", text)


def _human(result: SearchResult) -> str:
    heading = texts.WEAK_HITS_HEADING if result.abstained else texts.HITS_HEADING
    lines = ([texts.ABSTAINED + "."] if result.abstained else []) + [heading.format(question=result.question)]
    if result.searched_as:
        lines.append(texts.SEARCHED_AS.format(searched=result.searched_as))
    if not result.hits:
        lines.append(texts.NO_RESULTS)
    for hit in result.hits:
        lines.append("")
        lines.append(f"{hit.rank:>2}. {citation(hit)}")
        lines.append("    " + " · ".join(source_label(hit.document) + details(hit, hit.score)))
        lines.extend("    │ " + line for line in hit.passage.text.splitlines())
    return printable("\n".join(lines)) + "\n"


def _eval(args: argparse.Namespace) -> int:
    from kilde.index.retrieval.evaluation import evaluate, read_questions

    questions = read_questions(args.questions)
    library = _opened(args)
    report = evaluate(library, questions, mode=args.mode)
    mode = args.mode or library.default_mode
    if args.json:
        print(json.dumps({"questions_file": str(args.questions), "mode": mode, **report.as_json()}, ensure_ascii=False))
        return 0
    print(texts.EVAL_HEADING.format(path=args.questions, count=report.questions, mode=mode))
    for name, value in report.as_json().items():
        if name != "questions":
            print(f"  {texts.EVAL_METRICS.get(name, name):<28}{value:.3f}")
    return 0


def _add_embed_options(serve: argparse.ArgumentParser) -> None:
    from .ratelimit import DEFAULT_RATE_LIMIT, check_rate_limit
    from .security import ANY, parse_origin

    help = texts.SERVE_HELP
    origin = _checked(parse_origin, texts.BAD_ORIGIN)
    serve.add_argument("--embed-origins", nargs="+", type=origin, default=[ANY], metavar="OPPRINNELSE",
                       help=help["embed_origins"])
    serve.add_argument("--cors-origins", nargs="+", type=origin, default=[], metavar="OPPRINNELSE",
                       help=help["cors_origins"])
    serve.add_argument("--rate-limit", type=_checked(check_rate_limit, texts.BAD_RATE_LIMIT),
                       default=DEFAULT_RATE_LIMIT, metavar="GRENSE",
                       help=help["rate_limit"].format(default=DEFAULT_RATE_LIMIT))


def _add_limit_options(serve: argparse.ArgumentParser) -> None:
    from .limits import DEFAULT_MAX_SEARCHES, DEFAULT_SEARCH_THREADS, DEFAULT_SEARCH_TIMEOUT
    from .request_limits import DEFAULT_MAX_UPLOAD_MB, parse_max_upload_mb

    help = texts.SERVE_HELP
    serve.add_argument("--max-upload-mb", type=_checked(parse_max_upload_mb, texts.BAD_NUMBER),
                       default=DEFAULT_MAX_UPLOAD_MB, metavar="MB",
                       help=help["max_upload_mb"].format(default=DEFAULT_MAX_UPLOAD_MB))
    serve.add_argument("--max-searches", type=_checked(_positive(int), texts.BAD_NUMBER),
                       default=DEFAULT_MAX_SEARCHES, metavar="N",
                       help=help["max_searches"].format(default=DEFAULT_MAX_SEARCHES))
    serve.add_argument("--search-timeout", type=_checked(_positive(float), texts.BAD_NUMBER),
                       default=DEFAULT_SEARCH_TIMEOUT, metavar="SEKUNDER",
                       help=help["search_timeout"].format(default=DEFAULT_SEARCH_TIMEOUT))
    serve.add_argument("--search-threads", type=_checked(_at_least_zero, texts.BAD_NUMBER),
                       default=DEFAULT_SEARCH_THREADS, metavar="N",
                       help=help["search_threads"].format(default=DEFAULT_SEARCH_THREADS))


def _at_least_zero(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def _positive(kind):
    def parse(value: str):
        number = kind(value)
        if not number > 0 or number != number or number == float("inf"):
            raise ValueError(value)
        return number
    return parse


def _checked(parse, message: str):
    """An argparse type that reports a bad value in Norwegian instead of argparse's English."""
    def check(value: str):
        try:
            return parse(value)
        except ValueError:
            raise argparse.ArgumentTypeError(message.format(value=value)) from None
    return check


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .limits import SearchLimits
    from .request_limits import UploadLimits
    from .security import Policy
    from .server import create_app

    # A server runs searches side by side; torch's default of one thread per core inside each search
    # oversubscribes the cores (benchmarks/api_load.py on a busy 2-core machine: 371 ms a search, 67 ms with one).
    # ONNX Runtime and OpenVINO alike: `--search-threads` (default 1: 1.9x the req/s of 2 at 20 clients, app/limits.py).
    policy = Policy(embed_origins=tuple(args.embed_origins), cors_origins=tuple(args.cors_origins))
    if args.allow_upload and args.engine == "milvus":  # an upload rebuilds the folder, not the collection
        raise ClusterError("milvus.no_upload")
    library, extend_ui = _opened(args, threads=args.search_threads or None), None
    library.searcher()  # the model and the search engine (a Milvus collection: checked) before the server listens
    if args.allow_upload:  # off by default: anyone who reaches the page can change the index
        from kilde.index.documents import isolated

        from .upload import upload_page

        isolated.start()  # the process that parses uploads, before the first one waits for it
        extend_ui = upload_page(library)
    app = create_app(library, policy, args.rate_limit, extend_ui,
                     uploads=UploadLimits(args.max_upload_mb) if args.allow_upload else None,
                     search_limits=SearchLimits(args.max_searches, args.search_timeout))
    print(texts.CLI_SERVING.format(host=args.host, port=args.port), file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
