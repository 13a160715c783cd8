"""The standard library's ``xmlrpc.client`` and zeep (on the shipped WSDL) against
``flickrwire serve``: echo, login, leave ok, 3 and 2, a bad key's 100, a read-only token's
99. Both sign the way old XML-RPC and SOAP clients did, with Flickr's legacy ``api_sig``
(md5 of the secret and every sorted name and value, ``method`` included) over an
``auth_token``; the md5 is computed here, independently of flickrwire's signer."""

from __future__ import annotations

import hashlib
import xmlrpc.client
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import zeep
import zeep.exceptions
import zeep.plugins
from lxml import etree

from flickrwire.transports.wsdl import zeep_client

from .conftest import BAD_KEY, NO_GROUP, TEST_GROUP, Served

Caller = Callable[[str, dict[str, str]], str]


def signed(served: Served, method: str, params: dict[str, str], user: str | None) -> dict[str, str]:
    out = {"api_key": served.key, **params}
    if user is None:
        return out
    out["auth_token"] = served.tokens[user].token
    everything = {"method": method, **out}
    text = served.secret + "".join(k + everything[k] for k in sorted(everything))
    out["api_sig"] = hashlib.md5(text.encode("utf-8")).hexdigest()
    return out


class XMLRPCCaller:
    def __init__(self, served: Served) -> None:
        self.proxy = xmlrpc.client.ServerProxy(served.base_url + "xmlrpc/")

    def __call__(self, method: str, params: dict[str, str]) -> str:
        return str(getattr(self.proxy, method)(params))

    def close(self) -> None:
        self.proxy("close")()

    @staticmethod
    def code(exc: BaseException) -> int:
        assert isinstance(exc, xmlrpc.client.Fault), exc
        return int(exc.faultCode)

    errors: tuple[type[BaseException], ...] = (xmlrpc.client.Fault,)


class ZeepCaller:
    """zeep on the shipped WSDL, its service bound to the emulator's SOAP endpoint."""

    def __init__(self, served: Served) -> None:
        self.client = zeep_client()
        self.history = zeep.plugins.HistoryPlugin()  # type: ignore[no-untyped-call]
        self.client.plugins.append(self.history)
        binding = "{urn:flickr}FlickrSOAP12Binding"
        self.service = self.client.create_service(binding, served.base_url + "soap/")

    def __call__(self, method: str, params: dict[str, str]) -> str:
        children = []
        for name, value in params.items():
            child = etree.Element(name)
            child.text = value
            children.append(child)
        answer = self.service.FlickrRequest(method=method, _value_1=children)
        return "" if answer is None else str(answer)  # zeep reads an empty string as None

    def close(self) -> None:
        self.client.transport.session.close()

    def code(self, exc: BaseException) -> int:
        # Flickr's fault puts SOAP 1.1 names (faultcode flickr.error.N) in a SOAP 1.2
        # envelope; zeep's 1.2 reader finds no Code/Reason and raises an empty Fault, so
        # the code is read from the envelope zeep received (its history plugin).
        assert isinstance(exc, zeep.exceptions.Fault), exc
        envelope = self.history.last_received["envelope"]
        faultcode = envelope.findtext(".//faultcode")
        return int(str(faultcode).rsplit(".", 1)[1])

    errors: tuple[type[BaseException], ...] = (zeep.exceptions.Fault,)


@pytest.fixture(params=["xmlrpc.client", "zeep"])
def caller(request: pytest.FixtureRequest, emulator: Served) -> Iterator[Any]:
    made = XMLRPCCaller(emulator) if request.param == "xmlrpc.client" else ZeepCaller(emulator)
    yield made
    made.close()


def refused_code(caller: Any, method: str, params: dict[str, str]) -> int:
    with pytest.raises(caller.errors) as refused:
        caller(method, params)
    return int(caller.code(refused.value))


def test_echo(caller: Any, emulator: Served) -> None:
    out = caller("flickr.test.echo", signed(emulator, "flickr.test.echo", {"name": "a&b"}, None))
    assert "<name>a&amp;b</name>" in out


def test_login(caller: Any, emulator: Served) -> None:
    out = caller("flickr.test.login", signed(emulator, "flickr.test.login", {}, "bob"))
    assert '<user id="10000002@N01">' in out and "<username>bob</username>" in out


def test_leave_ok_then_3_then_2(caller: Any, emulator: Served) -> None:
    method = "flickr.groups.leave"
    leave = signed(emulator, method, {"group_id": TEST_GROUP}, "bob")
    assert caller(method, leave).strip() == ""
    assert refused_code(caller, method, leave) == 3
    missing = signed(emulator, method, {"group_id": NO_GROUP}, "bob")
    assert refused_code(caller, method, missing) == 2


def test_a_bad_key_is_100(caller: Any, emulator: Served) -> None:
    params = {"api_key": BAD_KEY, "name": "x"}
    assert refused_code(caller, "flickr.test.echo", params) == 100


def test_a_read_only_token_cannot_leave_99(caller: Any, emulator: Served) -> None:
    method = "flickr.groups.leave"
    reader = signed(emulator, method, {"group_id": TEST_GROUP}, "erin")
    assert refused_code(caller, method, reader) == 99
