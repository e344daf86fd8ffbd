"""Thin owners of llama.cpp's C objects (model, context, sampler) through llama-cpp-python's ctypes
bindings.

We skip llama-cpp-python's high-level `Llama` class on purpose: it redirects the process's stdout and
stderr file descriptors while loading, prints to the terminal when verbose, and re-detokenizes the
whole reply on every streamed token. Everything here is used from one thread, except `Context.abort`'s
flag, which any thread may set."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import gguf
import llama_cpp
import numpy as np

from app.engine import llama_log
from app.engine.backends import EngineBackends, load_backends
from app.engine.errors import (
    EngineError,
    LoadCancelled,
    LoraAdapterFailed,
    ModelFileInvalid,
    ModelLoadFailed,
    ReplyFormatInvalid,
    UnsupportedArchitecture,
)
from app.engine.messages import LoadOptions, SamplingOptions

llama_log.install()

_backend_lock = threading.Lock()
_backends: EngineBackends | None = None

KV_CACHE_TYPES = {
    "f16": gguf.GGMLQuantizationType.F16,
    "q8_0": gguf.GGMLQuantizationType.Q8_0,
    "q4_0": gguf.GGMLQuantizationType.Q4_0,
}
_ALL_LAYERS = 0x7FFFFFFF
_NO_ABORT = llama_cpp.ggml_abort_callback()
DECODE_OK = 0
DECODE_ABORTED = 2


def ensure_backend(choose: Callable[[], EngineBackends] = load_backends) -> EngineBackends:
    """Start llama.cpp in this process once, with the backends `choose` registers (backends.py);
    every later call returns that first choice."""
    global _backends
    with _backend_lock:
        if _backends is None:
            llama_cpp.llama_backend_init()
            _backends = choose()
        return _backends


_FILE_ERROR = "error loading model:"


def _problem_summary(lines: list[str]) -> str:
    """The most telling line llama.cpp logged about a failure."""
    for line in reversed(lines):
        if _FILE_ERROR in line:
            return line.split(_FILE_ERROR, 1)[1].strip()
    return lines[-1] if lines else "no reason was given (often: not enough memory)"


def _load_error(path: Path, lines: list[str]) -> EngineError:
    """Name a failed load for a person: the file's fault, or the machine's (memory)."""
    detail = _problem_summary(lines)
    if "unknown model architecture" in detail:
        return UnsupportedArchitecture(path, detail.rsplit(":", 1)[-1].strip().strip("'"))
    read_the_file = any(_FILE_ERROR in line for line in lines)
    if read_the_file and "alloc" not in detail and "memory" not in detail:
        # A missing key or tensor, or a wrong shape: an incomplete or mislabelled model file.
        return ModelFileInvalid(path, f"llama.cpp cannot use it ({detail})")
    return ModelLoadFailed(path, detail)


class Model:
    """A loaded llama_model (or only its vocabulary), with tokenization."""

    def __init__(
        self,
        path: Path,
        options: LoadOptions,
        *,
        vocab_only: bool = False,
        on_progress: Callable[[float], bool] | None = None,
    ) -> None:
        ensure_backend()
        params = llama_cpp.llama_model_default_params()
        # llama.cpp's own default offloads everything it can; we offload only what was asked for.
        params.n_gpu_layers = _ALL_LAYERS if options.n_gpu_layers < 0 else options.n_gpu_layers
        params.vocab_only = vocab_only
        params.load_mode = _load_mode(options)
        cancelled = False

        def report_progress(fraction: float, _data: ctypes.c_void_p) -> bool:
            nonlocal cancelled
            cancelled = on_progress is not None and on_progress(fraction) is False
            return not cancelled

        progress = llama_cpp.llama_progress_callback(report_progress)
        if on_progress is not None:
            params.progress_callback = progress
        with llama_log.capture_problems() as problems:
            pointer = llama_cpp.llama_model_load_from_file(str(path).encode("utf-8"), params)
        if not pointer:
            if cancelled:
                raise LoadCancelled(path)
            raise _load_error(path, problems)
        self.pointer = pointer
        self.vocab = llama_cpp.llama_model_get_vocab(pointer)
        self._piece_buffer = ctypes.create_string_buffer(256)

    def close(self) -> None:
        if self.pointer:
            llama_cpp.llama_model_free(self.pointer)
            self.pointer = None

    def token_text(self, token: int) -> str:
        return llama_cpp.llama_vocab_get_text(self.vocab, token).decode("utf-8", errors="replace")

    @property
    def bos_id(self) -> int:
        return llama_cpp.llama_vocab_bos(self.vocab)

    @property
    def bos_token(self) -> str:
        return self.token_text(self.bos_id) if self.bos_id >= 0 else ""

    @property
    def eos_token(self) -> str:
        token = llama_cpp.llama_vocab_eos(self.vocab)
        return self.token_text(token) if token >= 0 else ""

    @property
    def adds_bos(self) -> bool:
        return bool(llama_cpp.llama_vocab_get_add_bos(self.vocab))

    def is_end_of_generation(self, token: int) -> bool:
        return bool(llama_cpp.llama_vocab_is_eog(self.vocab, token))

    def tokenize(self, text: str, *, add_special: bool, parse_special: bool) -> list[int]:
        data = text.encode("utf-8")
        capacity = len(data) + 8
        while True:
            tokens = (llama_cpp.llama_token * capacity)()
            count = llama_cpp.llama_tokenize(
                self.vocab, data, len(data), tokens, capacity, add_special, parse_special
            )
            if count >= 0:
                return list(tokens[:count])
            capacity = -count

    def piece(self, token: int, *, special: bool = False) -> bytes:
        """The bytes of one token; control tokens render as nothing unless `special`."""
        size = llama_cpp.llama_token_to_piece(
            self.vocab, token, self._piece_buffer, len(self._piece_buffer), 0, special
        )
        if size < 0:
            self._piece_buffer = ctypes.create_string_buffer(-size)
            size = llama_cpp.llama_token_to_piece(
                self.vocab, token, self._piece_buffer, len(self._piece_buffer), 0, special
            )
        return self._piece_buffer.raw[:size]


def _load_mode(options: LoadOptions) -> int:
    if options.use_mmap and options.use_mlock:
        return llama_cpp.LLAMA_LOAD_MODE_MMAP_MLOCK
    if options.use_mlock:
        return llama_cpp.LLAMA_LOAD_MODE_MLOCK
    if options.use_mmap:
        return llama_cpp.LLAMA_LOAD_MODE_MMAP
    return llama_cpp.LLAMA_LOAD_MODE_NONE


class Context:
    """A llama_context over one sequence, with an abort flag that interrupts prompt processing."""

    def __init__(self, model: Model, path: Path, options: LoadOptions, threads: int) -> None:
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = options.n_ctx
        params.n_batch = options.n_batch
        params.n_ubatch = options.n_batch
        params.n_seq_max = 1
        params.n_threads = options.n_threads or threads
        params.n_threads_batch = options.n_threads_batch or threads
        params.flash_attn_type = (
            llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED
            if options.flash_attention
            else llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
        )
        try:
            cache_type = KV_CACHE_TYPES[options.kv_cache_type]
        except KeyError:
            raise ModelLoadFailed(
                path, f"unknown KV cache type {options.kv_cache_type!r} (use f16, q8_0 or q4_0)"
            ) from None
        params.type_k = params.type_v = int(cache_type)
        with llama_log.capture_problems() as problems:
            pointer = llama_cpp.llama_init_from_model(model.pointer, params)
        if not pointer:
            raise ModelLoadFailed(path, _problem_summary(problems))
        self.pointer = pointer
        self.memory = llama_cpp.llama_get_memory(pointer)
        self.n_ctx = llama_cpp.llama_n_ctx(pointer)
        self.n_batch = options.n_batch
        self.abort = threading.Event()
        # Called from ggml's compute thread for every graph node: only armed while a prompt is
        # evaluated, so decoding pays nothing for it.
        self._abort_callback = llama_cpp.ggml_abort_callback(lambda _data: self.abort.is_set())
        self._lora: object | None = None

    def apply_lora(self, model: Model, path: Path, scale: float) -> None:
        with llama_log.capture_problems() as problems:
            adapter = llama_cpp.llama_adapter_lora_init(model.pointer, str(path).encode("utf-8"))
        if not adapter:
            raise LoraAdapterFailed(path, _problem_summary(problems))
        self._lora = adapter
        adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(adapter)
        scales = (ctypes.c_float * 1)(scale)
        if llama_cpp.llama_set_adapters_lora(self.pointer, adapters, 1, scales) != 0:
            raise LoraAdapterFailed(path, "llama.cpp refused it for this model")

    def close(self) -> None:
        if self.pointer:
            llama_cpp.llama_free(self.pointer)
            self.pointer = None
        if self._lora is not None:
            llama_cpp.llama_adapter_lora_free(self._lora)
            self._lora = None

    def arm_abort(self, armed: bool) -> None:
        llama_cpp.llama_set_abort_callback(
            self.pointer, self._abort_callback if armed else _NO_ABORT, None
        )

    def decode(self, tokens: Sequence[int]) -> int:
        array = (llama_cpp.llama_token * len(tokens))(*tokens)
        return llama_cpp.llama_decode(self.pointer, llama_cpp.llama_batch_get_one(array, len(tokens)))

    def synchronize(self) -> None:
        """Wait until a GPU has finished what was decoded (a CPU finishes inside decode)."""
        llama_cpp.llama_synchronize(self.pointer)

    def tokens_in_memory(self) -> int:
        return llama_cpp.llama_memory_seq_pos_max(self.memory, 0) + 1

    def forget_from(self, position: int) -> None:
        llama_cpp.llama_memory_seq_rm(self.memory, 0, position, -1)

    @property
    def can_shift(self) -> bool:
        return bool(llama_cpp.llama_memory_can_shift(self.memory))

    def cut(self, start: int, end: int) -> None:
        """Remove positions [start, end) and move the later ones down to close the gap."""
        llama_cpp.llama_memory_seq_rm(self.memory, 0, start, end)
        llama_cpp.llama_memory_seq_add(self.memory, 0, end, -1, start - end)


class Grammar:
    """llama.cpp's grammar sampler for one reply: which tokens may come next so that the reply stays
    inside the grammar. Each token chosen must be accepted to move it on."""

    def __init__(self, model: Model, grammar: str) -> None:
        with llama_log.capture_problems() as problems:
            pointer = llama_cpp.llama_sampler_init_grammar(
                model.vocab, grammar.encode("utf-8"), b"root"
            )
        if not pointer:
            reason = "; ".join(problems) or "no reason was given"
            raise ReplyFormatInvalid(f"llama.cpp cannot compile its grammar ({reason})")
        self.pointer = pointer
        self._single = (llama_cpp.llama_token_data * 1)()

    def allows(self, token: int) -> bool:
        self._single[0] = llama_cpp.llama_token_data(token, 0.0, 0.0)
        candidates = llama_cpp.llama_token_data_array(self._single, 1, -1, False)
        llama_cpp.llama_sampler_apply(self.pointer, ctypes.byref(candidates))
        return bool(self._single[0].logit != float("-inf"))

    def restrict(
        self, candidates: llama_cpp.llama_token_data_array
    ) -> llama_cpp.llama_token_data_array:
        """Forbid (logit -inf) every candidate that would leave the grammar."""
        llama_cpp.llama_sampler_apply(self.pointer, ctypes.byref(candidates))
        return candidates

    def accept(self, token: int) -> None:
        llama_cpp.llama_sampler_accept(self.pointer, token)

    def close(self) -> None:
        if self.pointer:
            llama_cpp.llama_sampler_free(self.pointer)
            self.pointer = None


class Candidates:
    """Every token with its logit from the last decode, laid out as llama.cpp's samplers take them.
    One buffer per reply, refilled for each token: the samplers sort and shorten it in place."""

    def __init__(self, n_vocab: int) -> None:
        self._size = n_vocab
        self._data = (llama_cpp.llama_token_data * n_vocab)()
        self._fields = np.ctypeslib.as_array(self._data)
        self._ids = np.arange(n_vocab, dtype=np.int32)

    def load(self, context: Context) -> llama_cpp.llama_token_data_array:
        logits = llama_cpp.llama_get_logits_ith(context.pointer, -1)
        self._fields["id"] = self._ids
        self._fields["logit"] = np.ctypeslib.as_array(logits, shape=(self._size,))
        self._fields["p"] = 0.0
        return llama_cpp.llama_token_data_array(self._data, self._size, -1, False)


class Sampler:
    """A llama.cpp sampler chain for one reply, optionally held to a GBNF grammar."""

    def __init__(
        self, model: Model, options: SamplingOptions, seed: int, grammar: str | None = None
    ) -> None:
        n_vocab = llama_cpp.llama_vocab_n_tokens(model.vocab)
        # Compiled before the chain exists, so a grammar that fails leaves nothing to free.
        self._constraint = (
            (Grammar(model, grammar), Candidates(n_vocab)) if grammar is not None else None
        )
        chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
        add = lambda sampler: llama_cpp.llama_sampler_chain_add(chain, sampler)  # noqa: E731
        if options.logit_bias:
            biases = (llama_cpp.llama_logit_bias * len(options.logit_bias))(
                *(llama_cpp.llama_logit_bias(t, b) for t, b in options.logit_bias.items())
            )
            add(llama_cpp.llama_sampler_init_logit_bias(n_vocab, len(biases), biases))
        if options.top_k > 0:
            add(llama_cpp.llama_sampler_init_top_k(options.top_k))
        if options.repeat_penalty != 1.0 and options.repeat_last_n != 0:
            # After top-k: llama.cpp warns the penalty is slow over the full vocabulary.
            add(
                llama_cpp.llama_sampler_init_penalties(
                    n_vocab, options.repeat_last_n, options.repeat_penalty, 0.0, 0.0
                )
            )
        if options.temperature <= 0:
            add(llama_cpp.llama_sampler_init_greedy())
        else:
            add(llama_cpp.llama_sampler_init_top_p(options.top_p, 1))
            add(llama_cpp.llama_sampler_init_min_p(options.min_p, 1))
            add(llama_cpp.llama_sampler_init_temp(options.temperature))
            add(llama_cpp.llama_sampler_init_dist(seed))
        self.pointer = chain

    def sample(self, context: Context) -> int | None:
        """The next token from the last token's logits, accepted into the penalty window (and the
        grammar). None when the grammar allows no token: logit_bias forbids all it would allow."""
        if self._constraint is None:
            return llama_cpp.llama_sampler_sample(self.pointer, context.pointer, -1)
        grammar, candidates = self._constraint
        # The grammar over the whole vocabulary costs milliseconds a token. As llama.cpp's common
        # sampler does, check only the chain's choice, and restrict every candidate to the grammar
        # only when that choice would leave it.
        token, _ = self._choose(candidates.load(context))
        if not grammar.allows(token):
            token, logit = self._choose(grammar.restrict(candidates.load(context)))
            if logit == float("-inf"):
                return None  # the chain had only forbidden tokens left to choose from
        llama_cpp.llama_sampler_accept(self.pointer, token)
        grammar.accept(token)
        return token

    def _choose(self, candidates: llama_cpp.llama_token_data_array) -> tuple[int, float]:
        """Run the chain over `candidates`: the token it selects, and that token's final logit."""
        llama_cpp.llama_sampler_apply(self.pointer, ctypes.byref(candidates))
        chosen = candidates.data[candidates.selected]
        return int(chosen.id), float(chosen.logit)

    def close(self) -> None:
        if self.pointer:
            llama_cpp.llama_sampler_free(self.pointer)
            self.pointer = None
        if self._constraint is not None:
            self._constraint[0].close()
