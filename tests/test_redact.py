"""Redaction keeps every credential, signature and session out of what flickrwire writes.

Distinctive fake secrets are signed into real requests over all three protocols and the
redacted text is scanned for them, in every encoding they can take.
"""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import httpx
import pytest

from flickrwire import Call, Credentials, Signer, transports
from flickrwire.recording import redact, replay
from flickrwire.recording.redact import (
    REDACTED,
    RedactionError,
    check_clean,
    redact_body,
    redact_header,
    redact_headers,
    redact_payload,
    redact_request,
    redact_request_body,
    redact_text,
    redact_url,
    scrub,
)

KEY, SECRET = "k3y-ZEBRA-0001-distinct", "s3cret-OKAPI-0002-distinct"
TOKEN, TOKEN_SECRET = "72157-TAPIR-0003-token", "ts3cret-QUOKKA-0004-distinct"
SECRETS = (KEY, SECRET, TOKEN, TOKEN_SECRET)
CREDS = Credentials(KEY, SECRET, TOKEN, TOKEN_SECRET)
BASE = "https://api.flickr.com/services/"
NONCE = "n0nce-WOMBAT-0005"


def _signed(transport: str, signing: str, http_method: str = "POST") -> httpx.Request:
    signer = Signer(CREDS, signing, nonce=lambda: NONCE, clock=lambda: 1700000000)  # type: ignore[arg-type]
    call = Call("flickr.groups.leave", {"group_id": "30000001@N01"}, http_method)
    return transports.get(transport).build_request(call, "json", signer, BASE)


def _signature(request: httpx.Request, transport: str) -> str:
    params = dict(transports.get(transport).parse_request(request).params)
    header = request.headers.get("authorization", "")
    for part in header.removeprefix("OAuth ").split(", "):
        name, _, value = part.partition("=")
        params[name] = httpx.QueryParams(f"v={value.strip(chr(34))}")["v"]
    return params.get("oauth_signature") or params["api_sig"]


def _forms(value: str) -> list[str]:
    return [value, quote(value, safe=""), quote_plus(value)]


@pytest.mark.parametrize("signing", ["oauth", "legacy", "key"])
@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
def test_no_secret_or_signature_survives_request_redaction(transport: str, signing: str) -> None:
    request = _signed(transport, signing)
    wanted = [KEY] if signing == "key" else [KEY, TOKEN, _signature(request, transport)]
    redacted = redact_request(request)
    text = "\n".join([str(redacted.url), *redacted.headers.values(), redacted.content.decode()])
    for secret in (*SECRETS, *wanted):
        for form in _forms(secret):
            assert form not in text
    assert REDACTED in text
    # The call itself is intact: the redacted request still parses to the same method.
    call = transports.get(transport).parse_request(redacted)
    assert (call.method, call.params["group_id"]) == ("flickr.groups.leave", "30000001@N01")


def test_a_get_with_the_key_in_the_query_and_user_info_in_the_url() -> None:
    url = f"https://me:{SECRET}@api.flickr.com/services/rest/?method=flickr.test.echo&api_key={KEY}"
    assert redact_url(url) == (
        "https://api.flickr.com/services/rest/?method=flickr.test.echo&api_key=REDACTED"
    )
    redacted = redact_request(httpx.Request("GET", url))
    assert KEY not in str(redacted.url) and SECRET not in str(redacted.url)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("Authorization", f'OAuth oauth_token="{TOKEN}", oauth_version="1.0"', None),
        ("authorization", f"Bearer {TOKEN}", "Bearer REDACTED"),
        ("Cookie", f"cookie_session={TOKEN}; localization=en-us", "REDACTED"),
        ("set-cookie", f"xb={TOKEN}; Path=/; HttpOnly", "REDACTED"),
        ("Proxy-Authorization", f"Basic {SECRET}", "REDACTED"),
        ("content-type", "text/xml; charset=utf-8", "text/xml; charset=utf-8"),
    ],
)
def test_headers_are_redacted_by_kind(name: str, value: str, expected: str | None) -> None:
    redacted = redact_header(name, value)
    assert TOKEN not in redacted and SECRET not in redacted
    if expected is None:  # OAuth: parameter by parameter, the rest kept
        assert redacted == 'OAuth oauth_token="REDACTED", oauth_version="1.0"'
    else:
        assert redacted == expected


