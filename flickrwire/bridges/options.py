"""The options every bridge takes, checked once when the bridge is made: each bad one is
a one-line error naming it, before anything is sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ..auth import Credentials
from ..client import check_base_url
from ..recording.record import MODES
from ..result import Result

VIAS = ("rest", "xmlrpc", "soap")
#: The hosts Flickr's clients address (API, OAuth pages, uploads).
FLICKR_HOSTS = frozenset(
    {"flickr.com", "api.flickr.com", "www.flickr.com", "up.flickr.com", "secure.flickr.com"}
)
SERVICES = "/services/"

OnResult = Callable[[Result], None]
#: The key of ``httpx.Response.extensions`` that holds the ``Result`` the bridge read.
RESULT = "flickrwire.result"


class BridgeError(ValueError):
    """A call the bridge refuses before sending anything; the message is one line."""


@dataclass(frozen=True)
class Options:
    """The options every bridge takes (checked by :func:`options`)."""

    target: str | None = None
    via: str | None = None
    credentials: Credentials | None = field(default=None, repr=False)
    record: Path | None = None
    mode: str | None = None
    on_result: OnResult | None = None


def options(
    *,
    target: str | None = None,
    via: str | None = None,
    credentials: Credentials | None = None,
    record: str | Path | None = None,
    mode: str | None = None,
    on_result: OnResult | None = None,
) -> Options:
    """Check the options; each bad one raises a one-line ``ValueError`` naming it."""
    if via is not None and via not in VIAS:
        raise BridgeError(f"via={via!r} is not a Flickr protocol; use one of {', '.join(VIAS)}")
    if target is not None:
        try:
            check_base_url(target)
        except ValueError as exc:
            raise type(exc)(f"target={target!r}: {exc}") from None
        if SERVICES not in httpx.URL(target).path + "/":
            raise BridgeError(f"target={target!r} must be a base URL ending in /services/")
    if mode is not None and mode not in MODES:
        raise BridgeError(f"mode={mode!r} is not a record mode; use one of {', '.join(MODES)}")
    if mode is not None and record is None:
        raise BridgeError("mode= needs record= (the fixture folder)")
    if credentials is not None and not isinstance(credentials, Credentials):
        raise BridgeError("credentials= must be a flickrwire.Credentials")
    folder = Path(record) if record is not None else None
    if folder is not None and folder.exists() and not folder.is_dir():
        raise BridgeError(f"record={str(folder)!r} is not a folder")
    return Options(target, via, credentials, folder, mode, on_result)
