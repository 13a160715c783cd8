"""Recording: the four record modes, network failures kept as outcomes, the Flickr-call
matcher, secrets kept out of fixture files, and the ``record`` and ``replay --mode client``
commands.

The server is an ``httpx.MockTransport`` built on flickrwire's own sans-IO transports (so
the bytes are real REST, XML-RPC and SOAP), and the emulator run in-process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest
from typer.testing import CliRunner

from flickrwire import (
    AsyncClient,
    Call,
    Client,
    Credentials,
    Fault,
    Signer,
    transports,
)
from flickrwire.cli import app
from flickrwire.commands.record import RecordRuntime
from flickrwire.recording import replay as store
from flickrwire.recording.record import AsyncRecordingTransport, Cassette, RecordingTransport
from flickrwire.result import failure, success

KEY, SECRET = "k3y-ZEBRA-0001-distinct", "s3cret-OKAPI-0002-distinct"
TOKEN, TOKEN_SECRET = "72157-TAPIR-0003-token", "ts3cret-QUOKKA-0004-distinct"
COOKIE = "c00kie-NARWHAL-0006"
SECRETS = (KEY, SECRET, TOKEN, TOKEN_SECRET, COOKIE)
CREDS = Credentials(KEY, SECRET, TOKEN, TOKEN_SECRET)
ENV = {
    "FLICKR_API_KEY": KEY,
    "FLICKR_API_SECRET": SECRET,
    "FLICKR_OAUTH_TOKEN": TOKEN,
    "FLICKR_OAUTH_TOKEN_SECRET": TOKEN_SECRET,
    "COLUMNS": "200",
    "NO_COLOR": "1",
}
GROUP = "30000001@N01"
TRANSPORTS = ("rest", "xmlrpc", "soap")
EMULATOR_URL = "http://127.0.0.1/services/"
runner = CliRunner()


class FakeFlickr:
    """``flickr.groups.leave`` succeeds once per group, then answers 3; ``flickr.test.echo``
    echoes every parameter, credentials and signature included, as Flickr's does."""

    def __init__(self) -> None:
        self.hits = 0
        self.left: set[str] = set()
        self.signatures: set[str] = set()
        self.error: Exception | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.hits += 1
        if self.error is not None:
            raise self.error
        name = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        transport = transports.get(name)
        call = transport.parse_request(request)
        params = dict(call.params)
        for part in request.headers.get("authorization", "").removeprefix("OAuth ").split(", "):
            key, _, value = part.partition("=")
            if key:
                params[key] = unquote(value.strip('"'))
        self.signatures.update(v for k, v in params.items() if k in ("oauth_signature", "api_sig"))
        codec = "json" if params.get("format") == "json" else "xml"
        result = self.answer(call.method, params, name, codec)
        headers = {"content-type": transport.media_type(result, codec), "set-cookie": COOKIE}
        return httpx.Response(
            200, content=transport.render_response(result, codec), headers=headers
        )

    def answer(self, method: str, params: dict[str, str], name: str, codec: str) -> Any:
        where = {"transport": name, "codec": codec, "status": 200, "raw": b""}
        if method == "flickr.test.echo":
            return success(method, {k: {"_content": v} for k, v in params.items()}, **where)
        group = params.get("group_id", "")
        if group in self.left:
            fault = Fault.from_code(3, "Account is not in that group")
            return failure(method, fault, **where)
        self.left.add(group)
        return success(method, {}, **where)


@pytest.fixture
def server() -> FakeFlickr:
    return FakeFlickr()


def _leave(
    http: httpx.Client, transport: str = "rest", codec: str = "json", group: str = GROUP
) -> Any:
    with Client(transport, codec, CREDS, http_client=http) as client:
        return client.groups.leave(group_id=group)


def _recorder(server: FakeFlickr, folder: Path, mode: str, **options: Any) -> httpx.Client:
    cassette = Cassette(folder, mode, **options)
    return httpx.Client(transport=RecordingTransport(httpx.MockTransport(server), cassette))


def _cassette(http: httpx.Client) -> Cassette:
    transport = http._transport
    assert isinstance(transport, RecordingTransport)
    return transport.cassette


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.json"))


