"""What the pages share: small widgets, dialogs, and the background threads (the vault's jobs,
the engine's host) that keep the window responsive."""
