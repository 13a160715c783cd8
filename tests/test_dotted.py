"""Dotted calls for every catalogue method: names and arguments checked before anything is
sent, the call on the wire, and the generated stub in step with the catalogue."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest

from flickrwire import AsyncClient, Client, Credentials, catalogue

ROOT = Path(__file__).resolve().parent.parent
CREDS = Credentials("fake-consumer-key", "fake-consumer-secret", "fake-token", "fake-token-secret")


def refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError("nothing may be sent")


def recording_client(sent: list[dict[str, str]]) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(dict(parse_qsl(request.content.decode(), keep_blank_values=True)))
        return httpx.Response(200, content=b'{"stat":"ok"}')

    return Client(
        "rest", "json", CREDS, http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )


def test_an_unknown_namespace_or_method_raises_with_a_suggestion() -> None:
    client = Client(http_client=httpx.Client(transport=httpx.MockTransport(refuse)))
    with pytest.raises(
        AttributeError, match=r"no method or namespace flickr\.grops; did you mean flickr\.groups"
    ):
        _ = client.grops
    with pytest.raises(
        AttributeError, match=r"flickr\.groups\.leeve; did you mean flickr\.groups\.leave"
    ):
        _ = client.groups.leeve
    with pytest.raises(AttributeError, match=r"client\.call\('flickr\.photos\.zzz', \.\.\.\)"):
        _ = client.photos.zzz


def test_a_misspelt_argument_raises_before_anything_is_sent() -> None:
    client = Client(http_client=httpx.Client(transport=httpx.MockTransport(refuse)))
    with pytest.raises(
        TypeError, match=r"unknown argument\(s\) group_idd; did you mean group_id\?"
    ):
        client.groups.leave(group_idd="1")
    with pytest.raises(TypeError, match="it takes: delete_photos, group_id"):
        client.groups.leave(group_id="1", purge=True)


def test_required_arguments_of_any_method_are_checked() -> None:
    client = Client(http_client=httpx.Client(transport=httpx.MockTransport(refuse)))
    with pytest.raises(
        TypeError, match=r"flickr\.photos\.getInfo requires argument\(s\): photo_id"
    ):
        client.photos.getInfo(secret="abc")
    with pytest.raises(
        TypeError, match=r"flickr\.photosets\.addPhoto requires .*photoset_id, photo_id"
    ):
        client.photosets.addPhoto()


def test_a_dotted_call_puts_the_method_and_its_arguments_on_the_wire() -> None:
    sent: list[dict[str, str]] = []
    client = recording_client(sent)
    assert client.photos.search(tags=["cat", "dog"], per_page=5, safe_search=None).ok
    assert client.groups.discuss.replies.getList(group_id="9", topic_id="7", per_page=1, page=2).ok
    assert sent[0]["method"] == "flickr.photos.search"
    assert (sent[0]["tags"], sent[0]["per_page"]) == ("cat,dog", "5")
    assert "safe_search" not in sent[0]
    assert sent[1]["method"] == "flickr.groups.discuss.replies.getList"
    assert (sent[1]["group_id"], sent[1]["topic_id"], sent[1]["page"]) == ("9", "7", "2")


def test_echo_takes_any_argument() -> None:
    sent: list[dict[str, str]] = []
    assert recording_client(sent).test.echo(anything="goes", n=3).ok
    assert (sent[0]["method"], sent[0]["anything"], sent[0]["n"]) == (
        "flickr.test.echo",
        "goes",
        "3",
    )


async def test_async_dotted_calls_are_checked_at_once_and_awaited() -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(dict(parse_qsl(request.content.decode()))["method"])
        return httpx.Response(200, content=b'{"stat":"ok"}')

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncClient("rest", "json", CREDS, http_client=http) as client:
        with pytest.raises(TypeError, match="photo_id"):
            client.favorites.add()  # raises at once, before there is anything to await
        with pytest.raises(AttributeError, match=r"did you mean flickr\.favorites\.add"):
            _ = client.favorites.ad
        assert (await client.favorites.add(photo_id="5")).ok
    assert sent == ["flickr.favorites.add"]


def test_every_catalogue_method_is_reachable_by_its_dotted_name() -> None:
    client = Client(http_client=httpx.Client(transport=httpx.MockTransport(refuse)))
    for name in catalogue.names():
        node: object = client
        for part in name.split(".")[1:]:
            node = getattr(node, part)
        assert repr(node) == f"<flickr method {name}>"


def test_dir_lists_the_next_level() -> None:
    client = Client(http_client=httpx.Client(transport=httpx.MockTransport(refuse)))
    assert {"groups", "photos", "test", "call", "send"} <= set(dir(client))
    assert {"leave", "join", "members", "discuss", "pools"} <= set(dir(client.groups))


def test_the_generated_stub_is_in_step_with_the_catalogue() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_client_api.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    stub = (ROOT / "flickrwire" / "_api.pyi").read_text(encoding="utf-8")
    assert stub.count("    def ") == len(catalogue.names())


def test_check_token_needs_no_token_argument_the_signer_supplies_it() -> None:
    # Flickr's catalogue lists oauth_token as required for flickr.auth.oauth.checkToken;
    # it is the token the call is signed with, so the client must not demand it again.
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b'{"stat":"ok","oauth":{}}')

    client = Client(
        "rest", "json", CREDS, http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )
    assert client.auth.oauth.checkToken().ok
    wire = seen[0].headers.get("authorization", "") + seen[0].content.decode()
    assert 'oauth_token="fake-token"' in wire or "oauth_token=fake-token" in wire
    unsigned = Client(http_client=httpx.Client(transport=httpx.MockTransport(refuse)))
    with pytest.raises(TypeError, match="photo_id"):
        unsigned.photos.getInfo()  # an ordinary required argument is still required
