"""Smaller leaks (issue 10, finding 7): pickled exceptions without credential values,
HAR import redacting by value and by name, and the client's peak memory for a big answer."""

from __future__ import annotations

import gc
import json
import pickle
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from flickrwire import APIError, AuthError, Client, decode, transports
from flickrwire.auth.oauth import Profile, save_profile
from flickrwire.cli import app
from flickrwire.errors import scrub_credentials
from flickrwire.recording import har
from flickrwire.result import success

KEY, TOKEN = "k3y-GIRAFFE-0101-distinct", "72157-WOMBAT-0102-token"
SECRET, TOKEN_SECRET = "s3cret-LLAMA-0103-distinct", "t0ksecret-IBIS-0104-distinct"
OTHER = "pr1vate-NEWT-0105-value"
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
runner = CliRunner()

# Flickr's 401 (fixture samples/oauth-401-signature-invalid-debug-sbs): the base string
# echoes the consumer key and the token, percent-encoded.
DEBUG_SBS = (
    f"oauth_problem=signature_invalid&debug_sbs=POST&https%3A%2F%2Fapi.flickr.com%2Fservices"
    f"%2Frest%2F&format%3Djson%26method%3Dflickr.groups.leave%26oauth_consumer_key%3D{KEY}"
    f"%26oauth_nonce%3Dabc%26oauth_token%3D{TOKEN}"
).encode()


# -- pickling -------------------------------------------------------------------------


def _raised(body: bytes, **kwargs: Any) -> APIError:
    result = decode(body, **kwargs)
    with pytest.raises(APIError) as info:
        result.raise_for_fault()
    return info.value


def test_a_pickled_401_carries_no_key_and_no_token() -> None:
    error = _raised(DEBUG_SBS, status=401, headers={"Content-Type": "text/plain"})
    assert isinstance(error, AuthError) and error.code == 96
    data = pickle.dumps(error)
    assert KEY.encode() not in data and TOKEN.encode() not in data
    back = pickle.loads(data)
    assert type(back) is type(error) and back.code == 96 and str(back) == str(error)
    assert back.result is not None and back.result.raw.startswith(
        b"oauth_problem=signature_invalid"
    )
    assert b"debug_sbs=REDACTED" in back.result.raw
    assert error.result is not None and KEY.encode() in error.result.raw  # in memory: as is


@pytest.mark.parametrize(
    "body",
    [
        f'<rsp stat="fail"><err code="100" msg="Invalid API Key"/><api_key>{KEY}</api_key>'
        f"<x oauth_token=\"{TOKEN}\" auth_token='{TOKEN}'/></rsp>",
        f'{{"stat":"fail","code":100,"message":"x","api_key":{{"_content":"{KEY}"}},'
        f'"oauth_token":"{TOKEN}","oauth_token_secret":"{TOKEN_SECRET}","secret":"{SECRET}"}}',
    ],
)
def test_pickled_exceptions_drop_echoed_credentials(body: str) -> None:
    data = pickle.dumps(_raised(body.encode(), codec="json" if body[0] == "{" else "xml"))
    for value in (KEY, TOKEN, TOKEN_SECRET, SECRET):
        assert value.encode() not in data


def test_the_scrubber_keeps_what_is_not_a_credential() -> None:
    body = b"oauth_problem=parameter_absent&oauth_parameters_absent=oauth_nonce&x=1"
    assert scrub_credentials(body) == body
    assert scrub_credentials(b'<photo id="1" title="oauth_token"/>') == (
        b'<photo id="1" title="oauth_token"/>'
    )


# -- HAR import -----------------------------------------------------------------------


