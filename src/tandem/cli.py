"""The ``tandem`` console script.

``tandem analyze ...`` and ``tandem score ...`` are pure computations that run without Django;
every other subcommand is a Django management command (``tandem demo``, ``tandem audit verify``,
``tandem migrate``, ``tandem serve``...).
"""

from __future__ import annotations

import importlib
import os
import sys

PURE_COMMANDS = {
    "analyze": "tandem.stats.cli",
    "score": "tandem.measures.cli",
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in PURE_COMMANDS:
        module = importlib.import_module(PURE_COMMANDS[args[0]])
        code: int = module.main(args[1:])
        return code
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["tandem", *args])
    except ImproperlyConfigured as exc:
        # A configuration mistake gets one line, not a traceback.
        print(f"tandem: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
