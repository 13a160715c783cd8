"""What the clients do that their other tests leave open (found by mutation testing)."""

from __future__ import annotations

import sys

import pytest

from flickrwire import client as clientmod


def test_without_httpxs_decoder_table_the_codings_httpx_always_had_are_undone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # httpx keeps the codings it can undo in a private table; an httpx without it must
    # still count gzip and deflate as undone (and refuse the rest, br included), so that
    # a compressed answer is read, not refused, and no other is read as the answer itself.
    monkeypatch.setitem(sys.modules, "httpx._decoders", None)  # its import now fails
    assert clientmod._httpx_codings() == frozenset({"identity", "gzip", "deflate"})
