"""Which HTTP client an ``AsyncClient`` makes for itself: aiohttp's transport (when
installed) unless a proxy variable is set, which only httpx's own pool honours."""

from __future__ import annotations

import httpx
import pytest

from flickrwire.client import default_async_http

pytest.importorskip("aiohttp", reason="the aiohttp transport needs flickrwire[fast]")

from flickrwire.aio import AiohttpClient

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARIABLES, "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.mark.parametrize("variable", PROXY_VARIABLES)
def test_any_one_proxy_variable_keeps_httpxs_pool(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "http://127.0.0.1:9/")
    http = default_async_http(5.0)
    assert type(http) is httpx.AsyncClient
    assert http.timeout == httpx.Timeout(5.0)


def test_no_proxy_alone_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "localhost")
    assert isinstance(default_async_http(5.0), AiohttpClient)
