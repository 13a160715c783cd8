"""The transport registry as a fresh process and a plugin meet it, the server side's
refusals carrying the parameters read, and the POSTs built for any endpoint URL."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from flickrwire import decode, transports
from flickrwire.transports import rest, soap, xmlrpc
from flickrwire.transports.base import DecodingTransport, post_request
from flickrwire.transports.rest import RESTTransport


@pytest.fixture(autouse=True)
def _isolated_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(transports, "_registry", dict(transports._registry))
    yield


def test_a_fresh_registry_gives_each_builtin_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a new interpreter whose first call names a transport."""
    for module in (soap, xmlrpc, rest):
        monkeypatch.setattr(transports, "_registry", {})
        assert transports.get(module.TRANSPORT.name) is module.TRANSPORT


class _Plugin(RESTTransport):
    name = "plugged"
    path = "rest/"


class _EntryPoint:
    def __init__(self, name: str, load: Any) -> None:
        self.name = name
        self.load = load


def _entry_points(monkeypatch: pytest.MonkeyPatch, *entries: _EntryPoint) -> None:
    def entry_points(*, group: str) -> list[_EntryPoint]:
        assert group == transports.ENTRY_POINT_GROUP
        return list(entries)

    monkeypatch.setattr(transports, "metadata", SimpleNamespace(entry_points=entry_points))


def test_a_plugin_that_registers_itself_on_import_loads_by_entry_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A plugin module may call ``register`` when imported and also declare the entry
    point: loading it through the entry point must not refuse it as a duplicate."""
    plugin = _Plugin()

    def load() -> _Plugin:  # what importing the plugin's module does
        transports.register(plugin)
        return plugin

    _entry_points(monkeypatch, _EntryPoint("plugged", load))
    assert transports.get("plugged") is plugin
    assert transports.get("plugged") is plugin


def test_an_entry_point_loading_a_transport_of_another_name_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    impostor = _Plugin()
    impostor.name = "rest"  # would replace the built-in REST if it were registered
    _entry_points(monkeypatch, _EntryPoint("fastrest", lambda: impostor))
    with pytest.raises(ValueError, match="entry point 'fastrest' loads a transport named 'rest'"):
        transports.get("fastrest")
    assert transports.get("rest") is rest.TRANSPORT


def test_an_entry_point_loading_no_transport_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _entry_points(monkeypatch, _EntryPoint("half", lambda: SimpleNamespace(path="half/")))
    with pytest.raises(TypeError, match="Transport protocol"):
        transports.get("half")


def test_only_our_own_answer_reader_is_skipped_for_the_body_alone() -> None:
    """``decodes_plainly``: the clients may decode the body directly exactly when the
    transport reads answers with the shared reader."""
    for name in transports.BUILTIN:
        wire = transports.get(name)
        assert isinstance(wire, DecodingTransport)
        assert wire.decodes_plainly is True

    class OwnReader(_Plugin):
        def parse_response(self, response: httpx.Response, call: Any, codec: str) -> Any:
            raise NotImplementedError

    assert _Plugin().decodes_plainly is True
    assert OwnReader().decodes_plainly is False


@pytest.mark.parametrize(
    ("transport", "body"),
    [
        (
            "soap",
            b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
            b'<x:FlickrRequest xmlns:x="urn:flickr"><format>json</format><nojsoncallback>1'
            b"</nojsoncallback></x:FlickrRequest></s:Body></s:Envelope>",
        ),
        (
            "xmlrpc",
            b"<methodCall><methodName> </methodName><params><param><value><struct>"
            b"<member><name>format</name><value><string>json</string></value></member>"
            b"</struct></value></param></params></methodCall>",
        ),
        ("rest", b"format=json&nojsoncallback=1"),
    ],
)
def test_a_refusal_carries_the_parameters_read_before_it(transport: str, body: bytes) -> None:
    """A call without a method is refused (112) with the parameters read, which choose
    the format the refusal is answered in."""
    request = httpx.Request(
        "POST", f"https://api.flickr.com/services/{transport}/?extra=q", content=body
    )
    with pytest.raises(transports.RequestError) as info:
        transports.get(transport).parse_request(request)
    if transport == "xmlrpc":  # an empty methodName: the envelope itself is refused
        assert info.value.code == 115
        assert dict(info.value.params) == {"extra": "q"}
    else:
        assert info.value.code == 112
        assert info.value.params["format"] == "json"
        assert info.value.params["extra"] == "q"


def test_a_request_error_keeps_the_parameters_it_is_given() -> None:
    error = transports.RequestError(112, 'Method "" not found', {"format": "json"})
    assert dict(error.params) == {"format": "json"}
    assert (error.code, error.message, str(error)) == (
        112,
        'Method "" not found',
        '112: Method "" not found',
    )
    assert dict(transports.RequestError(114, "x").params) == {}


@pytest.mark.parametrize(
    "url", ["/services/rest/", "https://api.flickr.com/services/rest/", "http://[::1]:8080/r/"]
)
@pytest.mark.parametrize("body", [b"", b"a=1&b=2"])
def test_a_post_is_the_one_httpx_builds_for_any_url(url: str, body: bytes) -> None:
    headers = [(b"Content-Type", b"application/x-www-form-urlencoded")]
    built = post_request(url, body, headers)
    plain = httpx.Request("POST", url, content=body, headers=headers)
    assert built.headers.raw == plain.headers.raw
    assert built.url == plain.url
    assert built.content == plain.content == body


def test_the_builtins_are_listed_without_any_entry_point_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run from a source tree, no entry point is installed: the built-ins still count."""
    monkeypatch.setattr(transports, "_registry", {})
    _entry_points(monkeypatch)
    assert transports.names() == ["rest", "xmlrpc", "soap"]


