"""`minigiants models ...`: the model manager, headless. The same services as the GUI's model page:
catalog, Hugging Face search and files, downloads, the local library, discovery and fit estimates."""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli_vault import add_passphrase_argument, open_unlocked, read_secret_line
from app.errors import MiniGiantsError

if TYPE_CHECKING:  # the hub (and llama.cpp, for the hardware) load only for these commands
    from app.engine.hardware import HardwareReport
    from app.hub.download import Progress
    from app.hub.fit import FitEstimate
    from app.hub.hub_client import Hub

GIB = 1024**3
DEFAULT_CTX = 8192


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    models = commands.add_parser("models", help="find, download and manage models")
    actions = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    catalog = actions.add_parser("catalog", help="the curated models, with licence and fit here")
    catalog.add_argument("--ctx", type=int, default=DEFAULT_CTX, help="context length to fit")
    catalog.set_defaults(handler=_catalog)
    search = actions.add_parser("search", help="search Hugging Face for GGUF repositories")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=30)
    search.set_defaults(handler=_search)
    files = actions.add_parser("files", help="the GGUF files of a Hugging Face repository")
    files.add_argument("repo")
    files.add_argument("--revision", default="main")
    files.add_argument("--ctx", type=int, default=DEFAULT_CTX)
    files.set_defaults(handler=_files)
    download = actions.add_parser(
        "download", help="download a catalog model (ID) or any GGUF (REPO FILE) into the library")
    download.add_argument("what", nargs="+", metavar="CATALOG_ID | REPO FILE")
    download.add_argument("--quant", help="a catalog model's other quantization, e.g. Q5_K_M")
    download.add_argument("--revision", default="main")
    download.set_defaults(handler=_download)
    listing = actions.add_parser("list", help="the models in the library")
    listing.set_defaults(handler=_list)
    importing = actions.add_parser("import", help="add a GGUF file you already have")
    importing.add_argument("path", type=Path)
    importing.add_argument("--in-place", action="store_true",
                           help="use the file where it is instead of copying it into the library")
    importing.set_defaults(handler=_import)
    discover = actions.add_parser("discover", help="GGUF models other apps already downloaded")
    discover.add_argument("--add", action="store_true", help="add them all, used in place")
    discover.set_defaults(handler=_discover)
    remove = actions.add_parser("remove", help="remove a model from the library")
    remove.add_argument("id")
    remove.set_defaults(handler=_remove)
    verify = actions.add_parser("verify", help="check a model's SHA-256 again")
    verify.add_argument("id")
    verify.set_defaults(handler=_verify)
    fit = actions.add_parser("fit", help="will a model fit this machine at a context length?")
    fit.add_argument("model", metavar="ID|PATH")
    fit.add_argument("--ctx", type=int, default=DEFAULT_CTX)
    fit.set_defaults(handler=_fit)
    token = actions.add_parser(
        "token", help="keep a Hugging Face access token in the vault, for gated or private models")
    token.add_argument("token_action", choices=("set", "forget", "status"),
                       help="set: read a token (prompt, or one line on stdin)")
    token.set_defaults(handler=_token)
    add_passphrase_argument(token)
    for action in (search, files, download):
        action.add_argument("--vault-token", action="store_true",
                            help="use the access token kept in the vault (asks for the passphrase)")
        add_passphrase_argument(action)
    for action in actions.choices.values():
        action.add_argument("--json", action="store_true", help="print JSON")


# -- output -------------------------------------------------------------------------------------

def _print_json(value: object) -> None:
    def plain(item: object) -> object:
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            return dataclasses.asdict(item)
        return str(item)

    print(json.dumps(value, default=plain, ensure_ascii=False, indent=2))


def _size(size: int | None) -> str:
    return "?" if size is None else f"{size / GIB:.2f} GiB" if size >= GIB / 10 else \
        f"{size / 1024**2:.0f} MiB"


def _fit_json(estimate: FitEstimate) -> dict[str, object]:
    return {**dataclasses.asdict(estimate), "verdict": estimate.verdict.value,
            "total_bytes": estimate.total_bytes}


# -- services ----------------------------------------------------------------------------------

def _hub(args: argparse.Namespace) -> Hub:
    """The hub client; with --vault-token, carrying the token kept in the vault. Without it,
    huggingface-hub's own HF_TOKEN or `hf auth login` token applies, as for any HF tool."""
    from app.hub.hub_client import Hub

    if not args.vault_token:
        return Hub()
    from app.hub.access_token import stored_token

    with open_unlocked(args) as vault:
        token = stored_token(vault.settings)
    if token is None:
        raise MiniGiantsError("There is no Hugging Face access token in the vault.",
                              "Add one with `minigiants models token set`.")
    return Hub(token=token)


