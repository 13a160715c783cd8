"""One reading of a request for the method and the signature check (issue 10, finding 1).

A signature for ``group_id=A`` must never let a body say ``group_id=B``: a body that is not
a form is refused, a parameter given twice with different values is refused, and
``multipart/form-data`` (how Node's flickr-sdk 7 sends every POST) is read field by field,
its signature covering every non-file field. Requests here are signed with plain oauthlib.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

import httpx
import pytest
from oauthlib import oauth1

import flickrwire
from flickrwire.emulator.seed import BOB, SOLO_GROUP, TEST_GROUP
from flickrwire.emulator.store import Store

from .conftest import BASE_URL, Seeded
from .test_verify import FORM, signed_form, signer, soap_body, xmlrpc_body

URL = BASE_URL + "rest/"
LEAVE = {"method": "flickr.groups.leave", "format": "json", "nojsoncallback": "1"}
BOUNDARY = "----formdata-undici-034159761242"


def member(store: Store, group: str, user: str = BOB) -> bool:
    with store.transaction() as tx:
        return bool(tx.one("SELECT 1 FROM memberships WHERE group_id = ? AND user_nsid = ?",
                           (group, user)))  # fmt: skip


def fault_code(response: httpx.Response, transport: str = "rest") -> int | None:
    result = flickrwire.decode(
        response.content, transport=transport, codec="json", status=response.status_code
    )
    assert response.status_code == 200, response.text
    assert result.fault is not None, response.text
    return result.fault.code


def multipart(pairs: list[tuple[str, str]], *, boundary: str = BOUNDARY) -> bytes:
    """Fields as undici's FormData serialises them (what flickr-sdk 7 sends)."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in pairs
    ]
    return ("".join(parts) + f"--{boundary}--\r\n").encode()