def test_soap_refuses_a_document_that_is_not_an_envelope() -> None:
    """A Body holding a FlickrRequest is not enough: the document must be an Envelope."""
    body = (
        b'<s:Letter xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        b'<x:FlickrRequest xmlns:x="urn:flickr"><method>flickr.test.echo</method>'
        b"</x:FlickrRequest></s:Body></s:Letter>"
    )
    request = httpx.Request("POST", "https://api.flickr.com/services/soap/", content=body)
    with pytest.raises(transports.RequestError) as info:
        transports.get("soap").parse_request(request)
    assert info.value.code == 114
    envelope = body.replace(b"s:Letter", b"s:Envelope")
    call = transports.get("soap").parse_request(
        httpx.Request("POST", request.url, content=envelope)
    )
    assert call.method == "flickr.test.echo"


def test_xmlrpc_refuses_a_document_that_is_not_a_method_call() -> None:
    """A ``methodName`` is not enough: the document must be a ``methodCall``."""
    body = (
        b"<methodResponse><methodName>flickr.test.echo</methodName><params><param><value>"
        b"<struct><member><name>a</name><value><string>1</string></value></member></struct>"
        b"</value></param></params></methodResponse>"
    )
    request = httpx.Request("POST", "https://api.flickr.com/services/xmlrpc/", content=body)
    with pytest.raises(transports.RequestError) as info:
        transports.get("xmlrpc").parse_request(request)
    assert info.value.code == 115
    call_body = body.replace(b"methodResponse", b"methodCall")
    call = transports.get("xmlrpc").parse_request(
        httpx.Request("POST", request.url, content=call_body)
    )
    assert (call.method, dict(call.params)) == ("flickr.test.echo", {"a": "1"})


def _soap_fault(inner: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8" ?>\n<s:Envelope '
        f'xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault>{inner}'
        "</s:Fault></s:Body></s:Envelope>"
    ).encode()


def test_a_soap_fault_without_a_message_is_named_by_its_code_cut_to_200_characters() -> None:
    long_code = "s:Receiver." + "x" * 300
    result = decode(
        _soap_fault(f"<s:Code><s:Value>{long_code}</s:Value></s:Code>"), transport="soap"
    )
    assert result.fault is not None
    assert result.fault.message == long_code[:200]
    assert (result.fault.code, result.fault.origin, result.fault.retryable) == (
        None,
        "protocol",
        True,
    )
    bare = decode(_soap_fault("<s:Code><s:Value></s:Value></s:Code>"), transport="soap")
    assert bare.fault is not None and bare.fault.message == "SOAP fault"
    assert bare.fault.retryable is False