def _hardware() -> HardwareReport:
    from app.engine.hardware import hardware_report

    return hardware_report()


# -- commands ----------------------------------------------------------------------------------

def _catalog(args: argparse.Namespace) -> int:
    from app.hub.catalog import load_catalog

    hardware = _hardware()
    rows = [(entry, entry.size_of(), entry.fit(args.ctx, hardware)) for entry in load_catalog()]
    if args.json:
        _print_json([{**dataclasses.asdict(entry), "openness": entry.openness.value,
                      "colour": entry.openness.colour, "size": size, "fit": _fit_json(estimate)}
                     for entry, size, estimate in rows])
        return 0
    print(f"{'ID':<26} {'PARAMS':>6} {'QUANT':<7} {'SIZE':>9}  {'LICENCE':<38} {'FIT':<9} BASE")
    for entry, size, estimate in rows:
        licence = f"{entry.openness.colour}: {entry.licence}"
        print(f"{entry.id:<26} {entry.parameters_billion:>5.1f}B {entry.default.quantization:<7} "
              f"{_size(size):>9}  {licence[:38]:<38} {estimate.verdict.value:<9} "
              f"{entry.base_model or ''}")
    print(f"\nFit: at {args.ctx:,} tokens of context on this machine "
          f"({hardware.ram_available / GIB:.1f} GiB RAM free). Licence colours: green = "
          "permissive, yellow = non-commercial, red = restricted.")
    return 0


def _search(args: argparse.Namespace) -> int:
    repos = _hub(args).search(args.query, limit=args.limit)
    if args.json:
        _print_json(repos)
        return 0
    for repo in repos:
        print(f"{repo.repo:<60} {repo.downloads:>10,} downloads")
    if not repos:
        print("No GGUF repositories match.", file=sys.stderr)
    return 0


def _files(args: argparse.Namespace) -> int:
    from app.hub.fit import estimate_fit

    hardware = _hardware()
    files = _hub(args).gguf_files(args.repo, args.revision)
    # The attention shape is known only after download: this fit counts weights and buffers.
    estimates = [estimate_fit(f.size or 0, None, args.ctx, hardware) for f in files]
    if args.json:
        _print_json([{**dataclasses.asdict(f), "fit": _fit_json(e)} for f, e in zip(files, estimates)])
        return 0
    for model_file, estimate in zip(files, estimates):
        parts = f" ({len(model_file.parts)} parts)" if len(model_file.parts) > 1 else ""
        print(f"{model_file.name:<60} {model_file.quantization or '?':<8} "
              f"{_size(model_file.size):>9}  {estimate.verdict.value}{parts}")
    return 0


def _download(args: argparse.Namespace) -> int:
    from app.hub.download import DownloadControl, download
    from app.hub.library import Library

    repo, filename, revision, pinned = _what_to_download(args)
    control = DownloadControl()
    previous = signal.signal(signal.SIGINT, lambda *_: control.pause())
    try:
        model = download(_hub(args), Library(), repo, filename, revision=revision,
                         expected_sha256=pinned, control=control,
                         progress=None if args.json else _progress_line())
    finally:
        signal.signal(signal.SIGINT, previous)
        if not args.json and sys.stderr.isatty():
            print(file=sys.stderr)
    if args.json:
        _print_json(model)
    else:
        print(f"{model.id}: {model.path} (SHA-256 verified)")
    return 0


def _what_to_download(args: argparse.Namespace) -> tuple[str, str, str, str | None]:
    """(repo, file, revision, pinned SHA-256) from CATALOG_ID [--quant] or REPO FILE."""
    if len(args.what) == 2:
        return args.what[0], args.what[1], args.revision, None
    if len(args.what) != 1:
        raise MiniGiantsError("`models download` takes a catalog id, or a repository and a file.",
                              "For example: `minigiants models download qwen2.5-7b-instruct`.")
    from app.hub.catalog import catalog_entry

    entry = catalog_entry(args.what[0])
    chosen = entry.file(args.quant) if args.quant else entry.default
    return entry.repo, chosen.filename, entry.revision, chosen.sha256


