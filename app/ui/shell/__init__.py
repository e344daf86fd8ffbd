"""The shell: the application and its one window, first-run welcome, unlock and lock, one running
instance, the look (theme, icons) and the input rules every page lives under."""
