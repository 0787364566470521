"""The `kilde` command: index, ask, serve."""

from __future__ import annotations

import argparse
import contextlib
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
from .citations import citation, details, source_label


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
    from kilde.index.ensure import default_index_dir

    help = texts.CLI_HELP
    common = KildeArgumentParser(add_help=False)
    common.add_argument("--index", dest="index_dir", type=Path, default=default_index_dir(), metavar="DIR",
                        help=help["index_dir"].format(default=default_index_dir()))
    common.add_argument("--model", default=None, metavar="NAVN_ELLER_STI", help=help["model"])

    metadata = KildeArgumentParser(add_help=False)
    for name, metavar in texts.METADATA_METAVARS.items():
        metadata.add_argument(f"--{name}", default=None, metavar=metavar, help=help[name])

    parser = KildeArgumentParser(prog="kilde", description=texts.CLI_DESCRIPTION)
    commands = parser.add_subparsers(required=True, metavar="{index,add,remove,ask,eval,serve,export}",
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
    evaluate.set_defaults(run=_eval)

    serve = commands.add_parser("serve", parents=[common], help=help["serve"])
    serve.add_argument("--host", default="127.0.0.1", help=help["host"])
    serve.add_argument("--port", type=int, default=7860, help=help["port"])
    _add_embed_options(serve)
    serve.add_argument("--allow-upload", action="store_true", help=help["allow_upload"])
    _add_limit_options(serve)
    _add_engine_options(serve)
    serve.set_defaults(run=_serve)

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

    report = export_index(args.index_dir, args.uri, args.collection)
    print(texts.CLI_EXPORTED.format(collection=report.collection, passages=report.passages,
                                    written=report.written, deleted=report.deleted, kept=report.kept))
    return 0


def _open(args: argparse.Namespace):
    from kilde.index.model.embedder import load_embedder
    from kilde.index.ensure import open_searcher

    if getattr(args, "engine", "local") == "milvus":  # `serve --engine milvus`: both legs from the collection
        from kilde.index.cluster.milvus_engine import open_milvus_searcher

        if not (args.uri and args.collection):
            raise ClusterError("milvus.options")
        return open_milvus_searcher(args.index_dir, load_embedder(args.model), args.uri, args.collection)
    return open_searcher(args.index_dir, load_embedder(args.model))


def _overrides(args: argparse.Namespace) -> dict[str, str]:
    return {name: getattr(args, name) for name in texts.METADATA_METAVARS if getattr(args, name)}


def _index(args: argparse.Namespace) -> int:
    from kilde.index.documents.reader import bundled_corpus, read_documents
    from kilde.index.model.embedder import load_embedder
    from kilde.index.documents.sources import sources_of
    from kilde.index.store.builds import build_index

    sources = args.paths or [bundled_corpus()]
    overrides = _overrides(args)
    documents = read_documents(sources, overrides)  # fail on bad input before loading the model
    if args.ray:
        from kilde.index.cluster.ray_embed import resolve_address

        args.ray = resolve_address(args.ray)  # and on a missing RAY_ADDRESS or Ray
    embedder = load_embedder(args.model)
    with _ray_embedder(args.ray, embedder) as embed:
        manifest = build_index(documents, embedder, args.index_dir,
                               sources_of([p.resolve() for p in sources], overrides), progress=True, embed=embed)
    print(texts.CLI_INDEX_BUILT.format(path=args.index_dir, documents=manifest.document_count,
                                       passages=manifest.passage_count, seconds=manifest.build_seconds))
    return 0


def _ray_embedder(address: str | None, embedder):
    """`--ray ADDRESS`: the cluster's workers embed (`kilde.index.cluster`, imported only then)."""
    if not address:
        return contextlib.nullcontext()
    from kilde.index.cluster.ray_embed import ray_embedder

    return ray_embedder(address, embedder)


def _add(args: argparse.Namespace) -> int:
    from kilde.index.documents.reader import read_documents
    from kilde.index.model.embedder import load_embedder
    from kilde.index.ingest import add_documents

    overrides = _overrides(args)
    read_documents(args.paths, overrides)  # fail on bad input before loading the model
    change = add_documents(args.index_dir, args.paths, load_embedder(args.model), overrides, progress=True)
    _print_change(args, change)
    return 0


def _remove(args: argparse.Namespace) -> int:
    from kilde.index.model.embedder import load_embedder
    from kilde.index.ingest import check_removable, remove_documents

    check_removable(args.index_dir, args.ids)  # an unknown id fails before the model loads
    change = remove_documents(args.index_dir, args.ids, load_embedder(args.model), progress=True)
    _print_change(args, change)
    return 0


def _print_change(args: argparse.Namespace, change) -> None:
    for template, ids in ((texts.CLI_ADDED, change.added), (texts.CLI_REPLACED, change.replaced),
                          (texts.CLI_REMOVED, change.removed)):
        if ids:
            print(template.format(ids=", ".join(f"«{i}»" for i in ids)))
    manifest = change.manifest
    print(texts.CLI_INDEX_UPDATED.format(path=args.index_dir, documents=manifest.document_count,
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
    searcher = _open(args)
    failed = False
    for question in questions:
        try:
            result = searcher.search(question, args.k, mode=args.mode)
        except QuestionError as error:
            failed = True
            _print_error(question, texts.describe(error), args.json)
            continue
        print(json.dumps(result.as_json(), ensure_ascii=False) if args.json else _human(result), flush=True)
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
    searcher = _open(args)
    report = evaluate(searcher, questions, mode=args.mode)
    mode = args.mode or searcher.default_mode
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
    from .limits import DEFAULT_MAX_SEARCHES, DEFAULT_SEARCH_TIMEOUT
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
    import torch
    import uvicorn

    from .limits import SearchLimits
    from .request_limits import UploadLimits
    from .security import Policy
    from .server import create_app

    # A server runs searches side by side; torch's default of one thread per core inside each search
    # oversubscribes the cores (benchmarks/api_load.py on a busy 2-core machine: 371 ms a search, 67 ms with one).
    torch.set_num_threads(1)
    policy = Policy(embed_origins=tuple(args.embed_origins), cors_origins=tuple(args.cors_origins))
    if args.allow_upload and args.engine == "milvus":  # an upload rebuilds the folder, not the collection
        raise ClusterError("milvus.no_upload")
    searcher, extend_ui = _open(args), None
    if args.allow_upload:  # off by default: anyone who reaches the page can change the index
        from .upload import upload_page

        searcher, extend_ui = upload_page(searcher, args.index_dir)
    app = create_app(searcher, policy, args.rate_limit, extend_ui,
                     uploads=UploadLimits(args.max_upload_mb) if args.allow_upload else None,
                     search_limits=SearchLimits(args.max_searches, args.search_timeout))
    print(texts.CLI_SERVING.format(host=args.host, port=args.port), file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
