"""``flickrwire call`` and ``flickrwire auth`` through typer's CliRunner: printed Results,
exit codes, ``-v`` exchanges with no secret in them, usage errors, where credentials come
from, and the whole three-legged flow against the in-process emulator."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
import pytest
import typer
from starlette.applications import Starlette
from typer.testing import CliRunner, Result

from flickrwire import Credentials, transports
from flickrwire.auth.oauth import Profile, load_profile, read_profiles, save_profile
from flickrwire.commands import Runtime
from flickrwire.commands.auth import auth
from flickrwire.commands.call import call
from flickrwire.emulator import DEFAULT_SEED, create_app
from flickrwire.emulator.inprocess import EmulatorTransport

app = typer.Typer()
app.command("call")(call)
app.command("auth")(auth)


@app.callback()
def _root() -> None:
    """Test app: the two commands as the lead registers them."""


runner = CliRunner()
EMULATOR = "http://127.0.0.1/services/"
GROUP = "30000001@N01"
PAIRS = [(t, c) for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml")]
CREDENTIAL_VARS = (
    "FLICKR_API_KEY",
    "FLICKR_API_SECRET",
    "FLICKR_OAUTH_TOKEN",
    "FLICKR_OAUTH_TOKEN_SECRET",
    "XDG_CONFIG_HOME",
)


def seeded(username: str) -> Credentials:
    """The emulator's app key and ``username``'s seeded token."""
    nsid = next(u["nsid"] for u in DEFAULT_SEED["users"] if u["username"] == username)
    token = next(t for t in DEFAULT_SEED["tokens"] if t["user"] == nsid and not t["revoked"])
    key = DEFAULT_SEED["api_keys"][0]
    return Credentials(key["key"], key["secret"], token["token"], token["secret"])


def env_for(credentials: Credentials | None, config: Path) -> dict[str, str | None]:
    """Environment for one run: the credentials file in ``config``, FLICKR_* as given."""
    env: dict[str, str | None] = dict.fromkeys(CREDENTIAL_VARS)
    env.update({"FLICKRWIRE_CONFIG": str(config), "COLUMNS": "200", "NO_COLOR": "1"})
    if credentials is not None:
        env["FLICKR_API_KEY"] = credentials.api_key
        env["FLICKR_API_SECRET"] = credentials.api_secret
        env["FLICKR_OAUTH_TOKEN"] = credentials.oauth_token
        env["FLICKR_OAUTH_TOKEN_SECRET"] = credentials.oauth_token_secret
    return env


def secrets_of(credentials: Credentials) -> list[str]:
    values = [credentials.api_key, credentials.api_secret]
    return values + [v for v in (credentials.oauth_token, credentials.oauth_token_secret) if v]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "flickrwire" / "credentials.json"


@pytest.fixture
def emulator() -> Iterator[Starlette]:
    emulated = create_app()
    yield emulated
    emulated.state.emulator.close()


@pytest.fixture
def on_emulator(emulator: Starlette) -> Runtime:
    return Runtime(http_client=lambda timeout: httpx.Client(transport=EmulatorTransport(emulator)))


def run(args: list[str], runtime: Runtime, env: dict[str, str | None], **kw: Any) -> Result:
    return runner.invoke(app, args, obj=runtime, env=env, **kw)


def row(output: str, name: str) -> str:
    """The value printed beside ``name`` in the Result grid."""
    found = re.search(rf"^{re.escape(name)}\s{{2,}}(.*?)\s*$", output, re.MULTILINE)
    assert found is not None, output
    return found.group(1)


class Recorder:
    """A MockTransport handler that keeps every request and answers ``body`` as JSON."""

    def __init__(self, body: dict[str, Any] | None = None, status: int = 200) -> None:
        self.requests: list[httpx.Request] = []
        self.body = body if body is not None else {"stat": "ok"}
        self.status = status

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json=self.body)

    def runtime(self) -> Runtime:
        return Runtime(
            http_client=lambda timeout: httpx.Client(transport=httpx.MockTransport(self.handler))
        )


# -- flickrwire call ------------------------------------------------------------------------


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
def test_call_prints_an_ok_result_and_exits_0(
    transport: str, codec: str, on_emulator: Runtime, config: Path
) -> None:
    args = ["call", "flickr.test.login", "-t", transport, "-c", codec, "--base-url", EMULATOR]
    result = run(args, on_emulator, env_for(seeded("bob"), config))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert (row(out, "result"), row(out, "method")) == ("ok", "flickr.test.login")
    assert (row(out, "via"), row(out, "HTTP status")) == (f"{transport}/{codec}", "200")
    assert "├── id: 10000002@N01" in out and "└── username: bob" in out


def test_call_prints_a_fault_and_exits_1(on_emulator: Runtime, config: Path) -> None:
    args = ["call", "flickr.groups.leave", "group_id=404@N01", "--base-url", EMULATOR, "-t", "soap"]
    result = run(args, on_emulator, env_for(seeded("bob"), config))
    assert result.exit_code == 1
    out = result.stdout
    assert (row(out, "result"), row(out, "code"), row(out, "message")) == (
        "fault",
        "2",
        "Group does not exist",
    )
    assert (row(out, "origin"), row(out, "retryable"), row(out, "HTTP status")) == (
        "api",
        "no",
        "200",
    )
    assert "payload: (empty)" in out


def test_call_json_prints_the_result_as_one_object(on_emulator: Runtime, config: Path) -> None:
    args = ["call", "flickr.groups.leave", "group_id=404@N01", "--base-url", EMULATOR, "--json"]
    result = run(args, on_emulator, env_for(seeded("bob"), config))
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "method": "flickr.groups.leave",
        "ok": False,
        "transport": "rest",
        "codec": "json",
        "http_status": 200,
        "fault": {
            "code": 2,
            "message": "Group does not exist",
            "origin": "api",
            "retryable": False,
        },
        "payload": {},
    }


def test_unchecked_sends_a_call_the_catalogue_would_refuse(
    on_emulator: Runtime, config: Path
) -> None:
    args = ["call", "flickr.groups.leave", "--unchecked", "--base-url", EMULATOR, "--json"]
    result = run(args, on_emulator, env_for(seeded("bob"), config))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["fault"]["code"] == 1


def test_network_failure_is_a_fault_with_no_http_status(config: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    runtime = Runtime(
        http_client=lambda timeout: httpx.Client(transport=httpx.MockTransport(refuse))
    )
    result = run(["call", "flickr.test.null", "-v"], runtime, env_for(seeded("bob"), config))
    assert result.exit_code == 1
    assert row(result.stdout, "origin") == "network"
    assert row(result.stdout, "HTTP status") == "none (no response)"
    assert "< (no response)" in result.stderr


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
@pytest.mark.parametrize("signing", ["oauth", "legacy"])
def test_verbose_shows_both_exchanges_with_every_secret_redacted(
    transport: str, signing: str, config: Path
) -> None:
    credentials = Credentials("vkey-5a1f0e", "vsecret-88c2", "vtoken-19de", "vtsecret-4b70")
    # flickr.test.echo echoes its arguments, api_key included, on Flickr.
    echo = {"stat": "ok", "api_key": {"_content": credentials.api_key}, "x": {"_content": "1"}}
    recorder = Recorder(echo)
    args = ["call", "flickr.test.echo", "x=1", "-v", "-t", transport, "--signing", signing]
    result = run(args, recorder.runtime(), env_for(credentials, config))
    assert result.exit_code == 0, result.output
    [sent] = recorder.requests
    params = dict(transports.get(transport).parse_request(sent).params)
    header = sent.headers.get("authorization", "")
    params.update((k, unquote(v)) for k, v in re.findall(r'(\w+)="([^"]*)"', header))
    volatile = [params[k] for k in ("oauth_signature", "oauth_nonce", "api_sig") if k in params]
    assert len(volatile) == (2 if signing == "oauth" else 1), params  # as sent on the wire
    shown = result.stdout + result.stderr
    leaked = [v for v in [*secrets_of(credentials), *volatile] if v in shown]
    assert leaked == []
    assert f"> POST https://api.flickr.com/services/{transports.get(transport).path}" in shown
    assert "REDACTED" in result.stderr and "< HTTP/1.1 200 OK" in result.stderr
    assert "method" in result.stderr and "flickr.test.echo" in result.stderr
    assert "api_key: REDACTED" in result.stdout and "x: 1" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["flickr.test.echo", "novalue"], "'novalue' is not key=value"),
        (["flickr.test.echo", "=v"], "'=v' is not key=value"),
        (["flickr.test.echo", "a=1", "a=2"], "'a' is given twice"),
        (["flickr.groups.leave"], "requires argument(s): group_id"),
        (["flickr.test.null", "-t", "carrier-pigeon"], "unknown transport 'carrier-pigeon'"),
        (["flickr.test.null", "-c", "yaml"], "'yaml' is not one of"),
        (["flickr.test.null", "--base-url", "http://example.com/"], "only for loopback hosts"),
        (["flickr.test.null", "--signing", "oauth"], "'oauth' signing needs credentials"),
    ],
)
def test_usage_errors_exit_2_and_send_nothing(args: list[str], message: str, config: Path) -> None:
    recorder = Recorder()
    result = run(["call", *args], recorder.runtime(), env_for(None, config))
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())
    assert recorder.requests == []


def test_credentials_come_from_profile_env_or_explicit_profile(
    on_emulator: Runtime, config: Path
) -> None:
    bob, carol, dave = seeded("bob"), seeded("carol"), seeded("dave")
    for name, creds in (("default", bob), ("work", carol)):
        save_profile(name, Profile(*secrets_of(creds), base_url=EMULATOR), config)
    login = ["call", "flickr.test.login", "--json"]

    def who(args: list[str], credentials: Credentials | None) -> str:
        result = run(args, on_emulator, env_for(credentials, config))
        assert result.exit_code == 0, result.output
        return str(json.loads(result.stdout)["payload"]["user"]["username"]["_content"])

    assert who(login, None) == "bob"  # the default profile, its base URL too
    assert who([*login, "--base-url", EMULATOR], dave) == "dave"  # environment over default
    assert who([*login, "--profile", "work"], dave) == "carol"  # explicit profile over env


def test_a_shared_credentials_file_or_missing_profile_is_a_usage_error(
    on_emulator: Runtime, config: Path
) -> None:
    save_profile("default", Profile(*secrets_of(seeded("bob"))), config)
    result = run(
        ["call", "flickr.test.null", "--profile", "nope"], on_emulator, env_for(None, config)
    )
    assert result.exit_code == 2
    assert "no such profile: profile 'nope'" in result.stderr
    config.chmod(0o644)
    result = run(["call", "flickr.test.null"], on_emulator, env_for(None, config))
    assert result.exit_code == 2
    assert "readable by other users (mode 0644)" in result.stderr
    assert stat.S_IMODE(config.stat().st_mode) == 0o644


def test_half_a_token_in_the_environment_is_a_usage_error(config: Path) -> None:
    env = env_for(seeded("bob"), config)
    env["FLICKR_OAUTH_TOKEN_SECRET"] = None
    result = run(["call", "flickr.test.null"], Recorder().runtime(), env)
    assert result.exit_code == 2
    assert "FLICKR_OAUTH_TOKEN and FLICKR_OAUTH_TOKEN_SECRET go together" in result.stderr


# -- flickrwire auth against a fake Flickr --------------------------------------------------

CONSUMER = Credentials("auth-app-key-61c0", "auth-app-secret-d2e9")
REQUEST_ANSWER = b"oauth_callback_confirmed=true&oauth_token=rt-7a0b&oauth_token_secret=rts-3c4d"
ACCESS_ANSWER = (
    b"fullname=Fay%20Fake&oauth_token=at-5e6f&oauth_token_secret=ats-7a8b"
    b"&user_nsid=12345678%40N00&username=fayfake"
)
VERIFIER = "123-456-789"


def fake_flickr(request: httpx.Request) -> httpx.Response:
    """Request and access token endpoints that want the app's key and a fixed verifier
    (the signatures themselves are checked in test_oauth.py and by the emulator below)."""
    params = dict(parse_qsl(request.url.query.decode()))
    step = request.url.path.rsplit("/", 1)[-1]
    if params.get("oauth_consumer_key") != CONSUMER.api_key:
        return httpx.Response(401, content=b"oauth_problem=consumer_key_unknown")
    if step == "request_token":
        return httpx.Response(200, content=REQUEST_ANSWER)
    if params.get("oauth_verifier") != VERIFIER or params.get("oauth_token") != "rt-7a0b":
        return httpx.Response(401, content=b"oauth_problem=verifier_invalid")
    return httpx.Response(200, content=ACCESS_ANSWER)


FAKE = Runtime(http_client=lambda timeout: httpx.Client(transport=httpx.MockTransport(fake_flickr)))
STORED = ["at-5e6f", "ats-7a8b", CONSUMER.api_secret]


def test_auth_prompts_for_the_verifier_and_stores_the_token_0600(config: Path) -> None:
    env = env_for(CONSUMER, config) | {
        "FLICKR_OAUTH_TOKEN": None,
        "FLICKR_OAUTH_TOKEN_SECRET": None,
    }
    result = run(["auth"], FAKE, env, input=f"{VERIFIER}\n")
    assert result.exit_code == 0, result.output
    url = "https://www.flickr.com/services/oauth/authorize?oauth_token=rt-7a0b&perms=delete"
    assert url in result.stdout.splitlines()
    assert f"Authorized fayfake (12345678@N00); token saved to profile 'default' in {config}" in (
        result.stdout
    )
    assert [s for s in STORED if s in result.output] == []
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert load_profile("default", config) == Profile(
        CONSUMER.api_key, CONSUMER.api_secret, "at-5e6f", "ats-7a8b", "12345678@N00", "fayfake"
    )


def test_auth_prompts_for_missing_keys(config: Path) -> None:
    typed = f"{CONSUMER.api_key}\n{CONSUMER.api_secret}\n{VERIFIER}\n"
    result = run(
        ["auth", "--perms", "read", "--profile", "me"], FAKE, env_for(None, config), input=typed
    )
    assert result.exit_code == 0, result.output
    assert "perms=read" in result.stdout
    assert CONSUMER.api_secret not in result.output  # typed with hidden input
    assert load_profile("me", config).username == "fayfake"


def test_auth_refused_exits_1_and_writes_nothing(config: Path) -> None:
    args = ["auth", "--api-key", "someone-else", "--api-secret", "s"]
    result = run(args, FAKE, env_for(None, config))
    assert result.exit_code == 1
    assert (
        "authorization failed: request_token refused (100): oauth_problem=consumer_key_unknown"
        in (result.stderr)
    )
    assert not config.exists()


def test_a_wrong_verifier_exits_1_and_keeps_the_old_profile(config: Path) -> None:
    old = Profile(CONSUMER.api_key, CONSUMER.api_secret, "old-token", "old-secret")
    save_profile("default", old, config)
    result = run(["auth"], FAKE, env_for(None, config), input="000-000-000\n")
    assert result.exit_code == 1
    assert "access_token refused: oauth_problem=verifier_invalid" in result.stderr
    assert load_profile("default", config) == old


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--verifier", "1"], "no authorization in progress for profile 'default'"),
        (["--start-only", "--verifier", "1"], "give --start-only or --verifier, not both"),
        (["--perms", "admin"], "'admin' is not one of"),
        (["--base-url", "http://www.flickr.com/services"], "only for loopback hosts"),
        (["--api-base-url", "ftp://api.flickr.com/"], "base URL must be https://"),
    ],
)
def test_auth_usage_errors_exit_2(args: list[str], message: str, config: Path) -> None:
    result = run(["auth", *args], FAKE, env_for(CONSUMER, config))
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())


def test_auth_repairs_a_shared_credentials_file(config: Path) -> None:
    save_profile("other", Profile("k", "s"), config)
    config.chmod(0o644)
    result = run(["auth"], FAKE, env_for(CONSUMER, config), input=f"{VERIFIER}\n")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert set(read_profiles(config)) == {"default", "other"}


@pytest.mark.parametrize(
    ("args", "env_config", "hint"),
    [
        ([], False, "flickrwire auth --verifier CODE"),
        (
            ["--base-url", "http://127.0.0.1:8080/services", "--api-base-url", "http://[::1]/s/"],
            False,
            "flickrwire auth --base-url http://127.0.0.1:8080/services "
            "--api-base-url 'http://[::1]/s/' --verifier CODE",  # quoted for the shell
        ),
        (["--profile", "my test", "--perms", "read"], True, "flickrwire auth --profile 'my test'"),
        (["--config", "{config}"], False, "flickrwire auth --config {config} --verifier CODE"),
    ],
)
def test_start_only_hint_repeats_what_the_second_step_needs(
    args: list[str], env_config: bool, hint: str, config: Path
) -> None:
    env = env_for(CONSUMER, config)
    if not env_config:
        env["FLICKRWIRE_CONFIG"] = None
        env["XDG_CONFIG_HOME"] = str(config.parent.parent)
    args = [a.replace("{config}", str(config)) for a in args]
    result = run(["auth", "--start-only", *args], FAKE, env)
    assert result.exit_code == 0, result.output
    said = [line for line in result.stdout.splitlines() if line.startswith("Then run: ")]
    assert len(said) == 1
    assert said[0].startswith("Then run: " + hint.replace("{config}", str(config)))


# -- the whole flow against the emulator ----------------------------------------------------


def approve(emulator: Starlette, output: str, user: str) -> str:
    """Play the user on the emulator's authorize page; return the verifier it shows."""
    url = next(line for line in output.splitlines() if "/oauth/authorize?" in line)
    with httpx.Client(transport=EmulatorTransport(emulator)) as http:
        page = http.get(f"{url}&user={user}")
    assert page.status_code == 200, page.text
    return dict(parse_qsl(page.text))["oauth_verifier"]


