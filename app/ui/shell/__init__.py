"""The shell: the application and its one window around the pages, first-run welcome, unlock and
lock (by hand and when idle), one running instance, and the start-up check of Qt itself."""
