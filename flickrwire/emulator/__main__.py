"""``python -m flickrwire.emulator``: run the emulator (127.0.0.1 by default) without the
``cli`` extra. The first line printed is the base URL, once the socket is listening; the
options are those of ``flickrwire serve``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..extras import EXIT_MISSING_EXTRA, extra_for, missing_extra_message
from .defaults import DEFAULT_MAX_BODY, TOKEN_ENV

if TYPE_CHECKING:
    from .launch import Options


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m flickrwire.emulator", description="Run the Flickr emulator."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to bind; 0 picks one")
    parser.add_argument("--db", default=":memory:", help="SQLite file (default: in memory)")
    parser.add_argument("--seed", default=None, help="seed JSON file (default: built in)")
    parser.add_argument("--admin", action="store_true", help="serve the admin API at /_admin/")
    parser.add_argument(
        "--admin-token",
        default=os.environ.get(TOKEN_ENV) or None,
        help=f"the admin API's bearer token (default: ${TOKEN_ENV}, else random, printed)",
    )
    parser.add_argument("--faults", default=None, help="fault rules JSON file")
    parser.add_argument(
        "--max-body",
        type=int,
        default=DEFAULT_MAX_BODY,
        help=f"longest request body taken, in bytes ({DEFAULT_MAX_BODY}); longer gets 413",
    )
    parser.add_argument("--strict-tls", action="store_true", help="answer 95 to plain HTTP")
    parser.add_argument(
        "--blocked-url", action="append", default=[], help="a URL substring answered with 116"
    )
    parser.add_argument(
        "--public-url", action="append", default=[], help="a base URL clients sign for"
    )
    args = parser.parse_args(argv)
    from .launch import Options

    return Options(
        args.host,
        args.port,
        args.db,
        args.seed,
        args.admin,
        args.faults,
        args.strict_tls,
        tuple(args.blocked_url),
        args.admin_token,
        args.max_body,
        public_urls=tuple(args.public_url),
    )


def main(argv: Sequence[str] | None = None) -> int:
    try:
        from .launch import run
    except ImportError as exc:
        extra = extra_for(exc)
        if extra is None:
            raise
        what = "python -m flickrwire.emulator"
        print(f"error: {missing_extra_message(what, extra, exc)}", file=sys.stderr)
        return EXIT_MISSING_EXTRA
    options = parse_args(argv)
    try:
        run(options, lambda line: print(line, flush=True))
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