def _har(form: str, response: str) -> dict[str, Any]:
    entry = {
        "request": {
            "method": "POST",
            "url": "https://api.flickr.com/services/rest/",
            "headers": [{"name": "Content-Type", "value": "application/x-www-form-urlencoded"}],
            "postData": {"mimeType": "application/x-www-form-urlencoded", "text": form},
        },
        "response": {
            "status": 200,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"mimeType": "application/json", "text": response},
        },
        "startedDateTime": "2024-05-01T11:32:06.000Z",
    }
    return {
        "log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": [entry]}
    }


FORM = (
    f"method=flickr.groups.leave&group_id=30000001%40N01&format=json&nojsoncallback=1"
    f"&secret={SECRET}&my_secret={TOKEN_SECRET}&oauth_session_handle={TOKEN}&note={OTHER}"
)
ANSWER = f'{{"stat":"ok","echo":"{SECRET} {TOKEN_SECRET} {TOKEN} {OTHER}"}}'


def _written(directory: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in directory.rglob("*.json"))


def test_har_import_redacts_secret_names_and_their_values_everywhere(tmp_path: Path) -> None:
    har.import_har(_har(FORM, ANSWER))  # in memory: must not raise
    source = tmp_path / "in.har"
    source.write_text(json.dumps(_har(FORM, ANSWER)), encoding="utf-8")
    har.import_file(source, tmp_path / "out")
    text = _written(tmp_path / "out")
    assert "REDACTED" in text
    for value in (SECRET, TOKEN_SECRET, TOKEN):
        assert value not in text, value
    assert OTHER in text  # an ordinary argument, nobody said it was secret


def test_har_import_command_redacts_every_given_secret_by_value(tmp_path: Path) -> None:
    source = tmp_path / "in.har"
    source.write_text(json.dumps(_har(FORM, ANSWER)), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["har", "import", str(source), str(out), "--secret", OTHER], env=ENV
    )
    assert result.exit_code == 0, result.output
    assert OTHER not in _written(out)


def test_har_import_command_redacts_a_credentials_profile(tmp_path: Path) -> None:
    config = save_profile("default", Profile(KEY, OTHER), tmp_path / "credentials.json")
    source = tmp_path / "in.har"
    source.write_text(json.dumps(_har(FORM, ANSWER)), encoding="utf-8")
    out = tmp_path / "out"
    args = ["har", "import", str(source), str(out), "--credentials", str(config)]
    result = runner.invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.output
    assert OTHER not in _written(out)


# -- memory ---------------------------------------------------------------------------

MiB = 1024 * 1024


def _photos_answer(transport: str, codec: str, size: int) -> tuple[bytes, str]:
    """A photos.search page of about ``size`` bytes, as the transport renders it."""
    wire = transports.get(transport)

    def render(count: int) -> tuple[bytes, str]:
        photo = [
            {"id": str(5_000_000_000 + i), "owner": "12037949754@N01", "secret": "abcdef1234",
             "server": "65535", "farm": "66", "title": f"photo {i}", "ispublic": "1"}
            for i in range(count)
        ]  # fmt: skip
        result = success(
            "flickr.photos.search", {"photos": {"page": "1", "photo": photo}},
            transport=transport, codec=codec, status=200, raw=b"",
        )  # fmt: skip
        return wire.render_response(result, codec), wire.media_type(result, codec)

    sample, _ = render(100)
    return render(int(size / (len(sample) / 100)))


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
@pytest.mark.parametrize("codec", ["json", "xml"])
def test_peak_memory_for_a_10_mib_answer_stays_under_10x(transport: str, codec: str) -> None:
    body, media = _photos_answer(transport, codec, int(9.5 * MiB))
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]  # as a socket gives it
    del body

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter(chunks), headers={"Content-Type": media})

    client = Client(
        transport, codec, http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )
    size = sum(len(c) for c in chunks)
    gc.collect()
    tracemalloc.start()
    try:
        result = client.call("flickr.photos.search")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.ok and len(result.payload["photos"]["photo"]) > 10_000
    assert peak < 10 * size, f"peak {peak / MiB:.0f} MiB for a {size / MiB:.1f} MiB answer"
