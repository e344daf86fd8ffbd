"""The journal page: entries, mood check-ins and their chart, thought records, the companion, and
exporting to a file."""