# -- record modes -----------------------------------------------------------------------


def test_once_records_into_an_empty_folder_then_replays_without_the_server(
    server: FakeFlickr, tmp_path: Path
) -> None:
    with _recorder(server, tmp_path, "once") as http:
        codes = [_leave(http, t).code for t in TRANSPORTS]
    assert codes == [None, 3, 3] and server.hits == 3
    assert [p.relative_to(tmp_path).parts[:2] for p in _files(tmp_path)] == [
        ("groups.leave", "rest-json"),
        ("groups.leave", "soap-json"),
        ("groups.leave", "xmlrpc-json"),
    ]
    with _recorder(server, tmp_path, "once") as http:
        assert [_leave(http, t).code for t in TRANSPORTS] == [None, 3, 3]
        assert len(_cassette(http).replayed) == 3
    assert server.hits == 3


def test_once_refuses_a_new_call_when_the_folder_has_fixtures(
    server: FakeFlickr, tmp_path: Path
) -> None:
    with _recorder(server, tmp_path, "once") as http:
        _leave(http)
    with (
        _recorder(server, tmp_path, "once") as http,
        pytest.raises(store.UnmatchedRequestError, match="new_episodes") as caught,
    ):
        _leave(http, group="999@N01")
    assert "group_id=999@N01" in str(caught.value) and "'once'" in str(caught.value)
    assert server.hits == 1 and len(_files(tmp_path)) == 1


def test_new_episodes_replays_known_calls_and_records_new_ones(
    server: FakeFlickr, tmp_path: Path
) -> None:
    with _recorder(server, tmp_path, "once") as http:
        _leave(http)
    (first,) = store.load_dir(tmp_path)
    with _recorder(server, tmp_path, "new_episodes") as http:
        assert _leave(http).ok  # replayed: the server would now answer 3
        assert _leave(http, group="999@N01").ok  # new: recorded
        cassette = _cassette(http)
    assert server.hits == 2
    assert [fx.name for fx in cassette.replayed] == [first.name]
    assert len(cassette.recorded) == 1 and len(_files(tmp_path)) == 2


def test_none_never_reaches_the_server(server: FakeFlickr, tmp_path: Path) -> None:
    with _recorder(server, tmp_path, "once") as http:
        _leave(http)
    with _recorder(server, tmp_path, "none") as http:
        assert _leave(http).ok
        with pytest.raises(store.UnmatchedRequestError, match="already played"):
            _leave(http)
        with pytest.raises(store.UnmatchedRequestError, match=r"no fixture matches .*999@N01"):
            _leave(http, group="999@N01")
    assert server.hits == 1


def test_none_on_a_missing_folder_is_a_clear_error(server: FakeFlickr, tmp_path: Path) -> None:
    with (
        _recorder(server, tmp_path / "absent", "none") as http,
        pytest.raises(store.UnmatchedRequestError, match=r"POST /services/rest/ flickr\.groups"),
    ):
        _leave(http)
    assert server.hits == 0


def test_all_always_asks_the_server_and_replaces_the_fixture_of_the_same_call(
    server: FakeFlickr, tmp_path: Path
) -> None:
    with _recorder(server, tmp_path, "once") as http:
        _leave(http)
    before = _files(tmp_path)
    assert store.load(before[0]).expected["ok"] is True
    with _recorder(server, tmp_path, "all") as http:
        assert _leave(http).code == 3
    assert server.hits == 2 and _files(tmp_path) == before
    assert store.load(before[0]).expected["code"] == 3


def test_a_call_repeated_with_another_outcome_replays_in_order(
    server: FakeFlickr, tmp_path: Path
) -> None:
    with _recorder(server, tmp_path, "once") as http:
        assert [_leave(http).code, _leave(http).code] == [None, 3]
    names = sorted(store.load(p).name for p in _files(tmp_path))
    assert names[0].endswith("-2@rest-json") and names[1].endswith("@rest-json")
    with _recorder(server, tmp_path, "none") as http:
        assert [_leave(http).code, _leave(http).code] == [None, 3]
        with pytest.raises(store.UnmatchedRequestError, match="already played"):
            _leave(http)


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown record mode 'sometimes'"):
        Cassette(tmp_path, "sometimes")


