"""`minigiants serve`: the OpenAI-compatible API for programs on this computer, on a model of
its own (the app serves the model it has loaded, from Settings). It listens on loopback only and
needs the API key kept in the vault, so it unlocks the vault once to read it."""

from __future__ import annotations

import argparse
import sys

from app.cli_model_options import add_model_arguments, load_options, model_path
from app.cli_vault import add_passphrase_argument, open_unlocked


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from app.api.listen import DEFAULT_HOST, DEFAULT_PORT

    serve = commands.add_parser(
        "serve", help="an OpenAI-compatible API on this computer (loopback only)")
    add_model_arguments(serve)
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"a loopback address: 127.0.0.1 or ::1 (default {DEFAULT_HOST})")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help=f"default {DEFAULT_PORT}; 0 picks a free one")
    serve.add_argument("--show-key", action="store_true",
                       help="print the API key on standard output (it is also in Settings)")
    add_passphrase_argument(serve)
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    from app.api.api_key import api_key
    from app.api.engine_thread import EngineThread
    from app.api.listen import ApiServer, loopback_socket
    from app.api.server import ServedModel, api_app
    from app.engine import Engine

    sock = loopback_socket(args.host, args.port)  # refused before anything else is done
    with open_unlocked(args) as vault:
        key = api_key(vault)
    with Engine.load(model_path(args), load_options(args)) as engine:
        model = ServedModel.of(engine.facts, engine.n_ctx)
        runner = EngineThread(engine)
        server = ApiServer(api_app(runner, lambda: model, key), sock)
        print(f"Serving {model.id} at {server.base_url} (OpenAI-compatible; this computer only). "
              "Ctrl+C stops.", file=sys.stderr, flush=True)
        if args.show_key:
            print(key, flush=True)
        try:
            server.serve()
        except KeyboardInterrupt:  # uvicorn stops gracefully, then raises Ctrl+C again
            print("Stopped.", file=sys.stderr)
        finally:
            runner.stop()
    return 0
