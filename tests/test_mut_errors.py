"""What a pickled exception carries of the body behind it: the value of every
credential-named parameter the body echoes is replaced, in every form Flickr writes a
parameter (form pair, attribute, JSON member, element), and nothing else is touched."""

from __future__ import annotations

import pickle

import pytest

from flickrwire import APIError, Fault, FlickrwireError
from flickrwire.errors import scrub_credentials
from flickrwire.result import failure

VALUE = "v4lue-QUOKKA-77"

# Every name whose value is a credential, as the scrubber's contract lists them.
CREDENTIAL_NAMES = [
    "oauth_token",
    "oauth_consumer_key",
    "oauth_signature",
    "oauth_nonce",
    "oauth_verifier",
    "debug_sbs",
    "api_key",
    "api_sig",
    "auth_token",
    "secret",
    "oauth_token_secret",
    "consumer_secret",
    "API_KEY",
    "OAuth_Token",
]
# OAuth names that carry no credential (a refusal's reason and what it names).
KEPT_NAMES = ["oauth_problem", "oauth_parameters_absent", "oauth_callback_confirmed"]
# Names that only look like credentials.
PLAIN_NAMES = ["photo_id", "secretary", "mysecret", "secret_word", "api_keys", "token", "oauth"]


def forms(name: str) -> list[bytes]:
    """``name`` = VALUE as a form pair, an attribute, JSON (plain and Flickr's text
    object), an element, and a percent-encoded pair at the start of a word."""
    return [
        f"x=1&{name}={VALUE}&y=2".encode(),
        f'<rsp><photo {name}="{VALUE}" id="5"/></rsp>'.encode(),
        f"<rsp><photo {name}='{VALUE}'/></rsp>".encode(),
        f'{{"{name}":"{VALUE}","id":"5"}}'.encode(),
        f'{{"{name}": {{"_content": "{VALUE}"}}}}'.encode(),
        f"<rsp><{name}>{VALUE}</{name}></rsp>".encode(),
        f"text {name}%3D{VALUE}".encode(),
    ]


@pytest.mark.parametrize("name", CREDENTIAL_NAMES)
def test_every_credential_name_loses_its_value_in_every_form(name: str) -> None:
    for body in forms(name):
        scrubbed = scrub_credentials(body)
        assert VALUE.encode() not in scrubbed, body
        if name != "debug_sbs":  # after "debug_sbs=" all goes, to the end of the line
            assert scrubbed == body.replace(VALUE.encode(), b"REDACTED")


@pytest.mark.parametrize("name", KEPT_NAMES + PLAIN_NAMES)
def test_names_that_are_no_credential_keep_their_value(name: str) -> None:
    for body in forms(name):
        assert scrub_credentials(body) == body


def test_an_empty_credential_value_is_left_as_it_is() -> None:
    body = b"oauth_token=&api_key=&x=1"
    assert scrub_credentials(body) == body


def test_a_name_inside_a_longer_word_is_not_a_parameter() -> None:
    body = b"myapi_key=abc&x%api_key=def"
    assert scrub_credentials(body) == body


@pytest.mark.parametrize("before", ["%26", "%3F", "%3f", "%20"])
def test_a_credential_inside_a_percent_encoded_url_loses_its_value(before: str) -> None:
    # An encoded URL echoed in a body (a callback, a base string outside debug_sbs):
    # the pair follows an escaped "&", "?" or space rather than the start of a word.
    body = f"url=https%3A%2F%2Fx%2Fy{before}api_key%3D{VALUE}&photo%3D5".encode()
    assert scrub_credentials(body) == body.replace(VALUE.encode(), b"REDACTED")
    body = f"cb=x{before}oauth_token%3D{VALUE}%26photo_id%3D5".encode()
    assert VALUE.encode() not in scrub_credentials(body)
    body = f"cb=x{before}photo_id%3D{VALUE}".encode()
    assert scrub_credentials(body) == body


def test_the_401_base_string_is_replaced_to_the_end_of_its_line() -> None:
    body = b"oauth_problem=signature_invalid&debug_sbs=POST&https%3A%2F%2Fx&a%3Db\nnext=1"
    assert scrub_credentials(body) == (
        b"oauth_problem=signature_invalid&debug_sbs=REDACTED\nnext=1"
    )


def raised(raw: bytes) -> FlickrwireError:
    fault = Fault.from_code(100, "Invalid API Key")
    result = failure("flickr.test.echo", fault, transport="rest", codec="xml", status=200, raw=raw)
    with pytest.raises(APIError) as info:
        result.raise_for_fault()
    return info.value


def test_a_pickled_exception_carries_the_body_scrubbed_and_the_rest_unchanged() -> None:
    raw = f'<rsp stat="fail"><err code="100"/><photo secret="{VALUE}" id="7"/></rsp>'.encode()
    error = raised(raw)
    back = pickle.loads(pickle.dumps(error))
    assert VALUE.encode() not in pickle.dumps(error)
    assert type(back) is type(error)
    assert back.result is not None and error.result is not None
    assert back.result.raw == raw.replace(VALUE.encode(), b"REDACTED")
    assert back.result == error.result  # every compared field kept
    assert back.result.http_status == 200 and back.code == 100
    assert error.result.raw == raw  # the exception in memory keeps the body as it came


def test_a_pickled_exception_without_a_body_or_a_result_keeps_what_it_has() -> None:
    back = pickle.loads(pickle.dumps(raised(b"")))
    assert back.result is not None and back.result.raw == b""
    bare = FlickrwireError("no result")
    copy = pickle.loads(pickle.dumps(bare))
    assert copy.result is None and copy.fault is None and copy.message == "no result"
