"""The zeep bridge: :class:`FlickrFaults`, a zeep plugin that makes Flickr's faults
readable, and :class:`Transport`, a zeep transport with the bridge options.

Flickr answers a fault with SOAP-1.1-style unqualified ``faultcode`` (``flickr.error.N``)
and ``faultstring`` inside a SOAP 1.2 envelope (response.soap page); zeep's SOAP 1.2
reader looks for ``Code/Value`` and ``Reason/Text`` and finds nothing
(``Fault(code=None, message=None)``). The plugin reads the fault with flickrwire's SOAP
reader and adds the SOAP 1.2 elements zeep reads, so ``zeep.exceptions.Fault.code`` is
``flickr.error.N`` and ``.message`` Flickr's message; Flickr's own elements stay, under
``Detail``. ``flickrwire.transports.wsdl.zeep_client()`` uses both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import requests
import zeep
from lxml import etree

from .. import xmlsafe
from ..auth import Credentials
from ..transports import soap
from .core import OnResult
from .requests import FlickrAdapter

__all__ = ["FlickrFaults", "Transport"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class FlickrFaults(zeep.Plugin):
    """Rewrites a Flickr fault into the SOAP 1.2 shape zeep reads (ingress only)."""

    def ingress(
        self, envelope: etree._Element, http_headers: Any, operation: Any
    ) -> tuple[etree._Element, Any]:
        body = xmlsafe.child(envelope, "Body")
        fault = (
            next((e for e in body if isinstance(e.tag, str)), None) if body is not None else None
        )
        if fault is None or xmlsafe.local_name(fault) != "Fault":
            return envelope, http_headers
        if xmlsafe.child(fault, "Code") is not None:
            return envelope, http_headers  # a SOAP 1.2 fault already: zeep reads it
        _, read = soap.read_envelope(envelope, "")
        if read is None or read.code is None:
            return envelope, http_headers
        namespace = etree.QName(envelope).namespace or soap.SOAP12
        detail = etree.Element(f"{{{namespace}}}Detail")
        detail.extend(list(fault))
        code = etree.SubElement(fault, f"{{{namespace}}}Code")
        etree.SubElement(code, f"{{{namespace}}}Value").text = f"flickr.error.{read.code}"
        reason = etree.SubElement(fault, f"{{{namespace}}}Reason")
        text = etree.SubElement(reason, f"{{{namespace}}}Text")
        text.set(_XML_LANG, "en")
        text.text = read.message
        fault.append(detail)
        return envelope, http_headers


class Transport(zeep.Transport):
    """A zeep transport sending through a :class:`~flickrwire.bridges.requests.FlickrAdapter`
    (so through httpx), with the bridge options; zeep's own ``timeout`` and
    ``operation_timeout`` keep their meaning."""

    def __init__(
        self,
        *,
        target: str | None = None,
        via: str | None = None,
        credentials: Credentials | None = None,
        record: str | Path | None = None,
        mode: str | None = None,
        on_result: OnResult | None = None,
        inner: httpx.BaseTransport | None = None,
        timeout: float = 300,
        operation_timeout: float | None = None,
    ) -> None:
        self._close_session = False  # zeep's __del__ reads it, also when this one fails
        self.adapter = FlickrAdapter(
            target=target,
            via=via,
            credentials=credentials,
            record=record,
            mode=mode,
            on_result=on_result,
            inner=inner,
        )
        session = requests.Session()
        session.mount("https://", self.adapter)
        session.mount("http://", self.adapter)
        super().__init__(  # type: ignore[no-untyped-call]
            session=session, timeout=timeout, operation_timeout=operation_timeout
        )

    def __repr__(self) -> str:
        return f"<flickrwire zeep Transport {self.adapter.bridge!r}>"

    def close(self) -> None:
        self.session.close()
