"""A user script that mypy --strict must accept (tests/test_typing.py runs it)."""

from __future__ import annotations

from flickrwire import AsyncClient, Client, Result


def leave(client: Client) -> Result:
    result = client.groups.leave(group_id="1")
    reveal_type(result)  # noqa: F821 - revealed by mypy, never run
    return client.groups.leave(group_id="1", delete_photos=True)


def search(client: Client) -> bool:
    found = client.photos.search(tags=["cat", "dog"], per_page=5, extras="url_o")
    members = client.groups.members.getList(group_id="1", page=2)
    echo = client.test.echo(anything="goes")
    return found.ok and members.ok and echo.ok


async def leave_async(client: AsyncClient) -> Result:
    result = await client.groups.leave(group_id="1")
    reveal_type(result)  # noqa: F821 - revealed by mypy, never run
    return result
