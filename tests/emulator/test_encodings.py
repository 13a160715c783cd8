"""Request encodings Flickr takes, as the emulator reads them through the one request reader:
``multipart/form-data`` with the OAuth parameters as fields (as Node's flickr-sdk sends every
POST), a malformed multipart body (a Flickr error, never a 500), and JSON or JSONP answers
for requests that are then refused."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

import flickrwire
from flickrwire.auth.signing import base_string, hmac_sha1
from flickrwire.emulator.seed import TEST_GROUP

from .conftest import BASE_URL, Seeded

REST = BASE_URL + "rest"


def multipart_signed(seeded: Seeded, user: str, params: dict[str, str]) -> dict[str, str]:
    """Every field of a multipart POST, the OAuth ones included and signed over all."""
    token = seeded.token(user)
    fields = {
        **params,
        "oauth_consumer_key": seeded.key,
        "oauth_token": token["token"],
        "oauth_nonce": f"n{time.monotonic_ns()}",
        "oauth_timestamp": str(int(time.time())),
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_version": "1.0",
    }
    base = base_string("POST", REST, fields)
    fields["oauth_signature"] = hmac_sha1(base, seeded.secret, token["secret"])
    return fields


def as_multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    request = httpx.Request("POST", REST, files={k: (None, v) for k, v in fields.items()})
    return request.read(), request.headers["content-type"]


async def test_a_multipart_leave_signed_in_its_fields(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    params = {"method": "flickr.groups.leave", "group_id": TEST_GROUP, "format": "json"}
    params["nojsoncallback"] = "1"
    body, content_type = as_multipart(multipart_signed(seeded, "bob", params))
    assert content_type.startswith("multipart/form-data; boundary=")
    first = await raw.post("rest", content=body, headers={"content-type": content_type})
    assert first.json() == {"stat": "ok"}
    body, content_type = as_multipart(multipart_signed(seeded, "bob", params))
    again = await raw.post("rest", content=body, headers={"content-type": content_type})
    assert again.json()["code"] == 3


async def test_a_multipart_field_changed_after_signing_is_refused(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    params = {"method": "flickr.groups.leave", "group_id": TEST_GROUP}
    fields = multipart_signed(seeded, "bob", params)
    fields["group_id"] = "30000002@N01"
    body, content_type = as_multipart(fields)
    answer = await raw.post("rest", content=body, headers={"content-type": content_type})
    assert answer.status_code == 401 and answer.text.startswith("oauth_problem=signature_invalid")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=xyz", b"garbage"),
        ("multipart/form-data", b"--xyz\r\n"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\n\r\n\r\n--xyz--\r\n"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nname=method\r\n\xff\xfe\r\n--xyz--"),
        ("multipart/form-data; boundary=" + "x" * 5000, b"--x\r\n"),
    ],
)
async def test_a_malformed_multipart_body_is_a_flickr_error(
    raw: httpx.AsyncClient, content_type: str, body: bytes
) -> None:
    answer = await raw.post("rest", content=body, headers={"content-type": content_type})
    assert answer.status_code == 200
    result = flickrwire.decode(answer.content, transport="rest", headers=answer.headers)
    assert result.fault is not None and result.fault.origin in ("auth", "protocol", "api")
    assert isinstance(result.fault.code, int)


@pytest.mark.parametrize(
    ("params", "prefix"),
    [
        ({"format": "json", "nojsoncallback": "1"}, b'{"stat":"fail","code":100'),
        ({"format": "json"}, b'jsonFlickrApi({"stat":"fail","code":100'),
        ({"format": "json", "jsoncallback": "mine"}, b'mine({"stat":"fail","code":100'),
    ],
)
async def test_a_refused_request_answers_json_when_asked(
    raw: httpx.AsyncClient, params: dict[str, str], prefix: bytes
) -> None:
    query = {"method": "flickr.photos.search", "api_key": "bad", **params}
    answer = await raw.get("rest", params=query)
    assert answer.content.startswith(prefix)
    fields = {"method": "flickr.groups.leave", "api_key": "bad", **params}
    body, content_type = as_multipart(fields)
    posted = await raw.post("rest", content=body, headers={"content-type": content_type})
    assert posted.content.startswith(prefix)


async def test_a_multipart_request_without_a_method_answers_in_its_format(
    raw: httpx.AsyncClient,
) -> None:
    body, content_type = as_multipart({"format": "json", "nojsoncallback": "1"})
    answer = await raw.post("rest", content=body, headers={"content-type": content_type})
    refused: dict[str, Any] = answer.json()
    assert (refused["stat"], refused["code"]) == ("fail", 112)
