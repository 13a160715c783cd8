"""flickrapi's calls over each of Flickr's three protocols give the same normalised
results, and flickrapi itself sees the same answers: a REST-only client run unchanged
over XML-RPC and SOAP."""

from __future__ import annotations

from typing import Any

import flickrapi
import pytest

from flickrwire import Result
from flickrwire.bridges.emulated import EmulatorHandle
from flickrwire.bridges.requests import intercept

from .conftest import GROUP, MISSING
from .test_requests import flickrapi_client

#: Echoed request plumbing that differs by protocol (REST signs in the header, the
#: others carry ``oauth_*`` as parameters, which flickr.test.echo echoes; the native
#: ``format`` is each protocol's own name, as the conformance runner's ignore says).
PLUMBING = ("oauth_", "api_key", "format")


def comparable(result: Result) -> dict[str, Any]:
    view = result.normalised()
    view["payload"] = {k: v for k, v in view["payload"].items() if not k.startswith(PLUMBING)}
    return view


def calls(client: flickrapi.FlickrAPI) -> list[Any]:
    answers: list[Any] = []
    for call in (
        lambda: client.test.echo(name="across", photo_id="1 & <2>"),
        lambda: client.groups.leave(group_id=GROUP),
        lambda: client.groups.leave(group_id=GROUP),
        lambda: client.groups.leave(group_id=MISSING),
        lambda: client.groups.members.getList(group_id=GROUP),
        lambda: client.test.login(),
    ):
        try:
            answer = call()
        except flickrapi.FlickrError as exc:
            answer = ("error", exc.code)
        if isinstance(answer, dict):
            answer = {k: v for k, v in answer.items() if not k.startswith(PLUMBING)}
        answers.append(answer)
    return answers


@pytest.mark.parametrize("fmt", ["parsed-json", "xmlnode"])
def test_flickrapi_agrees_over_rest_xmlrpc_and_soap(emulator: EmulatorHandle, fmt: str) -> None:
    bob = emulator.credentials("bob")
    views: dict[str, list[dict[str, Any]]] = {}
    answers: dict[str, list[Any]] = {}
    for via in ("rest", "xmlrpc", "soap"):
        emulator.reset()
        seen: list[Result] = []
        with intercept(target=emulator.base_url, via=via, credentials=bob, on_result=seen.append):
            found = calls(flickrapi_client(bob, fmt))
        answers[via] = [a if isinstance(a, (dict, tuple)) else _xml(a) for a in found]
        views[via] = [comparable(r) for r in seen]
        assert {r.transport for r in seen} == {via}
    assert views["xmlrpc"] == views["rest"]
    assert views["soap"] == views["rest"]
    assert answers["xmlrpc"] == answers["rest"]
    assert answers["soap"] == answers["rest"]
    codes = [v["code"] for v in views["rest"]]
    assert codes == [None, None, 3, 2, None, None]
    assert views["rest"][0]["payload"]["photo_id"] == {"_content": "1 & <2>"}
    members = views["rest"][4]["payload"]["members"]["member"]
    assert "10000002@N01" not in [m["nsid"] for m in members]


def _xml(node: Any) -> Any:
    """flickrapi's XMLNode as comparable data (its attributes and children)."""
    data = {k: v for k, v in node.attrib.items()} if hasattr(node, "attrib") else {}
    data["text"] = getattr(node, "text", None)
    for name, value in vars(node).items():
        if name.startswith("_") or name in ("name", "text", "attrib", "xml"):
            continue
        if isinstance(value, list):
            data[name] = [_xml(v) for v in value if not getattr(v, "name", "").startswith(PLUMBING)]
    return data