def _progress_line() -> Callable[[Progress], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(progress: Progress) -> None:
        share = f"{100 * progress.fraction:5.1f}%" if progress.fraction is not None else "     "
        eta = f"ETA {int(progress.eta) // 60}:{int(progress.eta) % 60:02d}" \
            if progress.eta is not None else ""
        total = f"/{_size(progress.total)}" if progress.total else ""
        print(f"\r{progress.filename[:40]:<40} {share} {_size(progress.done)}{total} "
              f"{progress.speed / 1024**2:6.1f} MiB/s {eta}   ", end="", file=sys.stderr, flush=True)

    return show


def _list(args: argparse.Namespace) -> int:
    from app.hub.library import Library

    library = Library()
    models = library.models()  # read once: adapters are matched within this listing
    if args.json:
        _print_json([{**dataclasses.asdict(m),
                      "adapters": [a.id for a in library.adapters_for(m, models)]}
                     for m in library.base_models(models)])
        return 0
    for model in library.base_models(models):
        where = model.repo or str(model.path)
        template = "" if model.has_chat_template else "  no chat template (ChatML used)"
        print(f"{model.id:<36} {model.architecture:<10} {model.parameters / 1e9:5.2f}B "
              f"{model.quantization:<7} ctx {model.context_length or '?':<7} {_size(model.size):>9}  "
              f"{model.licence or 'licence ?':<14} {model.source:<9} {where}{template}")
        for adapter in library.adapters_for(model, models):
            print(f"    LoRA {adapter.id} ({adapter.path})")
    return 0


def _import(args: argparse.Namespace) -> int:
    from app.hub.library import Library

    model = Library().import_file(args.path, copy=not args.in_place)
    if args.json:
        _print_json(model)
    else:
        print(f"{model.id}: {model.path}" + (" (used in place)" if args.in_place else ""))
    return 0


def _discover(args: argparse.Namespace) -> int:
    from app.hub.discover import discover
    from app.hub.library import Library

    found = discover()
    library = Library()
    known = library.resolved_paths()
    added = []
    if args.add:
        for model in found:
            if model.path.resolve() not in known:
                added.append(library.import_file(model.path, copy=False))
    if args.json:
        _print_json({"found": found, "added": added})
        return 0
    for model in found:
        mark = "in library" if model.path.resolve() in known else ""
        print(f"{model.app:<20} {model.name:<60} {_size(model.size):>9}  {mark}")
    if not found:
        print("No GGUF models from other apps were found.", file=sys.stderr)
    elif added:
        print(f"Added {len(added)} model(s), used where they are.", file=sys.stderr)
    return 0


def _remove(args: argparse.Namespace) -> int:
    from app.hub.library import REFERENCE, Library

    model = Library().remove(args.id)
    kept = " (the file itself was left where it is)" if model.source == REFERENCE else ""
    print(f"Removed {model.id}{kept}.", file=sys.stderr)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from app.hub.library import Library

    result = Library().verify(args.id)
    if args.json:
        _print_json({"id": result.model.id, "ok": result.ok, "expected": result.model.sha256,
                     "actual": result.actual})
    elif result.ok:
        print(f"{result.model.id}: OK ({result.actual})")
    else:
        print(f"{result.model.id}: CHANGED: the file's SHA-256 is {result.actual}, it was "
              f"{result.model.sha256} when it entered the library. Download it again.")
    return 0 if result.ok else 1


def _fit(args: argparse.Namespace) -> int:
    from app.engine.gguf_file import inspect_gguf
    from app.hub.fit import attention_of, estimate_fit
    from app.hub.library import Library

    facts = inspect_gguf(Library().path_of(args.model))
    estimate = estimate_fit(facts.file_size, attention_of(facts), args.ctx, _hardware())
    if args.json:
        _print_json(_fit_json(estimate))
    else:
        print(f"{facts.name}: {estimate.summary()}")
        if estimate.gpu_layers:
            print(f"Suggested: --gpu-layers {estimate.gpu_layers}")
    return 0


def _token(args: argparse.Namespace) -> int:
    from app.hub.access_token import forget_token, masked, store_token, stored_token

    with open_unlocked(args) as vault:
        if args.token_action == "set":
            token = store_token(vault.settings, read_secret_line("Hugging Face access token: "))
            message = f"Kept {masked(token)} in the vault."
        elif args.token_action == "forget":
            forget_token(vault.settings)
            token, message = None, "No Hugging Face access token is kept in the vault now."
        else:
            token = stored_token(vault.settings)
            message = f"The vault keeps {masked(token)}." if token else \
                "The vault keeps no Hugging Face access token."
    if args.json:
        _print_json({"stored": token is not None, "token": masked(token) if token else None})
    else:
        print(message)
    return 0
