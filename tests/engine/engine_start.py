"""A fresh process as the app starts one: choose llama.cpp's backends (probing them in a child where
needed), then one real chat turn on the starter model. Prints one JSON object: the choice and the
reply. Run by tests, also under qemu-x86_64 as an older processor.

Usage: python tests/engine/engine_start.py [LIBRARY_FOLDER]"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from app.engine import ChatMessage, Engine, LoadOptions, SamplingOptions
from app.engine.backends import load_backends
from app.engine.hardware import hardware_report
from app.engine.native import ensure_backend
from app.hub.starter import starter_model_path


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    ensure_backend(lambda: load_backends(folder))
    report = hardware_report()
    with Engine.load(starter_model_path(), LoadOptions(n_ctx=512, seed=1)) as engine:
        stream = engine.chat([ChatMessage("user", "Say hello.")],
                             SamplingOptions(temperature=0, max_tokens=8))
        reply = "".join(stream)
    print(json.dumps({"backends": asdict(report.backends), "features": report.cpu_features,
                      "reply": reply, "tokens": stream.stats.completion_tokens}))


if __name__ == "__main__":
    main()