@pytest.fixture
def authorize(
    emulator: Starlette, on_emulator: Runtime, config: Path
) -> Callable[[str, str], Result]:
    """``authorize(user, perms)``: ``auth --start-only``, approve, ``auth --verifier``."""
    env = env_for(seeded("bob"), config)
    env["FLICKR_OAUTH_TOKEN"] = env["FLICKR_OAUTH_TOKEN_SECRET"] = None
    base = ["auth", "--base-url", EMULATOR.rstrip("/")]

    def flow(user: str, perms: str) -> Result:
        started = run([*base, "--start-only", "--perms", perms], on_emulator, env)
        assert started.exit_code == 0, started.output
        hint = f"Then run: flickrwire auth --base-url {EMULATOR.rstrip('/')} --verifier CODE"
        assert hint in started.stdout.splitlines()
        pending = load_profile("default", config).pending
        assert pending is not None and urlsplit(EMULATOR).hostname == "127.0.0.1"
        verifier = approve(emulator, started.stdout, user)
        return run([*base, "--verifier", verifier], on_emulator, env)

    return flow


def test_three_legged_flow_on_the_emulator_then_call_with_the_stored_token(
    authorize: Callable[[str, str], Result], on_emulator: Runtime, config: Path
) -> None:
    finished = authorize("dave", "delete")
    assert finished.exit_code == 0, finished.output
    assert "Authorized dave (10000004@N01)" in finished.stdout
    stored = load_profile("default", config)
    assert (stored.pending, stored.user_nsid, stored.base_url) == (None, "10000004@N01", EMULATOR)
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stored.oauth_token and stored.oauth_token not in finished.output

    login = run(["call", "flickr.test.login", "-t", "xmlrpc"], on_emulator, env_for(None, config))
    assert login.exit_code == 0, login.output
    assert "└── username: dave" in login.stdout
    leave = ["call", "flickr.groups.leave", f"group_id={GROUP}", "-t", "soap", "-c", "xml"]
    left = run(leave, on_emulator, env_for(None, config))
    assert (left.exit_code, row(left.stdout, "result")) == (0, "ok")  # perms=delete granted


def test_a_read_token_from_the_emulator_cannot_leave(
    authorize: Callable[[str, str], Result], on_emulator: Runtime, config: Path
) -> None:
    assert authorize("bob", "read").exit_code == 0
    leave = ["call", "flickr.groups.leave", f"group_id={GROUP}", "--json"]
    result = run(leave, on_emulator, env_for(None, config))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["fault"]["code"] == 99
