"""REST: a form POST (or a GET for read calls) to ``/services/rest/``.

Responses are ``<rsp>`` XML or JSON, HTTP 200 even for faults. OAuth goes in the
``Authorization`` header and signs every form field. The server side reads url-encoded and
``multipart/form-data`` bodies (``request.py``).
"""

from __future__ import annotations

import httpx

from ..auth import Signer
from ..call import Call
from ..codecs import json as jsoncodec, xml as xmlcodec
from ..result import Result
from .base import (
    DecodingTransport,
    Outgoing,
    endpoint,
    endpoint_url,
    flickr_params,
    form_encode,
    post_request,
)
from .request import FORM, ParsedRequest, form_body, parsed_call, read_params

_FORM = (b"Content-Type", FORM.encode())


class RESTTransport(DecodingTransport):
    name = "rest"
    path = "rest/"

    def build_request(self, call: Call, codec: str, signer: Signer, base_url: str) -> httpx.Request:
        post = self.build_post(call, codec, signer, base_url)
        if post is not None:
            return post_request(*post)
        url = endpoint(base_url, self)
        params = flickr_params(call, self.name, codec)
        auth = signer.sign("GET", url, params, in_header=True)
        headers = {"Authorization": auth} if auth else {}
        return httpx.Request("GET", endpoint_url(url), params=params, headers=headers)

    def build_post(self, call: Call, codec: str, signer: Signer, base_url: str) -> Outgoing | None:
        """The parts of the POST :meth:`build_request` builds; None for a GET."""
        if call.http_method == "GET":
            return None
        url = endpoint(base_url, self)
        params = flickr_params(call, self.name, codec)
        auth = signer.sign(call.http_method, url, params, in_header=True)
        body = form_encode(params)
        if auth:
            return Outgoing(url, body, [(b"Authorization", auth.encode("ascii")), _FORM])
        return Outgoing(url, body, [_FORM])

    def read_request(self, request: httpx.Request) -> ParsedRequest:
        """The query and a form body (url-encoded or multipart), read once."""
        return parsed_call(read_params(request, form_body), request.method)

    def parse_request(self, request: httpx.Request) -> Call:
        return self.read_request(request).call

    def render_response(self, result: Result, codec: str) -> bytes:
        return jsoncodec.encode(result) if _answers_json(result, codec) else xmlcodec.encode(result)

    def media_type(self, result: Result, codec: str) -> str:
        return jsoncodec.CONTENT_TYPE if _answers_json(result, codec) else xmlcodec.CONTENT_TYPE


def _answers_json(result: Result, codec: str) -> bool:
    """JSON was asked and can be given: an unknown format (111) is answered natively."""
    return codec == "json" and (result.fault is None or result.fault.code != 111)


TRANSPORT = RESTTransport()
