"""The pytest plugin: loaded through its ``pytest11`` entry point, ``flickr_emulator``
fresh per test, the session variant shared, fault injection, and ``flickr_cassette``
recording and replaying under ``--flickr-record-mode``."""

from __future__ import annotations

from importlib import metadata

import flickrapi
import pytest

from flickrwire import Client
from flickrwire.bridges.emulated import EmulatorHandle
from flickrwire.bridges.requests import intercept

from .conftest import GROUP

pytest_plugins = ["pytester"]
INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"

FRESH_STATE = """
import flickrwire

def leave(emulator):
    with flickrwire.Client("rest", "json", emulator.credentials("bob"),
                           base_url=emulator.base_url) as client:
        return client.groups.leave(group_id="30000001@N01")

def test_first(flickr_emulator):
    assert leave(flickr_emulator).ok

def test_second_sees_a_fresh_state(flickr_emulator, flickr_emulator_session):
    assert flickr_emulator.base_url == flickr_emulator_session.base_url
    assert leave(flickr_emulator).ok
    assert leave(flickr_emulator).fault.code == 3
"""

CASSETTE = """
import flickrapi, httpx
from flickrwire.bridges.requests import intercept

def test_echo(flickr_cassette, flickr_emulator_session):
    emulator = flickr_emulator_session
    key = emulator.key_only()
    sent = []
    inner = None
    if flickr_cassette.mode == "none":
        inner = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(500))
    with intercept(target=emulator.base_url, credentials=key, inner=inner,
                   **flickr_cassette.options):
        client = flickrapi.FlickrAPI(key.api_key, key.api_secret, store_token=False,
                                     format="parsed-json")
        answer = client.test.echo(name="c")
    assert answer["name"]["_content"] == "c"
    assert sent == []
"""


def test_the_plugin_is_registered_as_pytest11() -> None:
    found = [e for e in metadata.entry_points(group="pytest11") if e.name == "flickrwire"]
    assert [e.value for e in found] == ["flickrwire.bridges.pytest_plugin"]


def test_flickr_emulator_is_fresh_for_each_test(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_fresh=FRESH_STATE)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_flickr_cassette_records_then_replays(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_cassette=CASSETTE)
    folder = pytester.path / "cassettes" / "test_cassette" / "test_echo"
    # Default mode none and no cassette: the call is refused, nothing is sent.
    first = pytester.runpytest("-p", "no:cacheprovider")
    first.assert_outcomes(failed=1)
    first.stdout.fnmatch_lines(["*UnmatchedRequestError*flickr.test.echo*"])
    recorded = pytester.runpytest("-p", "no:cacheprovider", "--flickr-record-mode=once")
    recorded.assert_outcomes(passed=1)
    assert len(list(folder.rglob("*.json"))) == 1
    replayed = pytester.runpytest("-p", "no:cacheprovider")
    replayed.assert_outcomes(passed=1)


def test_fault_injection(emulator: EmulatorHandle) -> None:
    emulator.add_faults(
        {"method": "flickr.test.echo", "action": "error", "params": {"code": 105}, "count": 1}
    )
    key = emulator.key_only()
    client = flickrapi.FlickrAPI(key.api_key, key.api_secret, store_token=False, format="etree")
    with intercept(target=emulator.base_url, credentials=key):
        with pytest.raises(flickrapi.FlickrError) as raised:
            client.test.echo()
        assert client.test.echo().attrib["stat"] == "ok"
    assert raised.value.code == 105
    assert emulator.request_count(method="flickr.test.echo") == 2
    assert emulator.requests(faulted=True)[0].method == "flickr.test.echo"


def test_reset_puts_state_log_and_faults_back(emulator: EmulatorHandle) -> None:
    emulator.add_faults({"method": "*", "action": "error", "params": {"code": 106}})
    with Client("soap", "json", emulator.credentials("bob"), base_url=emulator.base_url) as c:
        assert c.groups.leave(group_id=GROUP).fault.code == 106  # type: ignore[union-attr]
        emulator.reset()
        assert emulator.request_count() == 0
        assert c.groups.leave(group_id=GROUP).ok
        assert c.groups.leave(group_id=GROUP).fault.code == 3  # type: ignore[union-attr]


def test_credentials_by_username_and_permission(emulator: EmulatorHandle) -> None:
    assert emulator.credentials("erin").oauth_token != emulator.credentials("bob").oauth_token
    with pytest.raises(KeyError, match="no live token"):
        emulator.credentials("erin", "delete")
    with pytest.raises(KeyError, match="no seeded user"):
        emulator.credentials("mallory")
