"""What every page shares: the look (theme, icons), the preferences, the input rules (wheel and
keyboard), small widgets and dialogs, and the background threads (the vault's jobs, the engine's
host) that keep the window responsive."""
