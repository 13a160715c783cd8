"""Which optional extra a missing module belongs to, and the one line that says so.

The command line needs the ``cli`` extra (typer, rich) and the emulator the ``server``
extra (starlette, uvicorn). Without them the entry points print one line naming the
extra to install and exit 1, instead of a traceback ending in ``No module named ...``.
"""

from __future__ import annotations

#: The top-level modules each extra brings.
EXTRA_MODULES = {
    "cli": frozenset({"typer", "rich", "click"}),
    "server": frozenset({"starlette", "uvicorn"}),
}
#: Exit code of an entry point that lacks its extra.
EXIT_MISSING_EXTRA = 1


def _root(exc: ImportError) -> str:
    return (exc.name or "").partition(".")[0]


def extra_for(exc: ImportError) -> str | None:
    """The extra that would bring the module ``exc`` misses, or None (not ours to name)."""
    root = _root(exc)
    return next((extra for extra, names in EXTRA_MODULES.items() if root in names), None)


def missing_extra_message(what: str, extra: str, exc: ImportError) -> str:
    """``what`` needs ``extra``: one line with the pip command that installs it."""
    return (
        f"{what} needs the '{extra}' extra ({_root(exc)} is not installed): "
        f"pip install 'flickrwire[{extra}]'"
    )
