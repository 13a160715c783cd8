"""HAR 1.2: exports hold every field the spec requires with the right types (so browser
developer tools and mitmproxy load them), imports take browser and proxy captures, both
keep secrets out, and export -> import gives the fixtures back."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flickrwire.cli import app
from flickrwire.recording import har, replay as store

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURES = store.load_dir(FIXTURE_DIR)
KEY, SECRET = "k3y-ZEBRA-0001-distinct", "s3cret-OKAPI-0002-distinct"
TOKEN, SIG = "72157-TAPIR-0003-token", "5ig-PANGOLIN-0007-signature"
COOKIE = "c00kie-NARWHAL-0006"
SECRETS = (KEY, SECRET, TOKEN, SIG, COOKIE)
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
BASE = "https://api.flickr.com/services/"
runner = CliRunner()

# -- a checker for the HAR 1.2 spec's required fields (softwareishard.com/blog/har-12-spec)

ISO8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
SPEC: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    # object -> field -> (type, required)
    "log": {"version": (str, True), "creator": (dict, True), "browser": (dict, False),
            "pages": (list, False), "entries": (list, True), "comment": (str, False)},
    "creator": {"name": (str, True), "version": (str, True), "comment": (str, False)},
    "entry": {"pageref": (str, False), "startedDateTime": (str, True), "time": ((int, float), True),
              "request": (dict, True), "response": (dict, True), "cache": (dict, True),
              "timings": (dict, True), "serverIPAddress": (str, False),
              "connection": (str, False), "comment": (str, False)},
    "request": {"method": (str, True), "url": (str, True), "httpVersion": (str, True),
                "cookies": (list, True), "headers": (list, True), "queryString": (list, True),
                "postData": (dict, False), "headersSize": (int, True), "bodySize": (int, True),
                "comment": (str, False)},
    "response": {"status": (int, True), "statusText": (str, True), "httpVersion": (str, True),
                 "cookies": (list, True), "headers": (list, True), "content": (dict, True),
                 "redirectURL": (str, True), "headersSize": (int, True), "bodySize": (int, True),
                 "comment": (str, False)},
    "pair": {"name": (str, True), "value": (str, True), "comment": (str, False)},
    "postData": {"mimeType": (str, True), "params": (list, False), "text": (str, False),
                 "comment": (str, False)},
    "content": {"size": (int, True), "compression": (int, False), "mimeType": (str, True),
                "text": (str, False), "encoding": (str, False), "comment": (str, False)},
    "timings": {"blocked": ((int, float), False), "dns": ((int, float), False),
                "connect": ((int, float), False), "send": ((int, float), True),
                "wait": ((int, float), True), "receive": ((int, float), True),
                "ssl": ((int, float), False), "comment": (str, False)},
}  # fmt: skip


def _check(obj: Any, kind: str, where: str, problems: list[str]) -> None:
    if not isinstance(obj, dict):
        problems.append(f"{where}: not an object")
        return
    for name, (types, required) in SPEC[kind].items():
        if name not in obj:
            if required:
                problems.append(f"{where}.{name}: missing")
        elif isinstance(obj[name], bool) or not isinstance(obj[name], types):
            problems.append(f"{where}.{name}: {type(obj[name]).__name__} is not {types}")
    custom = [k for k in obj if k not in SPEC[kind] and not k.startswith("_")]
    if custom:
        problems.append(f"{where}: fields outside the spec without a leading _: {custom}")


def har_problems(data: Any) -> list[str]:
    """Every way ``data`` breaks the HAR 1.2 spec's required fields and types."""
    problems: list[str] = []
    if not isinstance(data, dict) or set(data) != {"log"}:
        return ["the root must be an object with one key, log"]
    log = data["log"]
    _check(log, "log", "log", problems)
    _check(log.get("creator"), "creator", "log.creator", problems)
    for i, entry in enumerate(log.get("entries", [])):
        at = f"entries[{i}]"
        _check(entry, "entry", at, problems)
        if not ISO8601.match(str(entry.get("startedDateTime"))):
            problems.append(f"{at}.startedDateTime: not ISO 8601 with a zone")
        for part in ("request", "response"):
            _check(entry.get(part), part, f"{at}.{part}", problems)
            for group in ("cookies", "headers", "queryString"):
                for j, pair in enumerate(entry.get(part, {}).get(group, [])):
                    _check(pair, "pair", f"{at}.{part}.{group}[{j}]", problems)
        if "postData" in entry.get("request", {}):
            _check(entry["request"]["postData"], "postData", f"{at}.postData", problems)
        _check(entry.get("response", {}).get("content"), "content", f"{at}.content", problems)
        _check(entry.get("timings"), "timings", f"{at}.timings", problems)
        timings = entry.get("timings", {})
        if any(timings.get(k, 0) < 0 for k in ("send", "wait", "receive")):
            problems.append(f"{at}.timings: send, wait and receive must not be negative")
    return problems


