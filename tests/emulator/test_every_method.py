"""Every catalogue method on every protocol: the checks Flickr makes before a method's own
work, in order (key 100, signature 96/97 or the OAuth 401, token and permission 98/99,
POST 116, required arguments 1), then the documented example response or the emulator's
"not emulated" error."""

from __future__ import annotations

from typing import Any

import pytest

import flickrwire
from flickrwire import catalogue
from flickrwire.call import Call
from flickrwire.emulator import catalog
from flickrwire.emulator.dispatch import NOT_EMULATED, SETTER_NEEDS_POST
from flickrwire.emulator.seed import TEST_GROUP

from .conftest import ClientFactory, Seeded

TRANSPORTS = ("rest", "xmlrpc", "soap")
BAD_KEY = "0123456789abcdef0123456789abcdef"
ALL = catalogue.names()
#: Methods answered from the catalogue alone (no semantics in the emulator).
PLAIN = [
    name for name in ALL if (catalog.info(name) or catalog.MethodInfo("", 0, False)).handler is None
]
WITH_EXAMPLE = [name for name in PLAIN if catalogue.method(name).example]
WITHOUT_EXAMPLE = [name for name in PLAIN if not catalogue.method(name).example]
WRITES = [name for name in PLAIN if catalogue.method(name).post_required]


def call_for(name: str, *, http_method: str | None = None, args: bool = True) -> Call:
    entry = catalogue.method(name)
    params = {arg: "1" for arg in entry.required if arg != "oauth_token"} if args else {}
    return Call(name, params, http_method or ("POST" if entry.post_required else "GET"))


def creds(seeded: Seeded, user: str | None, *, key: str | None = None) -> flickrwire.Credentials:
    if user is None:
        return flickrwire.Credentials(key or seeded.key, seeded.secret)
    token = seeded.token(user)
    return flickrwire.Credentials(key or seeded.key, seeded.secret, token["token"], token["secret"])


def code(result: flickrwire.Result) -> Any:
    return None if result.fault is None else result.fault.code


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_bad_key_is_100_for_every_method(
    client_for: ClientFactory, seeded: Seeded, transport: str
) -> None:
    client = client_for(transport, "json", creds(seeded, None, key=BAD_KEY))
    for name in ALL:
        # No arguments at all: the key is checked before anything method-specific.
        result = await client.send(call_for(name, args=False))
        assert code(result) == 100, (name, result)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_every_method_needing_a_login_is_99_without_a_token(
    client_for: ClientFactory, seeded: Seeded, transport: str
) -> None:
    client = client_for(transport, "xml", creds(seeded, None))
    for name in ALL:
        entry = catalogue.method(name)
        result = await client.send(call_for(name, args=False))
        if entry.perms != "none":
            assert code(result) == 99, (name, result)
            assert result.fault is not None
            assert result.fault.message.startswith("Insufficient permissions. Method requires")


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_bad_signature_is_the_oauth_401_for_every_method(
    client_for: ClientFactory, seeded: Seeded, transport: str
) -> None:
    token = seeded.token("alice")
    wrong = flickrwire.Credentials(seeded.key, "not-the-secret", token["token"], token["secret"])
    client = client_for(transport, "json", wrong)
    for name in ALL[::7]:
        result = await client.send(call_for(name, args=False))
        assert result.http_status == 401 and result.fault is not None, (name, result)
        assert result.fault.origin == "auth"


async def test_a_write_by_get_is_116_after_the_permission(
    client_for: ClientFactory, seeded: Seeded
) -> None:
    # REST only: XML-RPC and SOAP requests are POSTs by their nature.
    alice = client_for("rest", "xml", creds(seeded, "alice"))
    erin = client_for("rest", "xml", creds(seeded, "erin"))
    for name in WRITES:
        result = await alice.send(call_for(name, http_method="GET", args=False))
        assert code(result) == 116 and result.fault is not None, (name, result)
        assert result.fault.message == SETTER_NEEDS_POST
        # A read-only token is refused for its permission first.
        assert code(await erin.send(call_for(name, http_method="GET", args=False))) == 99


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_missing_required_argument_is_the_methods_own_1(
    client_for: ClientFactory, seeded: Seeded, transport: str
) -> None:
    client = client_for(transport, "json", creds(seeded, "alice"))
    for name in PLAIN:
        spec = catalog.info(name)
        assert spec is not None
        if not spec.required:
            continue
        result = await client.send(call_for(name, args=False))
        assert (code(result), result.fault and result.fault.message) == spec.missing_argument


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("codec", ["json", "xml"])
async def test_every_documented_example_is_the_answer(
    client_for: ClientFactory, seeded: Seeded, transport: str, codec: str
) -> None:
    client = client_for(transport, codec, creds(seeded, "alice"))
    for name in WITH_EXAMPLE:
        spec = catalog.info(name)
        assert spec is not None
        result = await client.send(call_for(name))
        assert result.ok, (name, result)
        example = (spec.example or "").strip()
        if not example.startswith(("<rsp", "<?xml")):  # most examples leave out <rsp>
            example = f'<rsp stat="ok">{example}</rsp>'
        document = flickrwire.decode(example.encode(), transport="rest", codec="xml", method=name)
        expected = document.normalised()
        assert result.normalised()["payload"] == expected["payload"], name


async def test_a_method_without_an_example_or_stub_says_how_to_stub_it(
    client_for: ClientFactory, seeded: Seeded
) -> None:
    client = client_for("rest", "json", creds(seeded, "alice"))
    for name in WITHOUT_EXAMPLE:
        result = await client.send(call_for(name))
        assert code(result) == NOT_EMULATED and result.fault is not None, name
        assert name in result.fault.message and "/_admin/stubs" in result.fault.message


async def test_the_key_comes_before_the_permission_and_the_arguments(
    client_for: ClientFactory, seeded: Seeded
) -> None:
    bad_key = client_for("rest", "xml", creds(seeded, "erin", key=BAD_KEY))
    leave = Call("flickr.groups.leave", {}, "GET")
    assert code(await bad_key.send(leave)) == 100
    erin = client_for("rest", "xml", creds(seeded, "erin"))
    assert code(await erin.send(leave)) == 99
    alice = client_for("rest", "xml", creds(seeded, "alice"))
    assert code(await alice.send(leave)) == 116
    assert code(await alice.send(Call("flickr.groups.leave", {}, "POST"))) == 1
    ok = await alice.send(Call("flickr.groups.leave", {"group_id": TEST_GROUP}, "POST"))
    assert ok.ok


async def test_an_unknown_method_is_112(client_for: ClientFactory, seeded: Seeded) -> None:
    client = client_for("rest", "json", creds(seeded, None))
    result = await client.send(Call("flickr.photos.doesNotExist", {}, "GET"))
    assert code(result) == 112 and result.fault is not None
    assert result.fault.message == 'Method "flickr.photos.doesNotExist" not found'
