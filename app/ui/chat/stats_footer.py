"""The subtle line under a reply: how long it was, how fast it came, why it stopped; or that it
stands in place of a reply the safety net held back (app/journal/held_reply.py)."""

from __future__ import annotations


def stats_line(stats: dict[str, object]) -> str:
    """The footer: "312 tokens · 41.2 tokens/s · stopped [at the length limit]", what is known."""
    if stats.get("withheld") is True:
        return "in place of the model's reply, which was held back"
    parts = []
    tokens = stats.get("completion_tokens")
    if isinstance(tokens, (int, float)) and not isinstance(tokens, bool):
        parts.append(f"{int(tokens)} tokens")
    speed = stats.get("decode_tokens_per_s")
    if isinstance(speed, (int, float)) and not isinstance(speed, bool) and speed > 0:
        parts.append(f"{speed:.1f} tokens/s")
    stopped = {"cancelled": "stopped", "length": "stopped at the length limit",
               "error": "cut short by an error"}
    reason = stats.get("stop_reason")  # a StopReason (a str) fresh from the engine, or stored
    if isinstance(reason, str) and reason in stopped:
        parts.append(stopped[reason])
    return " · ".join(parts)