async def test_the_async_twin_records_and_replays(server: FakeFlickr, tmp_path: Path) -> None:
    for mode in ("once", "none"):
        cassette = Cassette(tmp_path, mode)
        transport = AsyncRecordingTransport(httpx.MockTransport(server), cassette)
        async with httpx.AsyncClient(transport=transport) as http:
            client = AsyncClient("soap", "xml", CREDS, http_client=http)
            assert (await client.groups.leave(group_id=GROUP)).ok
    assert server.hits == 1 and len(cassette.replayed) == 1


# -- what a fixture holds ----------------------------------------------------------------


def test_a_recorded_fixture_describes_the_call_and_replays_to_the_same_result(
    server: FakeFlickr, tmp_path: Path
) -> None:
    with _recorder(server, tmp_path, "once", clock=lambda: 1714563126) as http:
        result = _leave(http, "xmlrpc", "xml")
    fixture = store.load(_files(tmp_path)[0])
    assert (fixture.transport, fixture.codec) == ("xmlrpc", "xml")
    assert fixture.call == store.FixtureCall("flickr.groups.leave", {"group_id": GROUP}, "oauth")
    assert fixture.provenance.kind == "real"  # api.flickr.com
    assert fixture.provenance.recorded == "Wed, 01 May 2024 11:32:06 GMT"
    assert fixture.response is not None and "set-cookie" in fixture.response.headers
    assert fixture.expected == result.expected_view()
    assert fixture.decode().expected_view() == result.expected_view()


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("https://api.flickr.com/services/", "real"),
        ("http://127.0.0.1:8000/services/", "emulator"),
        ("https://flickr.example.org/services/", "server"),
    ],
)
def test_provenance_kind_follows_the_host(
    server: FakeFlickr, tmp_path: Path, host: str, kind: str
) -> None:
    with _recorder(server, tmp_path, "once") as http:
        Client("rest", "json", CREDS, http_client=http, base_url=host).groups.leave(group_id=GROUP)
    assert store.load(_files(tmp_path)[0]).provenance.kind == kind


def _scan(folder: Path, extra: set[str]) -> None:
    values = {*SECRETS, *extra}
    forms = {f for v in values for f in (v, quote(v, safe=""), quote(quote(v, safe=""), safe=""))}
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            leaked = [form for form in forms if form in text]
            assert not leaked, f"{leaked} in {path}"


@pytest.mark.parametrize("codec", ["json", "xml"])
@pytest.mark.parametrize("signing", ["oauth", "legacy"])
def test_no_secret_survives_in_fixture_files_even_when_the_server_echoes_them(
    server: FakeFlickr, tmp_path: Path, signing: str, codec: str
) -> None:
    # No secrets handed to the cassette: structural redaction alone must do.
    with _recorder(server, tmp_path, "once") as http:
        for transport in TRANSPORTS:
            with Client(transport, codec, CREDS, http_client=http, signing=signing) as client:
                assert client.call("flickr.test.echo", text="hello").ok
    assert server.signatures  # oauth: one per endpoint URL; legacy: one per call
    _scan(tmp_path, server.signatures)
    texts = [p.read_text(encoding="utf-8") for p in _files(tmp_path)]
    assert all("REDACTED" in text and "hello" in text for text in texts)


def test_known_secrets_are_scrubbed_wherever_they_turn_up(
    server: FakeFlickr, tmp_path: Path
) -> None:
    with (
        _recorder(server, tmp_path, "once", secrets=SECRETS) as http,
        Client("rest", "json", CREDS, http_client=http) as client,
    ):
        # A secret inside an ordinary argument: no parameter name gives it away.
        client.call("flickr.test.echo", text=f"my key is {KEY}")
    _scan(tmp_path, server.signatures)


# -- network failures ----------------------------------------------------------------------


class _Truncated(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b'{"stat":"o'
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body"
        )


FAILURES = {
    "reset": httpx.ReadError("[Errno 104] Connection reset by peer"),
    "timeout": httpx.ReadTimeout("The read operation timed out"),
    "truncation": None,  # the body breaks off while it is read
}


