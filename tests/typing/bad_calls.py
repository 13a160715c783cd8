"""A user script with mistakes mypy --strict must report (tests/test_typing.py runs it)."""

from __future__ import annotations

from flickrwire import Client


def mistakes(client: Client) -> None:
    client.grops.leeve()
    client.groups.leave(group_idd="1")
    client.groups.leave()
    client.photos.serch(text="x")
