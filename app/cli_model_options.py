"""The CLI's options for loading a model, the same for every command that loads one."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the engine (and llama.cpp) is imported only by the commands that need it
    from app.engine import LoadOptions


def gpu_layers(text: str) -> int:
    if text == "all":
        return -1
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("use a number of layers, 0, or 'all'")
    return value


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="ID|PATH",
                        help="a library model's id or a GGUF file (default: the starter model)")
    parser.add_argument("--ctx", type=int, default=4096, help="context length (0 = as trained)")
    parser.add_argument("--threads", type=int, help="decoding threads (default: physical cores)")
    parser.add_argument(
        "--gpu-layers", type=gpu_layers, default=0, help="layers to offload: 0, N or 'all'"
    )


def model_path(args: argparse.Namespace) -> Path:
    from app.hub.library import Library
    from app.hub.starter import starter_model_path

    return starter_model_path() if args.model is None else Library().path_of(args.model)


def load_options(args: argparse.Namespace) -> LoadOptions:
    from app.engine import LoadOptions

    return LoadOptions(n_ctx=args.ctx, n_threads=args.threads, n_gpu_layers=args.gpu_layers)
