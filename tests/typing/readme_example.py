"""The README's example as a user writes it: ``mypy --strict`` accepts it as it is."""

from __future__ import annotations

import flickrwire as fw


def show(result: fw.Result) -> str:
    return result.method


def readme(api_key: str, api_secret: str, oauth_token: str, oauth_token_secret: str) -> None:
    creds = fw.Credentials(api_key, api_secret, oauth_token, oauth_token_secret)
    with fw.Client(transport="soap", codec="json", credentials=creds) as client:
        result = client.groups.leave(group_id="12345@N01", delete_photos=True)

    if result.ok:
        print("left")
    else:
        print(result.fault.code, result.fault.message, result.fault.origin, result.fault.retryable)
    result.raise_for_fault()


def leave(creds: fw.Credentials) -> None:
    with fw.Client(transport="soap", codec="json", credentials=creds) as client:
        result = client.call("flickr.groups.leave", group_id="12345@N01")

    if result.ok:
        print("left", dict(result.payload))
    else:
        print(result.fault.code, result.fault.message, result.fault.origin, result.fault.retryable)
    if result.fault:
        print(result.fault.code)
    if not result.ok:
        print(result.fault.message)
    show(result)  # still a Result
    result.raise_for_fault()


async def leave_async(creds: fw.Credentials) -> int | None:
    async with fw.AsyncClient("rest", "xml", creds, base_url="http://127.0.0.1/services/") as c:
        result = await c.call("flickr.groups.leave", group_id="12345@N01")
    return None if result.ok else result.fault.code


def replayed(body: bytes) -> str:
    decoded = fw.decode(body, transport="rest", codec="json")
    return "ok" if decoded.ok else decoded.fault.message


def by_hand() -> fw.Result:
    return fw.Result("flickr.test.null", True, {}, None, "rest", "json", 200)