def multipart_type(boundary: str = BOUNDARY) -> dict[str, str]:
    return {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def signed_query(seeded: Seeded, group: str) -> str:
    """A POST URL whose query carries ``group_id`` and an OAuth signature covering it."""
    client = signer(seeded, "bob", signature_type=oauth1.SIGNATURE_TYPE_QUERY)
    uri, _, _ = client.sign(URL + "?" + urlencode({**LEAVE, "group_id": group}), "POST")
    return str(uri)


# -- finding 1: an unsigned body never overrides a signed parameter --------------------


@pytest.mark.parametrize(
    "headers",
    [
        [("Content-Type", "text/plain")],
        [("Content-Type", "application/json")],
        [("Content-Type", "application/x-www-form-urlencoded, text/plain")],
        [("Content-Type", "text/plain, application/x-www-form-urlencoded")],
        [("Content-Type", FORM["Content-Type"]), ("Content-Type", "text/plain")],
        [("Content-Type", "text/plain"), ("Content-Type", FORM["Content-Type"])],
    ],
    ids=["text", "json", "form-then-text", "text-then-form", "two-headers", "two-headers-rev"],
)
async def test_a_body_the_signature_does_not_cover_is_refused(
    raw: httpx.AsyncClient, seeded: Seeded, store: Store, headers: list[tuple[str, str]]
) -> None:
    # Signed for SOLO_GROUP (bob is not in it); the body names TEST_GROUP (he is).
    uri = signed_query(seeded, SOLO_GROUP)
    body = f"group_id={TEST_GROUP}".encode()
    response = await raw.post(uri, content=body, headers=headers)
    assert fault_code(response) == 96
    assert member(store, TEST_GROUP)  # bob did not leave the group he signed nothing for


async def test_a_signed_parameter_repeated_in_a_form_body_is_refused(
    raw: httpx.AsyncClient, seeded: Seeded, store: Store
) -> None:
    uri = signed_query(seeded, SOLO_GROUP)
    response = await raw.post(uri, content=f"group_id={TEST_GROUP}", headers=FORM)
    assert fault_code(response) == 96
    assert "group_id" in response.text
    assert member(store, TEST_GROUP)


async def test_a_field_repeated_with_another_value_is_refused(
    raw: httpx.AsyncClient, seeded: Seeded, store: Store
) -> None:
    params = signed_form(signer(seeded, "bob"), URL, {**LEAVE, "group_id": SOLO_GROUP})
    params.append(("group_id", TEST_GROUP))
    response = await raw.post("rest/", content=urlencode(params), headers=FORM)
    assert fault_code(response) == 96
    assert member(store, TEST_GROUP)


async def test_the_same_value_twice_is_one_parameter(
    raw: httpx.AsyncClient, seeded: Seeded, store: Store
) -> None:
    # Signed as sent, both copies included: the signature covers what was sent.
    query = urlencode({"group_id": TEST_GROUP})
    client = signer(seeded, "bob", signature_type=oauth1.SIGNATURE_TYPE_BODY)
    body = urlencode({**LEAVE, "group_id": TEST_GROUP})
    uri, headers, signed = client.sign(URL + "?" + query, "POST", body, FORM)
    response = await raw.post(uri, content=signed, headers=headers)
    result = flickrwire.decode(response.content, transport="rest", codec="json")
    assert result.ok, response.text
    assert not member(store, TEST_GROUP)


@pytest.mark.parametrize(("transport", "build"), [("xmlrpc", xmlrpc_body), ("soap", soap_body)])
async def test_xmlrpc_and_soap_refuse_a_parameter_given_twice(
    raw: httpx.AsyncClient, seeded: Seeded, store: Store, transport: str, build: object
) -> None:
    params = signed_form(signer(seeded, "bob"), BASE_URL + f"{transport}/", LEAVE | {
        "group_id": SOLO_GROUP})  # fmt: skip
    assert callable(build)
    response = await raw.post(f"{transport}/", content=build([*params, ("group_id", TEST_GROUP)]))
    assert fault_code(response, transport) == 96
    assert member(store, TEST_GROUP)
    # ... and a query parameter that disagrees with the envelope too.
    response = await raw.post(f"{transport}/?group_id={TEST_GROUP}", content=build(params))
    assert fault_code(response, transport) == 96
    assert member(store, TEST_GROUP)


# -- multipart/form-data --------------------------------------------------------------


async def test_a_multipart_post_signed_over_its_fields_is_carried_out(
    raw: httpx.AsyncClient, seeded: Seeded, store: Store
) -> None:
    params = signed_form(signer(seeded, "bob"), URL, {**LEAVE, "group_id": TEST_GROUP})
    response = await raw.post("rest/", content=multipart(params), headers=multipart_type())
    result = flickrwire.decode(response.content, transport="rest", codec="json")
    assert result.ok, response.text
    assert not member(store, TEST_GROUP)


async def test_multipart_file_parts_are_not_parameters(
    raw: httpx.AsyncClient, seeded: Seeded, store: Store
) -> None:
    # httpx's own multipart encoder, with a file part the signature does not cover.
    params = signed_form(signer(seeded, "bob"), URL, {**LEAVE, "group_id": TEST_GROUP})
    files = {"group_id": ("group.txt", SOLO_GROUP.encode(), "text/plain")}
    response = await raw.post("rest/", data=dict(params), files=files)
    result = flickrwire.decode(response.content, transport="rest", codec="json")
    assert result.ok, response.text
    assert not member(store, TEST_GROUP)


async def test_a_multipart_field_the_signature_did_not_cover_fails_it(
    raw: httpx.AsyncClient, seeded: Seeded, store: Store
) -> None:
    params = signed_form(signer(seeded, "bob"), URL, {**LEAVE, "group_id": TEST_GROUP})
    response = await raw.post(
        "rest/", content=multipart([*params, ("delete_photos", "1")]), headers=multipart_type()
    )
    assert response.status_code == 401
    assert response.text.startswith("oauth_problem=signature_invalid")
    assert member(store, TEST_GROUP)


GOOD = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="method"\r\n\r\nflickr.test.echo\r\n'
MALFORMED = {
    "no-close": GOOD.encode(),
    "no-boundary-in-body": b"method=flickr.test.echo",
    "garbage-after-boundary": f"--{BOUNDARY}junk\r\n".encode() + GOOD.encode(),
    "no-blank-line": f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n'
    f"--{BOUNDARY}--\r\n".encode(),
    "no-disposition": f"--{BOUNDARY}\r\nX-A: b\r\n\r\nv\r\n--{BOUNDARY}--\r\n".encode(),
    "not-form-data": f'--{BOUNDARY}\r\nContent-Disposition: inline; name="a"\r\n\r\nv\r\n'
    f"--{BOUNDARY}--\r\n".encode(),
    "two-names": f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"; name="b"\r\n\r\n'
    f"v\r\n--{BOUNDARY}--\r\n".encode(),
    "bad-header-line": f"--{BOUNDARY}\r\nno colon here\r\n\r\nv\r\n--{BOUNDARY}--\r\n".encode(),
    "not-utf8": f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n'.encode()
    + b"\xff\xfe\r\n"
    + f"--{BOUNDARY}--\r\n".encode(),
    "unterminated-quote": f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a\r\n\r\n'
    f"v\r\n--{BOUNDARY}--\r\n".encode(),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
async def test_a_malformed_multipart_body_is_a_flickr_error(
    raw: httpx.AsyncClient, name: str
) -> None:
    response = await raw.post(
        "rest/?format=json&nojsoncallback=1", content=MALFORMED[name], headers=multipart_type()
    )
    assert fault_code(response) == 96
    assert "multipart" in response.json()["message"]


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", 'multipart/form-data; boundary="'],
)
async def test_a_multipart_type_without_a_usable_boundary_is_a_flickr_error(
    raw: httpx.AsyncClient, content_type: str
) -> None:
    response = await raw.post(
        "rest/?format=json&nojsoncallback=1",
        content=multipart([("method", "flickr.test.echo")]),
        headers={"Content-Type": content_type},
    )
    assert fault_code(response) == 96


# -- the legacy api_sig's known limit (docs/hardening.md, Security) ------------------


async def test_legacy_api_sig_cannot_tell_where_a_name_ends(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    # md5(secret + name1 + value1 + ...) has no separators: "ab" + "c" and "a" + "bc"
    # hash alike, so a signature for one is a signature for the other. This is the
    # scheme's nature (Flickr's), kept for compatibility; OAuth does not share it.
    signed = {"method": "flickr.test.echo", "format": "json", "nojsoncallback": "1",
              "api_key": seeded.key, "tag": "abc"}  # fmt: skip
    text = seeded.secret + "".join(k + signed[k] for k in sorted(signed))
    signature = hashlib.md5(text.encode()).hexdigest()
    shifted = {**{k: v for k, v in signed.items() if k != "tag"}, "taga": "bc"}
    response = await raw.post("rest/", content=urlencode({**shifted, "api_sig": signature}),
                              headers=FORM)  # fmt: skip
    result = flickrwire.decode(response.content, transport="rest", codec="json")
    assert result.ok and result.payload["taga"] == {"_content": "bc"}
