"""`minigiants safety-check`: the journal's crisis-language check, headless. Reads the text on stdin
(nothing on the command line, where other users could read it), prints one JSON object and exits
0 whether or not the text was flagged. Nothing is sent anywhere and nothing is logged."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    safety = commands.add_parser(
        "safety-check",
        help="check text on stdin for crisis language; prints JSON (flagged, categories, and "
             "crisis lines when flagged)")
    safety.add_argument(
        "--region", metavar="CC",
        help="country code for the crisis lines, e.g. US, GB, DE (default: the system's locale; "
             "'international' for the worldwide list)")
    safety.set_defaults(handler=_safety_check)


def _safety_check(args: argparse.Namespace) -> int:
    from app.journal.safety import check, crisis_resources, support_message

    result = check(sys.stdin.read())
    report: dict[str, object] = {"flagged": result.flagged, "categories": list(result.categories)}
    if result.flagged:
        resources = crisis_resources(args.region)
        report["message"] = support_message(result, resources)
        report["resources"] = {
            "region": resources.region,
            "region_name": resources.region_name,
            "is_fallback": resources.is_fallback,
            "lines": [dataclasses.asdict(line) for line in resources.lines_for(result.categories)],
        }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0
