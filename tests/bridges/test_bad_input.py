"""Bad input to any bridge: an unknown ``via``, plain HTTP to a host that is not
loopback, re-signing without credentials, a corrupt fixture. Each is one clear line,
nothing is sent, nothing is overwritten."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from flickrwire import Client, Credentials
from flickrwire.auth import new_nonce, now, oauth_params
from flickrwire.bridges.core import BridgeError
from flickrwire.bridges.httpx import AsyncFlickrTransport, FlickrTransport
from flickrwire.bridges.requests import FlickrAdapter, intercept
from flickrwire.bridges.xmlrpc import SafeTransport
from flickrwire.bridges.zeep import Transport as ZeepTransport
from flickrwire.client import InsecureURLError
from flickrwire.recording.replay import FixtureError
from flickrwire.transports import wsdl

from .conftest import FLICKR, NoServer

Factory = Callable[..., Any]
BRIDGES: dict[str, Factory] = {
    "requests.FlickrAdapter": FlickrAdapter,
    "requests.intercept": intercept,
    "httpx.FlickrTransport": FlickrTransport,
    "httpx.AsyncFlickrTransport": AsyncFlickrTransport,
    "xmlrpc.SafeTransport": SafeTransport,
    "zeep.Transport": ZeepTransport,
    "wsdl.zeep_client": wsdl.zeep_client,
}
CREDS = Credentials("0123456789abcdef0123456789abcdef", "feedfacecafebeef", "72157-1", "ab12")
CLOSED = "http://127.0.0.1:9/services/"


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and text.strip() == text and text
    return text


@pytest.fixture(params=sorted(BRIDGES))
def make(request: pytest.FixtureRequest) -> Factory:
    return BRIDGES[request.param]


def test_unknown_via(make: Factory) -> None:
    with pytest.raises(BridgeError) as raised:
        make(via="grpc")
    assert one_line(raised.value) == (
        "via='grpc' is not a Flickr protocol; use one of rest, xmlrpc, soap"
    )


@pytest.mark.parametrize(
    "target",
    ["http://flickr.example/services/", "http://10.0.0.5/services/", "ftp://127.0.0.1/services/"],
)
def test_plain_http_target_that_is_not_loopback(make: Factory, target: str) -> None:
    with pytest.raises(InsecureURLError) as raised:
        make(target=target)
    assert one_line(raised.value).startswith(f"target={target!r}: ")


def test_loopback_and_https_targets_are_accepted() -> None:
    for target in (
        "http://127.0.0.1:1/services/",
        "http://localhost:1/services/",
        "https://flickr.example/services/",
    ):
        FlickrTransport(target=target).close()


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        (
            "mode",
            "sometimes",
            "mode='sometimes' is not a record mode; use one of once, new_episodes, none, all",
        ),
        (
            "target",
            "http://127.0.0.1:1/api/",
            "target='http://127.0.0.1:1/api/' must be a base URL ending in /services/",
        ),
    ],
)
def test_other_bad_options(option: str, value: str, expected: str) -> None:
    with pytest.raises(BridgeError) as raised:
        FlickrTransport(**{option: value})
    assert one_line(raised.value) == expected


def test_mode_without_a_folder() -> None:
    with pytest.raises(BridgeError, match=r"^mode= needs record= \(the fixture folder\)$"):
        FlickrTransport(mode="none")


# -- re-signing without credentials: refused at the call, nothing sent ----------------------


def oauth_form(url: str) -> dict[str, str]:
    params = {"method": "flickr.groups.leave", "group_id": "1@N01"}
    return params | oauth_params(CREDS, "POST", url, params, nonce=new_nonce(), timestamp=now())


def test_resigning_without_credentials_requests(no_server: NoServer) -> None:
    with requests.Session() as session:
        session.mount("https://", FlickrAdapter(target=CLOSED, inner=no_server))
        with pytest.raises(BridgeError) as raised:
            session.post(FLICKR + "rest/", data=oauth_form(FLICKR + "rest/"))
    assert one_line(raised.value) == (
        "flickr.groups.leave is signed (oauth) and target= changes what its signature "
        "covers: pass credentials= to re-sign it; nothing was sent"
    )
    assert no_server.sent == []


def test_resigning_without_credentials_httpx_via(no_server: NoServer) -> None:
    """Same URL, another protocol: the signature covers the protocol's parameters."""
    wire = FlickrTransport(no_server, via="soap")
    expected = r"via= changes .* pass credentials= to re-sign"
    with httpx.Client(transport=wire) as http, pytest.raises(BridgeError, match=expected):
        Client("rest", "json", CREDS, http_client=http).groups.leave(group_id="1@N01")
    assert no_server.sent == []


def test_resigning_with_someone_elses_credentials(no_server: NoServer) -> None:
    other = Credentials("ffffffffffffffffffffffffffffffff", "0000", "72157-2", "cd34")
    wire = FlickrTransport(no_server, target=CLOSED, credentials=other)
    expected = "credentials= hold another API key"
    with httpx.Client(transport=wire) as http, pytest.raises(BridgeError, match=expected):
        Client("rest", "json", CREDS, http_client=http).groups.leave(group_id="1@N01")
    assert no_server.sent == []


def test_resigning_without_credentials_xmlrpc(no_server: NoServer) -> None:
    params = oauth_form(FLICKR + "xmlrpc/")
    del params["method"]
    proxy = xmlrpc.client.ServerProxy(
        FLICKR + "xmlrpc/", transport=SafeTransport(via="rest", inner=no_server)
    )
    with proxy, pytest.raises(BridgeError, match="pass credentials= to re-sign"):
        proxy.flickr.groups.leave(params)
    assert no_server.sent == []


def test_signed_oauth_page_cannot_be_retargeted(no_server: NoServer) -> None:
    with requests.Session() as session:
        session.mount("https://", FlickrAdapter(target=CLOSED, credentials=CREDS, inner=no_server))
        with pytest.raises(BridgeError) as raised:
            session.post(
                "https://www.flickr.com/services/oauth/request_token",
                headers={"Authorization": 'OAuth oauth_consumer_key="k", oauth_signature="s"'},
            )
    assert "only API calls (rest/, xmlrpc/, soap/) can be re-signed" in one_line(raised.value)
    assert no_server.sent == []


# -- a corrupt fixture: refused when the bridge is made, nothing sent or overwritten -------


@pytest.mark.parametrize("mode", ["none", "once", "new_episodes", "all"])
def test_corrupt_fixture(make: Factory, mode: str, tmp_path: Path) -> None:
    folder = tmp_path / "cassette"
    (folder / "echo").mkdir(parents=True)
    corrupt = folder / "echo" / "broken.json"
    corrupt.write_bytes(b'{"format": "flickrwire-fixture/1", "name": ')
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with pytest.raises(FixtureError) as raised:
        make(record=folder, mode=mode, target=CLOSED)
    assert one_line(raised.value).startswith(f"{corrupt}: cannot read fixture (")
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_record_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "file.json"
    path.write_text("{}")
    with pytest.raises(BridgeError, match="is not a folder"):
        FlickrTransport(record=path)
    assert path.read_text() == "{}"
