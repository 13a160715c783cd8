"""The WSDL of Flickr's SOAP endpoint, shipped in the package, and a zeep client on it.

flickrwire itself builds and reads SOAP envelopes with templates and lxml (zeep costs
several times more per call, see bench/bench_soap.py); this module is for clients that
want zeep, and for the tests that check zeep's envelope and ours agree. zeep is imported
only here.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def wsdl_path() -> Iterator[Path]:
    """A file path of ``flickr.wsdl`` (extracted for as long as the block runs if needed)."""
    resource = importlib.resources.files("flickrwire.transports") / "flickr.wsdl"
    with importlib.resources.as_file(resource) as path:
        yield path


def hardened_settings() -> Any:
    """zeep settings for untrusted XML: no DTDs, entities, external fetches, huge trees."""
    import zeep

    return zeep.Settings(
        strict=True,
        xml_huge_tree=False,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )


def zeep_client(path: str | Path | None = None, **bridge: Any) -> Any:
    """A ``zeep.Client`` for the shipped WSDL (or ``path``), loaded offline, hardened, with
    the bridge's fault plugin and transport (``bridge``: the options of
    ``flickrwire.bridges.zeep.Transport``: ``target``, ``via``, ``credentials``,
    ``record``, ``mode``, ``on_result``, ...), so that Flickr's faults reach zeep as
    ``Fault(code="flickr.error.N")``."""
    import zeep

    # The bridges sit floors above this module; imported on use, they import nothing back.
    from ..bridges.zeep import FlickrFaults, Transport

    extras = {"transport": Transport(**bridge), "plugins": [FlickrFaults()]}
    if path is not None:
        return zeep.Client(str(path), settings=hardened_settings(), **extras)  # type: ignore[no-untyped-call]
    with wsdl_path() as shipped:
        return zeep.Client(str(shipped), settings=hardened_settings(), **extras)  # type: ignore[no-untyped-call]