def test_redact_headers_drops_derived_headers_and_lowercases() -> None:
    headers = redact_headers([("Host", "api.flickr.com"), ("Content-Length", "3"), ("Cookie", "a")])
    assert headers == {"cookie": REDACTED}


def test_a_cookie_in_a_request_is_redacted_and_checked() -> None:
    request = httpx.Request("POST", BASE + "rest/", headers={"Cookie": f"s={TOKEN}"}, content=b"")
    assert redact_request(request).headers["cookie"] == REDACTED


@pytest.mark.parametrize(
    "body",
    [
        f'{{"method":{{"_content":"flickr.test.echo"}},"api_key":{{"_content":"{KEY}"}},'
        f'"oauth_token": "{TOKEN}","stat":"ok"}}',
        f'<rsp stat="ok"><method>flickr.test.echo</method><api_key>{KEY}</api_key></rsp>',
        f"<string>&lt;api_key&gt;{KEY}&lt;/api_key&gt;</string>",
        f"oauth_token={TOKEN}&oauth_token_secret={TOKEN_SECRET}&user_nsid=1%40N01",
        "oauth_problem=signature_invalid&debug_sbs=POST&https%3A%2F%2Fapi.flickr.com%2F&"
        f"oauth_consumer_key%3D{KEY}%26oauth_token%3D{TOKEN}",
    ],
    ids=["json-echo", "rest-echo", "xmlrpc-escaped", "token-answer", "debug-sbs"],
)
def test_echoed_credentials_are_redacted_in_response_bodies(body: str) -> None:
    redacted = redact_body(body.encode()).decode()
    assert not any(secret in redacted for secret in SECRETS)
    assert REDACTED in redacted
    assert redact_text(body) == redacted


def test_json_echo_stays_valid_json_with_the_rest_intact() -> None:
    body = json.dumps({"api_key": {"_content": KEY}, "group_id": {"_content": "1@N01"}})
    data = json.loads(redact_body(body.encode()))
    assert data == {"api_key": {"_content": REDACTED}, "group_id": {"_content": "1@N01"}}


def test_redact_payload_redacts_credential_keys_at_any_depth() -> None:
    payload = {
        "api_key": {"_content": KEY},
        "list": [{"oauth_token": TOKEN, "title": "kept"}],
        "message": f"debug oauth_consumer_key={KEY}",
    }
    assert redact_payload(payload) == {
        "api_key": {"_content": REDACTED},
        "list": [{"oauth_token": REDACTED, "title": "kept"}],
        "message": "debug oauth_consumer_key=REDACTED",
    }


def test_scrub_replaces_known_values_in_every_encoding() -> None:
    value = "tok/with space&amp"
    text = f"a {value} b {quote(value, safe='')} c {quote_plus(value)} d tok/with space&amp;amp"
    cleaned = scrub(text, [value, "abc"])  # values under 4 characters are not looked for
    assert value not in cleaned and quote(value, safe="") not in cleaned
    assert quote_plus(value) not in cleaned
    assert cleaned.count(REDACTED) == 4


def test_check_clean_names_the_place_never_the_value() -> None:
    check_clean("nothing here", SECRETS, "somewhere")
    with pytest.raises(RedactionError, match="in the report") as caught:
        check_clean(f"x {quote(SECRET, safe='')} y", SECRETS, "the report")
    assert SECRET not in str(caught.value)


def test_redaction_fails_closed_when_a_value_hides_in_cdata() -> None:
    body = (
        "<methodCall><methodName>flickr.test.echo</methodName><params><param><value><struct>"
        f"<member><name>oauth_token</name><value><string><![CDATA[{TOKEN}]]></string></value>"
        "</member></struct></value></param></params></methodCall>"
    ).encode()
    with pytest.raises(RedactionError, match="oauth_token") as caught:
        redact_request(httpx.Request("POST", BASE + "xmlrpc/", content=body))
    assert TOKEN not in str(caught.value)