def test_the_checker_finds_what_is_wrong() -> None:
    good = har.export(FIXTURES[:1])
    assert har_problems(good) == []
    broken = json.loads(json.dumps(good))
    entry = broken["log"]["entries"][0]
    entry["response"]["status"] = "200"
    del entry["request"]["queryString"]
    entry["startedDateTime"] = "yesterday"
    entry["extra"] = 1
    assert sorted(p.split(":")[0] for p in har_problems(broken)) == [
        "entries[0]",
        "entries[0].request.queryString",
        "entries[0].response.status",
        "entries[0].startedDateTime",
    ]


# -- export ----------------------------------------------------------------------------------


def _failure() -> store.Fixture:
    base = next(fx for fx in FIXTURES if fx.name == "groups.leave/ok@rest-json")
    error = store.StoredError("ReadError", "[Errno 104] Connection reset by peer")
    draft = dataclasses.replace(
        base, name="groups.leave/reset@rest-json", response=None, error=error
    )
    return dataclasses.replace(draft, expected=draft.decode().expected_view())


def _latin1() -> store.Fixture:
    base = next(fx for fx in FIXTURES if fx.name == "groups.leave/error-1@rest-xml")
    body = (
        '<?xml version="1.0" encoding="iso-8859-1" ?>\n'
        '<rsp stat="fail"><err code="1" msg="Gr\xfcppe"/></rsp>'
    )
    response = store.StoredResponse(
        200, {"content-type": "text/xml; charset=iso-8859-1"}, body.encode("latin-1")
    )
    draft = dataclasses.replace(base, name="latin@rest-xml", response=response)
    return dataclasses.replace(draft, expected=draft.decode().expected_view())


EXTRA = [_failure(), _latin1()]


def test_an_export_of_every_kind_of_fixture_meets_the_spec() -> None:
    exported = har.export([*FIXTURES, *EXTRA])
    assert har_problems(exported) == []
    log = exported["log"]
    assert (log["version"], log["creator"]["name"]) == ("1.2", "flickrwire")
    assert len(log["entries"]) == len(FIXTURES) + 2
    # What mitmproxy's HAR reader needs: a parseable date, a number of milliseconds, and
    # postData.text whenever there is postData.
    for entry in log["entries"]:
        datetime.fromisoformat(entry["startedDateTime"].replace("Z", "+00:00"))
        assert entry["time"] >= 0
        assert "text" in entry["request"].get("postData", {"text": ""})


def _entry(name: str, fixtures: list[store.Fixture] | None = None) -> dict[str, Any]:
    entries = har.export(fixtures or [*FIXTURES, *EXTRA])["log"]["entries"]
    return next(e for e in entries if e["_flickrwire"]["name"] == name)


def test_a_network_failure_exports_as_status_0_with_error() -> None:
    entry = _entry("groups.leave/reset@rest-json")
    response = entry["response"]
    assert (response["status"], response["content"]["size"]) == (0, 0)
    assert response["_error"] == "ReadError: [Errno 104] Connection reset by peer"
    assert entry["_flickrwire"]["error"] == {
        "type": "ReadError",
        "message": "[Errno 104] Connection reset by peer",
    }


def test_a_body_that_is_not_utf8_exports_as_base64() -> None:
    content = _entry("latin@rest-xml")["response"]["content"]
    assert content["encoding"] == "base64"
    assert base64.b64decode(content["text"]) == _latin1().response.body  # type: ignore[union-attr]
    assert content["mimeType"] == "text/xml; charset=iso-8859-1"


