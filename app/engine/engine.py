"""The in-process llama.cpp engine: one loaded model, chat turns streamed as text deltas.

Threading: create, use and close an Engine on one thread. Only `cancel()` may be called from any
other thread; it stops a turn within one token while decoding, and between (and, on CPU, inside)
batches while the prompt is evaluated."""

from __future__ import annotations

import codecs
import logging
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path

from app.engine.cache_states import CacheState, CacheStates, copy_in, copy_out
from app.engine.context_fit import REFILL, ContextFit, fit_messages, prompt_room
from app.engine.errors import EngineClosed, MessageTooLong
from app.engine.gguf_file import ModelFacts, inspect_gguf
from app.engine.grammar import schema_grammar
from app.engine.hardware import physical_cores
from app.engine.messages import (
    ChatMessage,
    GenerationStats,
    LoadOptions,
    SamplingOptions,
    StopReason,
)
from app.engine.native import (
    DECODE_ABORTED,
    DECODE_OK,
    Context,
    Grammar,
    Model,
    Sampler,
)
from app.engine.prefix import plan_reuse
from app.engine.stop_strings import StopStringFilter
from app.engine.tokenizer import Tokenizer

logger = logging.getLogger(__name__)

RANDOM_SEED = 0xFFFFFFFF  # llama.cpp draws a seed itself
MIN_REEVALUATED = 2


def _batches(tokens: list[int], size: int) -> Iterator[list[int]]:
    """Split a prompt into batches of at most `size`, never leaving a last batch of one token (see
    MIN_REEVALUATED: a lone token is computed differently, and replies would depend on the split)."""
    start = 0
    while start < len(tokens):
        end = min(start + size, len(tokens))
        if len(tokens) - end == 1:
            end -= 1
        yield tokens[start:end]
        start = end


class ChatStream:
    """The text deltas of one reply. Iterate it once; afterwards `stats` says how the turn went.
    `fit` is known before the first token: which messages were left out to fit the context."""

    def __init__(self, generator: Generator[str, None, GenerationStats], fit: ContextFit) -> None:
        self._generator = generator
        self._parts: list[str] = []
        self.fit = fit
        self.stats: GenerationStats | None = None

    def __iter__(self) -> Iterator[str]:
        while True:
            try:
                delta = next(self._generator)
            except StopIteration as finished:
                self.stats = finished.value
                return
            self._parts.append(delta)
            yield delta

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def close(self) -> None:
        self._generator.close()