@pytest.mark.parametrize("failure_name", list(FAILURES))
def test_a_network_failure_is_recorded_as_an_outcome_and_replayed(
    tmp_path: Path, failure_name: str
) -> None:
    error = FAILURES[failure_name]

    def handler(request: httpx.Request) -> httpx.Response:
        if error is not None:
            raise error
        return httpx.Response(200, stream=_Truncated())

    cassette = Cassette(tmp_path, "once")
    with httpx.Client(transport=RecordingTransport(httpx.MockTransport(handler), cassette)) as http:
        live = _leave(http)
    assert live.fault is not None and live.fault.origin == "network"
    data = json.loads(_files(tmp_path)[0].read_text(encoding="utf-8"))
    kind = {"reset": "ReadError", "timeout": "ReadTimeout", "truncation": "RemoteProtocolError"}
    assert data["response"] is None and data["error"]["type"] == kind[failure_name]
    assert data["expected"] == live.expected_view()
    with _recorder(FakeFlickr(), tmp_path, "none") as http:
        assert _leave(http).expected_view() == live.expected_view()
    with _recorder(FakeFlickr(), tmp_path, "none") as http:
        match = re.escape(data["error"]["message"])
        with pytest.raises(getattr(httpx, kind[failure_name]), match=match):
            http.send(_leave_request())