def test_a_post_exports_its_form_and_a_get_its_query() -> None:
    post = _entry("groups.leave/error-3@rest-json")["request"]
    assert (
        post["method"] == "POST"
        and post["postData"]["mimeType"] == "application/x-www-form-urlencoded"
    )
    assert "group_id=12345678%40N00" in post["postData"]["text"]
    get = _entry("rest-xml-fail-code100-invalid-api-key")["request"]
    assert get["method"] == "GET" and "postData" not in get
    assert {"name": "api_key", "value": "REDACTED"} in get["queryString"]


def test_dates_and_the_flickrwire_block() -> None:
    real = _entry("rest-xml-fail-code1-required-parameter-missing")  # Wed, 01 May 2024 11:32:06 GMT
    assert real["startedDateTime"] == "2024-05-01T11:32:06.000Z"
    block = _entry("groups.leave/error-115@xmlrpc-json")["_flickrwire"]
    assert block["transport"] == "xmlrpc" and block["codec"] == "json"
    assert block["call"]["method"] == "flickr.groups.leave"
    assert block["expected"]["code"] == 115 and block["provenance"]["kind"] == "documented"
    assert _entry("groups.leave/ok@soap-xml")["startedDateTime"] == har.EPOCH


def test_no_secret_survives_in_a_har_export_of_unredacted_fixtures() -> None:
    base = next(fx for fx in FIXTURES if fx.name == "groups.leave/ok@rest-json")
    request = store.StoredRequest(
        "POST",
        f"https://api.flickr.com/services/rest/?api_key={KEY}",
        {
            "authorization": f'OAuth oauth_token="{TOKEN}", oauth_signature="{SIG}"',
            "cookie": COOKIE,
        },
        f"method=flickr.test.echo&api_sig={SIG}&text=note+{SECRET}".encode(),
    )
    echo = f'{{"api_key":{{"_content":"{KEY}"}},"stat":"ok"}}'.encode()
    response = store.StoredResponse(200, {"set-cookie": f"xb={COOKIE}"}, echo)
    leaky = dataclasses.replace(base, request=request, response=response)
    # By structure alone: every credential in a place that names it is redacted.
    text = json.dumps(har.export([leaky]))
    assert not [s for s in (KEY, TOKEN, SIG, COOKIE) if s in text]
    assert SECRET in text  # inside text=..., nothing says it is a secret
    # With the list of secrets (the command passes the environment's): scrubbed too.
    text = json.dumps(har.export([leaky], secrets=SECRETS))
    assert not [s for s in SECRETS if s in text]
    assert "note+REDACTED" in text


# -- import ----------------------------------------------------------------------------------