def test_the_redaction_names_stay_importable_from_replay() -> None:
    assert replay.redact_request is redact_request
    assert replay.redact_body is redact_body
    assert replay.RedactionError is RedactionError
    assert replay.REDACTED == REDACTED


# -- pinned after the mutation run (docs/mutation.md) -----------------------------------------


def test_every_oauth_value_in_an_answer_is_redacted_but_the_problem_names() -> None:
    body = (
        "oauth_token=t1&oauth_token_secret=s2&oauth_nonce=n3&oauth_timestamp=4&"
        "oauth_verifier=v5&oauth_session_handle=h6&oauth_problem=nonce_used&"
        "oauth_parameters_absent=oauth_nonce&oauth_callback_confirmed=true&group_id=5"
    )
    assert redact_text(body) == (
        "oauth_token=REDACTED&oauth_token_secret=REDACTED&oauth_nonce=REDACTED&"
        "oauth_timestamp=REDACTED&oauth_verifier=REDACTED&oauth_session_handle=REDACTED&"
        "oauth_problem=nonce_used&oauth_parameters_absent=oauth_nonce&"
        "oauth_callback_confirmed=true&group_id=5"
    )


def test_a_secret_inside_a_longer_secret_leaves_nothing_of_either() -> None:
    for secrets in (["token", "token-secret"], ["token-secret", "token"]):
        assert scrub("a=token-secret&b=token", secrets) == "a=REDACTED&b=REDACTED"


def test_a_request_body_that_is_not_utf8_is_still_redacted() -> None:
    body = b"method=flickr.test.echo&name=caf\xe9&api_key=abcdef0123456789abcdef0123456789"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    request = httpx.Request("POST", "https://api.flickr.com/rest/", content=body, headers=form)
    redacted = redact_request(request)
    assert b"abcdef0123456789" not in redacted.read()
    assert b"name=caf\xe9" in redacted.read()


def test_a_secret_a_broken_xml_redaction_missed_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check after redaction fails closed: it finds the secrets of a SOAP request's
    # children itself, so a redaction that missed one raises instead of writing it out.
    body = (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        b'<x:FlickrRequest xmlns:x="urn:flickr"><method>flickr.test.echo</method>'
        b"<api_key>abcdef0123456789abcdef0123456789</api_key></x:FlickrRequest></s:Body>"
        b"</s:Envelope>"
    )
    request = httpx.Request("POST", "https://api.flickr.com/services/soap/", content=body)
    assert b"abcdef0123456789" not in redact_request(request).read()
    monkeypatch.setattr(redact, "_redact_xml", lambda text: text)
    with pytest.raises(redact.RedactionError, match="api_key"):
        redact_request(request)


def test_a_soap_body_after_blank_lines_is_redacted_as_xml() -> None:
    body = (
        "\ufeff\n\t <s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body>"
        "<x:FlickrRequest xmlns:x='urn:flickr'><api_key>abcdef0123456789abcdef0123456789"
        "</api_key></x:FlickrRequest></s:Body></s:Envelope>"
    ).encode()
    assert b"abcdef0123456789" not in redact_request_body(body)


def test_a_token_a_broken_header_redaction_missed_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    header = 'OAuth oauth_consumer_key="abcdef0123456789abcdef0123456789", oauth_nonce="n"'
    request = httpx.Request("POST", "https://api.flickr.com/services/rest/",
                            headers={"Authorization": header}, content=b"method=m")  # fmt: skip
    assert "abcdef0123456789" not in redact_request(request).headers["authorization"]
    monkeypatch.setattr(redact, "redact_header", lambda name, value: value)
    with pytest.raises(redact.RedactionError, match="oauth_consumer_key"):
        redact_request(request)


def test_a_secret_of_the_shortest_length_scrubbed_is_scrubbed() -> None:
    shortest = "s" * 4  # four characters and up (shorter ones would match too much)
    assert scrub(f"x={shortest}", [shortest]) == "x=REDACTED"
    shorter = shortest[:-1]
    assert scrub(f"x={shorter}", [shorter, ""]) == f"x={shorter}"  # too short to be told apart
