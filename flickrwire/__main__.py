"""``flickrwire`` and ``python -m flickrwire``: start the command line, or say in one line
which extra to install when typer or rich is missing (exit 1)."""

from __future__ import annotations

import sys

from .extras import EXIT_MISSING_EXTRA, extra_for, missing_extra_message


def main() -> None:
    try:
        from .cli import main as run
    except ImportError as exc:
        extra = extra_for(exc)
        if extra is None:
            raise
        print(missing_extra_message("the flickrwire command", extra, exc), file=sys.stderr)
        raise SystemExit(EXIT_MISSING_EXTRA) from None
    run()


if __name__ == "__main__":
    main()