CHROME_HAR: dict[str, Any] = {
    "log": {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [{"startedDateTime": "2024-05-01T11:32:05.000Z", "id": "page_1",
                   "title": "https://www.flickr.com/groups/", "pageTimings": {"onLoad": 812}}],
        "entries": [
            {
                "_initiator": {"type": "script", "stack": {"callFrames": []}},
                "_priority": "High",
                "_resourceType": "xhr",
                "cache": {},
                "connection": "443",
                "pageref": "page_1",
                "request": {
                    "method": "POST",
                    "url": "https://api.flickr.com/services/rest/",
                    "httpVersion": "http/2.0",
                    "headers": [
                        {"name": ":authority", "value": "api.flickr.com"},
                        {"name": ":method", "value": "POST"},
                        {"name": "content-type", "value": "application/x-www-form-urlencoded"},
                        {"name": "cookie", "value": f"cookie_session={COOKIE}"},
                    ],
                    "queryString": [],
                    "cookies": [{"name": "cookie_session", "value": COOKIE}],
                    "headersSize": -1,
                    "bodySize": 140,
                    "postData": {
                        "mimeType": "application/x-www-form-urlencoded",
                        "params": [
                            {"name": "method", "value": "flickr.groups.leave"},
                            {"name": "group_id", "value": "30000001@N01"},
                            {"name": "format", "value": "json"},
                            {"name": "nojsoncallback", "value": "1"},
                            {"name": "api_key", "value": KEY},
                            {"name": "auth_token", "value": TOKEN},
                            {"name": "api_sig", "value": SIG},
                        ],
                    },
                },
                "response": {
                    "status": 200,
                    "statusText": "",
                    "httpVersion": "http/2.0",
                    "headers": [
                        {"name": "content-encoding", "value": "gzip"},
                        {"name": "content-type", "value": "application/json"},
                        {"name": "set-cookie", "value": f"xb={COOKIE}; path=/"},
                    ],
                    "cookies": [{"name": "xb", "value": COOKIE}],
                    "content": {
                        "size": 66,
                        "mimeType": "application/json",
                        "compression": -20,
                        "text": '{"stat":"fail","code":3,"message":"Account is not in that group"}',
                    },
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": -1,
                    "_transferSize": 412,
                    "_error": None,
                },
                "serverIPAddress": "203.0.113.7",
                "startedDateTime": "2024-05-01T11:32:06.114Z",
                "time": 93.2,
                "timings": {"blocked": 1.2, "dns": -1, "ssl": -1, "connect": -1, "send": 0.3,
                            "wait": 90.1, "receive": 1.6, "_blocked_queueing": 0.8},
            },
            {
                "cache": {},
                "request": {"method": "GET", "url": "https://live.staticflickr.com/65535/1_a.jpg",
                            "httpVersion": "http/2.0", "headers": [], "queryString": [],
                            "cookies": [], "headersSize": -1, "bodySize": 0},
                "response": {"status": 200, "statusText": "", "httpVersion": "http/2.0",
                             "headers": [], "cookies": [], "redirectURL": "", "headersSize": -1,
                             "bodySize": 10, "content": {"size": 10, "mimeType": "image/jpeg"}},
                "startedDateTime": "2024-05-01T11:32:06.200Z",
                "time": 10,
                "timings": {"send": 0, "wait": 5, "receive": 5},
            },
            {
                "_initiator": {"type": "script"},
                "_resourceType": "xhr",
                "cache": {},
                "request": {
                    "method": "POST",
                    "url": "https://api.flickr.com/services/soap/",
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": "Content-Type", "value": "application/soap+xml"}],
                    "queryString": [],
                    "cookies": [],
                    "headersSize": -1,
                    "bodySize": 300,
                    "postData": {
                        "mimeType": "application/soap+xml",
                        "text": (
                            '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
                            '<s:Body><x:FlickrRequest xmlns:x="urn:flickr">'
                            "<method>flickr.groups.leave</method><group_id>30000001@N01</group_id>"
                            f"<api_key>{KEY}</api_key><auth_token>{TOKEN}</auth_token>"
                            f"<api_sig>{SIG}</api_sig></x:FlickrRequest></s:Body></s:Envelope>"
                        ),
                    },
                },
                "response": {
                    "status": 200,
                    "statusText": "OK",
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": "Content-Type", "value": "text/xml; charset=utf-8"}],
                    "cookies": [],
                    "content": {
                        "size": 200,
                        "mimeType": "text/xml",
                        "text": (
                            '<?xml version="1.0" encoding="utf-8" ?>\n'
                            '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
                            '<s:Body><x:FlickrResponse xmlns:x="urn:flickr"></x:FlickrResponse>'
                            "</s:Body></s:Envelope>"
                        ),
                    },
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": 200,
                },
                "startedDateTime": "2024-05-01T11:32:07.000Z",
                "time": 80,
                "timings": {"send": 0, "wait": 79, "receive": 1},
            },
            {
                "_resourceType": "xhr",
                "cache": {},
                "request": {
                    "method": "POST",
                    "url": "https://api.flickr.com/services/xmlrpc/",
                    "httpVersion": "",
                    "headers": [{"name": "Content-Type", "value": "text/xml"}],
                    "queryString": [],
                    "cookies": [],
                    "headersSize": -1,
                    "bodySize": 120,
                    "postData": {
                        "mimeType": "text/xml",
                        "text": (
                            "<methodCall><methodName>flickr.groups.leave</methodName><params>"
                            "<param><value><struct><member><name>group_id</name><value><string>"
                            "30000001@N01</string></value></member><member><name>api_key</name>"
                            f"<value><string>{KEY}</string></value></member></struct></value>"
                            "</param></params></methodCall>"
                        ),
                    },
                },
                "response": {
                    "status": 0,
                    "statusText": "",
                    "httpVersion": "",
                    "headers": [],
                    "cookies": [],
                    "content": {"size": 0, "mimeType": "x-unknown"},
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": -1,
                    "_transferSize": 0,
                    "_error": "net::ERR_CONNECTION_RESET",
                },
                "startedDateTime": "2024-05-01T11:32:08.000Z",
                "time": 12,
                "timings": {"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0,
                            "wait": 12, "receive": 0},
            },
        ],
    }
}  # fmt: skip