def _leave_request() -> httpx.Request:
    call = Call("flickr.groups.leave", {"group_id": GROUP})
    return transports.get("rest").build_request(
        call, "json", Signer(CREDS), "https://api.flickr.com/services/"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"error": {"type": "ReadError", "message": "x"}},  # and a response
        {"response": None},  # and no error
        {"response": None, "error": {"type": "KeyError", "message": "x"}},
    ],
)
def test_a_fixture_has_a_response_or_a_known_error(tmp_path: Path, change: dict[str, Any]) -> None:
    data = {
        **next(iter(store.load_dir(Path(__file__).parent.parent / "fixtures"))).to_dict(),
        **change,
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(store.FixtureError):
        store.load(path)


# -- the Flickr-call matcher -----------------------------------------------------------------


def _request(transport: str, nonce: str, clock: int, signing: str = "oauth") -> httpx.Request:
    signer = Signer(CREDS, signing, nonce=lambda: nonce, clock=lambda: clock)  # type: ignore[arg-type]
    call = Call("flickr.groups.leave", {"group_id": GROUP, "delete_photos": "1"})
    return transports.get(transport).build_request(
        call, "xml", signer, "https://api.flickr.com/services/"
    )


def test_nonce_timestamp_and_signature_take_no_part_on_any_protocol() -> None:
    for transport in TRANSPORTS:
        first = store.match_key(_request(transport, "n1", 1700000000), transport)
        second = store.match_key(_request(transport, "n2", 1800000000, "legacy"), transport)
        assert first is not None and first == second


def test_across_transports_a_form_a_struct_and_soap_children_are_one_call() -> None:
    keys = {t: store.match_key(_request(t, t, 1), t, across_transports=True) for t in TRANSPORTS}
    assert len(set(keys.values())) == 1 and None not in keys.values()
    assert keys["soap"] == (
        "",
        "",
        "flickr.groups.leave",
        (("delete_photos", "1"), ("format", "xml"), ("group_id", GROUP)),
    )
    plain = {store.match_key(_request(t, t, 1), t) for t in TRANSPORTS}
    assert len(plain) == 3  # without it, path and format tell them apart


def test_replay_across_transports_answers_a_soap_call_with_a_rest_fixture(
    server: FakeFlickr, tmp_path: Path
) -> None:
    with (
        _recorder(server, tmp_path, "once") as http,
        Client("rest", "xml", CREDS, http_client=http) as client,
    ):
        client.groups.leave(group_id=GROUP, delete_photos=True)
    replayer = store.ReplayTransport(store.load_dir(tmp_path), across_transports=True)
    soap = _request("soap", "n", 1)
    fixture = replayer.take(soap)
    assert fixture is not None and fixture.transport == "rest"
    assert store.ReplayTransport(store.load_dir(tmp_path)).take(soap) is None


def test_infer_transport_from_path_then_body() -> None:
    assert (
        store.infer_transport(httpx.Request("POST", "https://up.flickr.com/services/upload/"))
        == "rest"
    )
    odd = "http://127.0.0.1/custom/"
    assert store.infer_transport(httpx.Request("POST", odd, content=b"<methodCall/>")) == "xmlrpc"
    envelope = b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"/>'
    assert store.infer_transport(httpx.Request("POST", odd, content=envelope)) == "soap"


# -- against the emulator, in-process -------------------------------------------------------


def _emulator_transport(faults: Any = None) -> httpx.BaseTransport:
    emulator = pytest.importorskip("flickrwire.emulator", reason="needs the server extra")
    from flickrwire.emulator.inprocess import EmulatorTransport

    return EmulatorTransport(emulator.create_app(faults=faults))


def _seed_credentials() -> Credentials:
    from flickrwire.emulator import DEFAULT_SEED

    app_key, token = DEFAULT_SEED["api_keys"][0], DEFAULT_SEED["tokens"][0]
    return Credentials(app_key["key"], app_key["secret"], token["token"], token["secret"])


def test_recording_the_emulator_over_three_protocols(tmp_path: Path) -> None:
    creds = _seed_credentials()
    cassette = Cassette(tmp_path, "once")
    with httpx.Client(transport=RecordingTransport(_emulator_transport(), cassette)) as http:
        for transport in TRANSPORTS:
            Client(transport, "xml", creds, http_client=http, base_url=EMULATOR_URL).groups.leave(
                group_id=GROUP
            )
    fixtures = store.load_dir(tmp_path)
    assert [
        fx.expected["code"] for fx in sorted(fixtures, key=lambda f: "rxs".index(f.transport[0]))
    ] == [None, 3, 3]
    assert {fx.provenance.kind for fx in fixtures} == {"emulator"}
    assert {fx.provenance.source for fx in fixtures} == {
        "flickrwire record from the in-process emulator"
    }
    _scan(
        tmp_path,
        {creds.api_key, creds.api_secret, creds.oauth_token or "", creds.oauth_token_secret or ""},
    )


@pytest.mark.parametrize(
    ("action", "error", "then"),
    # A reset drops the request before the method runs; a truncated answer comes after
    # the leave happened, so the second leave finds Alice gone (3).
    [("reset", "ReadError", None), ("truncate", "RemoteProtocolError", 3)],
)
def test_socket_faults_of_the_emulator_are_recorded(
    tmp_path: Path, action: str, error: str, then: int | None
) -> None:
    cassette = Cassette(tmp_path, "once")
    base = _emulator_transport([{"action": action, "count": 1}])
    with httpx.Client(transport=RecordingTransport(base, cassette)) as http:
        client = Client(
            "rest", "json", _seed_credentials(), http_client=http, base_url=EMULATOR_URL
        )
        first_result = client.groups.leave(group_id=GROUP)
        assert first_result.fault is not None and first_result.fault.origin == "network"
        assert client.groups.leave(group_id=GROUP).code == then
    first, second = sorted(store.load_dir(tmp_path), key=lambda fx: len(fx.name))
    assert first.error is not None and first.error.type == error
    assert first.expected == first_result.expected_view()
    assert second.error is None and second.expected["code"] == then


# -- the commands ------------------------------------------------------------------------


def _invoke(server: FakeFlickr, args: list[str]) -> Any:
    runtime = RecordRuntime(base_transport=lambda: httpx.MockTransport(server))
    return runner.invoke(app, ["record", *args], env=ENV, obj=runtime)


def test_record_command_records_every_pair_then_replays_in_none(
    server: FakeFlickr, tmp_path: Path
) -> None:
    args = ["--out", str(tmp_path), "-t", "all", "-c", "json", "--name", "leave-1"]
    result = _invoke(server, [*args, "flickr.groups.leave", f"group_id={GROUP}"])
    assert result.exit_code == 0, result.output
    assert "3 recorded, 0 replayed" in result.output
    assert "recorded groups.leave/leave-1@soap-json" in result.output
    assert sorted(p.relative_to(tmp_path).as_posix() for p in _files(tmp_path)) == [
        f"groups.leave/{t}-json/leave-1.json" for t in ("rest", "soap", "xmlrpc")
    ]
    _scan(tmp_path, server.signatures)
    again = _invoke(server, [*args, "--mode", "none", "flickr.groups.leave", f"group_id={GROUP}"])
    assert again.exit_code == 0 and "0 recorded, 3 replayed" in again.output
    assert server.hits == 3


def test_record_command_in_none_mode_fails_on_a_new_call(
    server: FakeFlickr, tmp_path: Path
) -> None:
    result = _invoke(
        server, ["--out", str(tmp_path), "--mode", "none", "flickr.groups.leave", "group_id=1@N01"]
    )
    assert result.exit_code == 1
    assert "no fixture matches POST /services/rest/ flickr.groups.leave(" in result.output
    assert server.hits == 0


def test_record_command_reads_calls_from_a_file(server: FakeFlickr, tmp_path: Path) -> None:
    calls = tmp_path / "calls.json"
    calls.write_text(
        json.dumps(
            [
                {"method": "flickr.groups.leave", "params": {"group_id": GROUP}, "name": "first"},
                {
                    "method": "flickr.groups.leave",
                    "params": {"group_id": GROUP},
                    "name": "first",
                    "transport": "soap",
                    "codec": "xml",
                },
            ]
        ),
        encoding="utf-8",
    )
    result = _invoke(server, ["--out", str(tmp_path / "out"), "--calls", str(calls)])
    assert result.exit_code == 0, result.output
    assert {fx.name for fx in store.load_dir(tmp_path / "out")} == {
        "groups.leave/first@rest-json",
        "groups.leave/first@soap-xml",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either METHOD"),
        (["--mode", "often", "flickr.test.echo"], "unknown mode 'often'"),
        (["-t", "gopher", "flickr.test.echo"], "unknown transport 'gopher'"),
        (["flickr.groups.leave"], "requires argument(s): group_id"),
        (["flickr.test.echo", "novalue"], "is not key=value"),
        (["--kind", "guessed", "flickr.test.echo"], "unknown provenance kind 'guessed'"),
    ],
)
def test_record_command_usage_errors(
    server: FakeFlickr, tmp_path: Path, args: list[str], message: str
) -> None:
    result = _invoke(server, ["--out", str(tmp_path), *args])
    assert result.exit_code == 2 and message in result.output
    assert server.hits == 0