class Engine:
    def __init__(
        self,
        facts: ModelFacts,
        model: Model,
        context: Context,
        tokenizer: Tokenizer,
        options: LoadOptions,
    ) -> None:
        self.facts = facts
        self.tokenizer = tokenizer
        self.template = tokenizer.template
        self.options = options
        self._model: Model | None = model
        self._context: Context | None = context
        self._cached: list[int] = []  # exactly the tokens in llama.cpp's KV cache, in order
        self._active: ChatStream | None = None
        self._anchor: tuple[int, ChatMessage] | None = None  # where the last fitted history began
        self.states = CacheStates()  # the KV caches of conversations the engine does not hold now

    @classmethod
    def load(
        cls,
        path: str | Path,
        options: LoadOptions = LoadOptions(),
        *,
        on_progress: Callable[[float], bool] | None = None,
    ) -> Engine:
        """Validate and load a GGUF model. `on_progress(fraction)` may return False to abort."""
        facts = inspect_gguf(path)
        model = Model(facts.path, options, on_progress=on_progress)
        try:
            context = Context(model, facts.path, options, threads=physical_cores())
            if options.lora_path:
                context.apply_lora(model, Path(options.lora_path), options.lora_scale)
        except BaseException:
            model.close()
            raise
        tokenizer = Tokenizer.for_model(model, facts)
        if tokenizer.template.is_fallback:
            logger.warning("%s has no chat template; using ChatML", facts.path.name)
        return cls(facts, model, context, tokenizer, options)

    @property
    def n_ctx(self) -> int:
        return self._require()[1].n_ctx

    def cancel(self) -> None:
        """Stop the running turn, if any. Safe from any thread."""
        context = self._context
        if context is not None:
            context.abort.set()

    def close(self) -> None:
        """Free the context and the model. Idempotent."""
        if self._active is not None:
            self._active.close()
            self._active = None
        if self._context is not None:
            self._context.close()
            self._context = None
        if self._model is not None:
            self._model.close()
            self._model = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def switch_to(self, conversation: str | None) -> None:
        """Before a turn of `conversation` (None: a turn of no conversation, e.g. the journal's
        companion): the cache of the conversation held now is kept, and `conversation`'s comes
        back when it was kept, so only what is new in it is evaluated (cache_states.py)."""
        states = self.states
        if conversation == states.current:
            return
        _, context = self._require()
        self.keep_current()
        state = states.take(conversation) if conversation is not None else None
        if state is not None:
            restored = copy_in(context, state.data)
            self._cached = list(state.tokens) if restored else []
            self._anchor = state.anchor if restored else None
        states.current = conversation

    def keep_current(self) -> None:
        """Keep the cache held now among the conversations' (before the model closes, or the
        vault locks and the kept caches are sealed away)."""
        states = self.states
        _, context = self._require()
        if states.current is not None and self._cached:
            states.keep(states.current,
                        CacheState(tuple(self._cached), self._anchor, copy_out(context)))

    def cache_identity(self) -> str:
        """What a kept cache is valid for: this model file and the load options that shape the
        cache; a cache saved under another identity is never used."""
        stat = self.facts.path.stat()
        options = self.options
        return "|".join(str(part) for part in (
            self.facts.path.name, stat.st_size, stat.st_mtime_ns, options.n_ctx,
            options.kv_cache_type, options.flash_attention, options.lora_path,
            options.lora_scale, self.template.source))

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        self._require()
        return self.tokenizer.count_tokens(messages)

    def chat(
        self, messages: Sequence[ChatMessage], sampling: SamplingOptions = SamplingOptions()
    ) -> ChatStream:
        """Start a reply to `messages`. Raises MessageTooLong at once if even the system prompt and the
        latest message do not fit; older turns that do not fit are left out and reported. Raises
        ReplyFormatInvalid at once for a `sampling.json_schema` llama.cpp cannot enforce."""
        started = time.perf_counter()  # time to first token counts the fitting too
        model, context = self._require()
        grammar = self._reply_grammar(model, sampling)
        fit = fit_messages(
            messages,
            self.tokenizer.tokenize_prompt,
            prompt_room(sampling.max_tokens, context.n_ctx),
            context.n_ctx,
            keep_from=self._anchor,
            # Without a context shift every drop means evaluating the kept history again: then
            # drop down to half the room at once, so that happens only every few turns.
            refill=1.0 if context.can_shift else REFILL,
        )
        self._anchor = fit.anchor
        return self._start(fit, sampling, grammar, self.template.stop_strings, started)

    def complete(self, prompt: str, sampling: SamplingOptions = SamplingOptions()) -> ChatStream:
        """Continue `prompt`, plain text without the chat template (the API's /v1/completions).
        Raises MessageTooLong at once when it leaves no room for the reply."""
        started = time.perf_counter()
        _, context = self._require()
        tokens = self.tokenizer.tokenize_text(prompt)
        room = prompt_room(sampling.max_tokens, context.n_ctx)
        if len(tokens) > room:
            raise MessageTooLong(len(tokens), room, context.n_ctx)
        self._anchor = None
        fit = ContextFit(messages=(), dropped=(), tokens=tuple(tokens))
        return self._start(fit, sampling, None, (), started)

    def _start(self, fit: ContextFit, sampling: SamplingOptions, grammar: str | None,
               stop_strings: tuple[str, ...], started: float) -> ChatStream:
        if self._active is not None:
            self._active.close()  # a new request supersedes an unfinished one
        self._require()[1].abort.clear()
        # A grammar ends the reply itself (once complete it allows only end-of-turn tokens); a stop
        # string inside a JSON string would cut the reply into invalid JSON.
        stops = () if grammar else (*stop_strings, *sampling.stop)
        self._active = ChatStream(
            self._generate(list(fit.tokens), sampling, grammar, stops, fit.dropped, started), fit
        )
        return self._active

    @staticmethod
    def _reply_grammar(model: Model, sampling: SamplingOptions) -> str | None:
        """The GBNF grammar for `sampling.json_schema`, compiled once here so that a schema llama.cpp
        refuses fails when the turn is asked for, not in the middle of the reply."""
        if sampling.json_schema is None:
            return None
        grammar = schema_grammar(sampling.json_schema)
        Grammar(model, grammar).close()
        return grammar

    def _require(self) -> tuple[Model, Context]:
        if self._model is None or self._context is None:
            raise EngineClosed()
        return self._model, self._context

    def _seed(self, sampling: SamplingOptions) -> int:
        for seed in (sampling.seed, self.options.seed):
            if seed is not None:
                return seed & 0xFFFFFFFF
        return RANDOM_SEED

    def _resync_cache(self, attempted: Sequence[int]) -> None:
        """After an aborted or failed decode, llama.cpp keeps the batches it finished: read back how
        far it got so the cache list and the KV cache agree again."""
        _, context = self._require()
        present = context.tokens_in_memory()
        self._cached = (self._cached + list(attempted))[:present]
        context.forget_from(present)

    def _generate(
        self,
        prompt: list[int],
        sampling: SamplingOptions,
        grammar: str | None,
        stop_strings: tuple[str, ...],
        dropped: tuple[int, ...],
        started: float,
    ) -> Generator[str, None, GenerationStats]:
        model, context = self._require()
        evaluation_started = time.perf_counter()

        # Reuse what the KV cache holds (see prefix.py). The last two prompt tokens are always
        # evaluated again: the last one's logits give the first reply token, and llama.cpp's CPU
        # kernels compute a one-token batch slightly differently from a longer one, so
        # re-evaluating a single token would make a repeated prompt give a different reply.
        plan = plan_reuse(
            self._cached,
            prompt,
            lambda token: model.piece(token, special=True),
            can_shift=context.can_shift,
        )
        if plan.cut is not None:
            context.cut(*plan.cut)
            del self._cached[plan.cut[0] : plan.cut[1]]
        prompt = plan.prompt
        reuse = min(plan.keep, max(len(prompt) - MIN_REEVALUATED, 0))
        context.forget_from(reuse)
        del self._cached[reuse:]

        def stats(
            reason: StopReason,
            error: str | None = None,
            *,
            ttft: float | None = None,
            prompt_rate: float | None = None,
            decode_rate: float | None = None,
        ) -> GenerationStats:
            return GenerationStats(
                prompt_tokens=len(prompt),
                evaluated_tokens=evaluated,
                completion_tokens=completion,
                time_to_first_token_s=ttft,
                prompt_tokens_per_s=prompt_rate,
                decode_tokens_per_s=decode_rate,
                stop_reason=reason,
                dropped_messages=dropped,
                error=error,
            )

        evaluated = completion = 0
        pending = prompt[reuse:]
        context.arm_abort(True)
        try:
            for chunk in _batches(pending, context.n_batch):
                status = DECODE_ABORTED if context.abort.is_set() else context.decode(chunk)
                if status != DECODE_OK:
                    before = len(self._cached)
                    self._resync_cache(chunk)
                    evaluated += len(self._cached) - before
                    if status == DECODE_ABORTED:
                        return stats(StopReason.CANCELLED)
                    return stats(StopReason.ERROR, f"llama.cpp could not evaluate the prompt ({status})")
                self._cached.extend(chunk)
                evaluated += len(chunk)
        finally:
            context.arm_abort(False)
        prompt_seconds = time.perf_counter() - evaluation_started
        prompt_rate = evaluated / prompt_seconds if evaluated and prompt_seconds > 0 else None

        sampler = Sampler(model, sampling, self._seed(sampling), grammar)
        utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        stops = StopStringFilter(stop_strings)
        reason, error = StopReason.LENGTH, None
        first_at = last_at = None
        try:
            while completion < sampling.max_tokens:
                if context.abort.is_set():
                    reason = StopReason.CANCELLED
                    break
                token = sampler.sample(context)
                if token is None:
                    reason = StopReason.ERROR
                    error = "logit_bias forbids every token the reply format allows"
                    break
                last_at = time.perf_counter()
                first_at = first_at or last_at
                if model.is_end_of_generation(token):
                    reason = StopReason.EOS
                    break
                completion += 1
                text, stopped = stops.feed(utf8.decode(model.piece(token)))
                if text:
                    yield text
                if stopped:
                    reason = StopReason.EOS
                    break
                if completion == sampling.max_tokens or len(self._cached) >= context.n_ctx:
                    break  # LENGTH: the reply limit, or the context window is full
                status = context.decode([token])
                if status != DECODE_OK:
                    self._resync_cache([token])
                    reason, error = StopReason.ERROR, f"llama.cpp could not continue ({status})"
                    break
                self._cached.append(token)
            ending, _ = stops.feed(utf8.decode(b"", final=True))
            tail = ending + stops.flush()
            if tail:
                yield tail
        finally:
            sampler.close()

        decode_rate = None
        if first_at is not None and last_at is not None and completion > 1 and last_at > first_at:
            decode_rate = (completion - 1) / (last_at - first_at)
        return stats(
            reason,
            error,
            ttft=(first_at - started) if first_at is not None else None,
            prompt_rate=prompt_rate,
            decode_rate=decode_rate,
        )