def _write(tmp_path: Path, data: Any, name: str = "chrome.har") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_chrome_har_imports_its_flickr_entries_only(tmp_path: Path) -> None:
    written = har.import_file(_write(tmp_path, CHROME_HAR), tmp_path / "out")
    assert [(fx.transport, fx.codec) for fx in written] == [
        ("rest", "json"),
        ("soap", "xml"),
        ("xmlrpc", "xml"),
    ]
    rest, soap, xmlrpc = written
    assert rest.call == store.FixtureCall(
        "flickr.groups.leave", {"group_id": "30000001@N01"}, "legacy"
    )
    assert (rest.expected["code"], rest.expected["message"]) == (3, "Account is not in that group")
    assert soap.expected["ok"] is True
    assert xmlrpc.response is None and xmlrpc.error == store.StoredError(
        "ReadError", "net::ERR_CONNECTION_RESET"
    )
    assert xmlrpc.expected["origin"] == "network" and xmlrpc.expected["retryable"] is True
    assert rest.provenance.kind == "real"
    assert rest.provenance.source == "HAR file chrome.har (WebInspector 537.36), entry 0"
    assert rest.provenance.recorded == "Wed, 01 May 2024 11:32:06 GMT"
    assert rest.response is not None and "content-encoding" not in rest.response.headers
    assert rest.request is not None and ":authority" not in rest.request.headers
    for fixture in written:  # every written file reads back and replays to its expected
        assert fixture.path is not None
        assert store.load(fixture.path).decode().expected_view() == dict(fixture.expected)


def test_no_secret_survives_a_har_import(tmp_path: Path) -> None:
    har.import_file(_write(tmp_path, CHROME_HAR), tmp_path / "out")
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*.json"))
    assert "REDACTED" in text
    assert not [secret for secret in SECRETS if secret in text]


def test_a_firefox_style_failure_without_error_text(tmp_path: Path) -> None:
    data = json.loads(json.dumps(CHROME_HAR))
    failed = data["log"]["entries"][3]["response"]
    del failed["_error"]
    written = har.import_file(_write(tmp_path, data, "firefox.har"), tmp_path / "out")
    assert written[-1].error == store.StoredError("NetworkError", "no response (HAR status 0)")


@pytest.mark.parametrize(
    ("text", "message"),
    [("not json", "cannot read HAR file"), ('{"log": {}}', "log.entries is missing"),
     (json.dumps({"log": {"entries": [{"request": {"url": BASE + "rest/"},
                                       "response": {"status": "x"}}]}}),
      "HAR entry 0 is malformed")],
)  # fmt: skip
def test_a_file_that_is_not_a_har_log_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.har"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(har.HARError, match=message):
        har.import_file(path, tmp_path / "out")


# -- round trip ------------------------------------------------------------------------------


def test_export_then_import_gives_the_fixtures_back(tmp_path: Path) -> None:
    source = tmp_path / "source"
    for fixture in [*FIXTURES, *EXTRA]:
        store.dump(fixture, source / f"{len(list(source.rglob('*.json'))):03}.json")
    har.export_file(source, tmp_path / "all.har")
    imported = har.import_file(tmp_path / "all.har", tmp_path / "back")
    want = {fx.name: dataclasses.replace(fx, path=None) for fx in [*FIXTURES, *EXTRA]}
    got = {fx.name: dataclasses.replace(fx, path=None) for fx in imported}
    assert got == want


def test_without_the_flickrwire_block_the_decoded_results_survive(tmp_path: Path) -> None:
    """As if a proxy dropped our custom fields: transport, codec and call are inferred."""
    kept = [fx for fx in [*FIXTURES, *EXTRA] if fx.request is not None]
    exported = har.export(kept)
    for entry in exported["log"]["entries"]:
        del entry["_flickrwire"]
    imported = har.import_har(exported)
    assert len(imported) == len(kept)
    for before, after in zip(kept, imported, strict=True):
        assert (after.transport, after.codec) == (before.transport, before.codec), before.name
        assert after.decode().expected_view() == before.decode().expected_view(), before.name
        assert after.error == before.error