def test_record_command_from_the_emulator_in_process(tmp_path: Path) -> None:
    pytest.importorskip("flickrwire.emulator", reason="needs the server extra")
    env = {k: v for k, v in ENV.items() if not k.startswith("FLICKR_")}
    env["FLICKRWIRE_CONFIG"] = str(tmp_path / "no-credentials.json")
    result = runner.invoke(
        app,
        [
            "record",
            "--emulator",
            "--out",
            str(tmp_path / "out"),
            "flickr.groups.leave",
            f"group_id={GROUP}",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    (fixture,) = store.load_dir(tmp_path / "out")
    assert fixture.provenance.kind == "emulator" and fixture.expected["ok"] is True


def test_replay_client_mode_sends_every_fixture_call_through_a_client() -> None:
    folder = Path(__file__).parent.parent / "fixtures"
    result = runner.invoke(app, ["replay", str(folder), "--mode", "client"], env=ENV)
    assert result.exit_code == 0, result.output
    assert f"{len(_files(folder))} passed, 0 failed" in result.output


def test_replay_client_mode_fails_a_fixture_whose_request_is_not_for_its_call(
    tmp_path: Path,
) -> None:
    source = (
        Path(__file__).parent.parent / "fixtures" / "groups.leave" / "soap-xml" / "error-2.json"
    )
    data = json.loads(source.read_text(encoding="utf-8"))
    data["call"]["params"]["group_id"] = "other@N01"
    (tmp_path / "error-2.json").write_text(json.dumps(data), encoding="utf-8")
    decoded = runner.invoke(app, ["replay", str(tmp_path)], env=ENV)
    called = runner.invoke(app, ["replay", str(tmp_path), "--mode", "client"], env=ENV)
    assert decoded.exit_code == 0
    assert called.exit_code == 1 and "no fixture matches" in called.output