def test_a_broken_flickrwire_block_falls_back_to_what_the_entry_shows() -> None:
    fixture = next(fx for fx in FIXTURES if fx.name == "groups.leave/error-3@soap-xml")
    exported = har.export([fixture])
    block = exported["log"]["entries"][0]["_flickrwire"]
    del block["expected"]
    block["name"] = "tampered"
    (imported,) = har.import_har(exported)
    assert imported.name != "tampered" and imported.provenance.kind == "real"
    assert imported.decode().expected_view() == fixture.decode().expected_view()


# -- the commands ------------------------------------------------------------------------


def test_har_export_and_import_commands(tmp_path: Path) -> None:
    target = tmp_path / "fixtures.har"
    result = runner.invoke(app, ["har", "export", str(FIXTURE_DIR), str(target)], env=ENV)
    assert result.exit_code == 0, result.output
    assert f"{len(FIXTURES)} entries written" in result.output
    assert har_problems(json.loads(target.read_text(encoding="utf-8"))) == []
    back = runner.invoke(
        app, ["har", "import", str(_write(tmp_path, CHROME_HAR)), str(tmp_path / "out")], env=ENV
    )
    assert back.exit_code == 0, back.output
    assert "3 fixtures written" in back.output and ": E3" in back.output


def test_har_command_errors(tmp_path: Path) -> None:
    missing = runner.invoke(
        app, ["har", "export", str(tmp_path / "none"), str(tmp_path / "x.har")], env=ENV
    )
    assert missing.exit_code == 2 and "not a folder" in missing.output
    bad = tmp_path / "bad.har"
    bad.write_text("[]", encoding="utf-8")
    refused = runner.invoke(app, ["har", "import", str(bad), str(tmp_path / "out")], env=ENV)
    assert refused.exit_code == 1 and "not a HAR file" in refused.output


def test_har_export_command_scrubs_credentials_from_the_environment(tmp_path: Path) -> None:
    fixture = dataclasses.replace(
        next(fx for fx in FIXTURES if fx.name == "groups.leave/ok@rest-json"),
        response=store.StoredResponse(200, {}, f'{{"stat":"ok","note":"{SECRET}"}}'.encode()),
    )
    store.dump(fixture, tmp_path / "in" / "one.json")
    env = {**ENV, "FLICKR_API_KEY": KEY, "FLICKR_API_SECRET": SECRET}
    result = runner.invoke(
        app, ["har", "export", str(tmp_path / "in"), str(tmp_path / "x.har")], env=env
    )
    assert result.exit_code == 0, result.output
    assert SECRET not in (tmp_path / "x.har").read_text(encoding="utf-8")


def test_har_export_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "kept.har"
    target.write_text("mine\n", encoding="utf-8")
    args = ["har", "export", str(FIXTURE_DIR), str(target)]
    refused = runner.invoke(app, args, env=ENV)
    assert refused.exit_code == 2
    assert refused.output.splitlines() == [f"Error: {target} exists; give --force to overwrite it"]
    assert target.read_text(encoding="utf-8") == "mine\n"
    forced = runner.invoke(app, [*args, "--force"], env=ENV)
    assert forced.exit_code == 0, forced.output
    assert har_problems(json.loads(target.read_text(encoding="utf-8"))) == []


def test_export_file_without_overwrite_leaves_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "kept.har"
    target.write_text("mine\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        har.export_file(FIXTURE_DIR, target, overwrite=False)
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_har_import_again_skips_what_the_folder_holds_and_says_how_many(tmp_path: Path) -> None:
    source, out = _write(tmp_path, CHROME_HAR), tmp_path / "out"
    first = runner.invoke(app, ["har", "import", str(source), str(out)], env=ENV)
    assert first.exit_code == 0, first.output
    files = sorted(out.rglob("*.json"))
    assert len(files) == 3 and "skipped" not in first.output
    again = runner.invoke(app, ["har", "import", str(source), str(out)], env=ENV)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines() == [f"0 fixtures written to {out}; 3 skipped (already there)"]
    assert sorted(out.rglob("*.json")) == files
    # An exchange that differs (another answer to the same call) is not a duplicate.
    changed = json.loads(json.dumps(CHROME_HAR))
    entry = next(e for e in changed["log"]["entries"] if "/services/rest" in e["request"]["url"])
    entry["response"]["content"]["text"] = '{"stat":"ok"}'
    imported = har.import_into(_write(tmp_path, changed, "other.har"), out)
    assert (len(imported.written), len(imported.skipped)) == (1, 2)
