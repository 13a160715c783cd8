"""The Flickr methods the emulator serves, answering in Flickr's response shapes.

Payloads are in Flickr's JSON shape (attributes as keys, text as ``_content``, repeated
elements as lists); the codecs turn them into XML. Shapes follow the example responses on
each method's page at https://www.flickr.com/services/api/. Every handler runs inside the
request's transaction and raises :class:`~.verify.Failure` for a Flickr error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .store import PERM_LEVELS, Tx
from .verify import Failure, Principal

Payload = dict[str, Any]
Handler = Callable[[Tx, Principal, Mapping[str, str]], Payload]

# The live wording for a missing argument (shared sample
# rest-xml-fail-code1-required-parameter-missing.xml); groups.leave documents its own.
MISSING = "Required parameter missing"
GROUP_NOT_FOUND = "Group not found"
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500
# Flickr's CDN values for a photo or buddy icon we know nothing about.
ICON = {"iconserver": "0", "iconfarm": 0}
FARM = 66
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class Method:
    """One served method: its permission level (0..3) and whether it needs POST."""

    name: str
    perms: int
    post_only: bool
    handler: Handler


METHODS: dict[str, Method] = {}


def method(
    name: str, perms: str = "none", *, post_only: bool = False
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name] = Method(name, PERM_LEVELS[perms], post_only, handler)
        return handler

    return register


def run(spec: Method, tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload | Failure:
    """Call the method; a Flickr error comes back as a value, not an exception, so that
    the transaction still commits what came before (the nonce claim)."""
    try:
        return spec.handler(tx, who, args)
    except Failure as failure:
        return failure


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true")


def _number(value: str | None, default: int, low: int, high: int) -> int:
    text = (value or "").strip()
    if not text.isdigit():
        return default
    return max(low, min(high, int(text)))


def _paging(args: Mapping[str, str]) -> tuple[int, int]:
    """``(page, per_page)``; bad or missing values fall back to Flickr's defaults."""
    per_page = _number(args.get("per_page"), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    page = _number(args.get("page"), 1, 1, 1_000_000)
    return page, per_page


def _listing(page: int, per_page: int, total: int) -> Payload:
    pages = (total + per_page - 1) // per_page
    return {"page": page, "pages": pages, "perpage": per_page, "total": total}


def _group(tx: Tx, args: Mapping[str, str]) -> tuple[str, str, str, int]:
    group_id = args.get("group_id", "").strip()
    if not group_id:
        raise Failure(1, MISSING)
    group = tx.group(group_id)
    if group is None:
        raise Failure(1, GROUP_NOT_FOUND)
    return group


@method("flickr.groups.leave", "delete", post_only=True)
def groups_leave(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    """flickr.groups.leave: errors 1..3 as documented; an empty success."""
    group_id = args.get("group_id", "").strip()
    if not group_id or who.user is None:
        raise Failure(1, "Required arguments missing")
    outcome = tx.leave(who.user, group_id, truthy(args.get("delete_photos")))
    if outcome.status == "no_group":
        raise Failure(2, "Group does not exist")
    if outcome.status == "not_member":
        raise Failure(3, "Account is not in that group")
    return {}


@method("flickr.groups.getInfo")
def groups_get_info(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    group_id, name, description, privacy = _group(tx, args)
    return {
        "group": {
            "id": group_id,
            **ICON,
            "ispoolmoderated": 0,
            "name": {"_content": name},
            "description": {"_content": description},
            "members": {"_content": str(tx.count_members(group_id))},
            "pool_count": {"_content": str(tx.count_pool(group_id))},
            "privacy": {"_content": str(privacy)},
        }
    }


def _membertypes(value: str | None) -> tuple[int, ...]:
    """``membertypes``: comma-separated 2 (member), 3 (moderator), 4 (admin); all by
    default. Unknown entries are ignored."""
    wanted = {int(t) for t in (value or "").replace(" ", "").split(",") if t in ("2", "3", "4")}
    return tuple(sorted(wanted)) or (2, 3, 4)


@method("flickr.groups.members.getList", "read")
def groups_members_get_list(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    group_id = _group(tx, args)[0]
    types = _membertypes(args.get("membertypes"))
    page, per_page = _paging(args)
    total = tx.count_members(group_id, types)
    rows = tx.members(group_id, types, (page - 1) * per_page, per_page)
    members = [
        {"nsid": nsid, "username": username, **ICON, "membertype": str(membertype)}
        for nsid, username, membertype in rows
    ]
    return {"members": {**_listing(page, per_page, total), "member": members}}


@method("flickr.groups.pools.getPhotos")
def groups_pools_get_photos(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    group_id = _group(tx, args)[0]
    owner = args.get("user_id", "").strip() or None
    page, per_page = _paging(args)
    total = tx.count_pool(group_id, owner)
    photos = [
        {
            "id": photo_id,
            "owner": owner_id,
            "secret": secret,
            "server": server,
            "farm": FARM,
            "title": title,
            "ispublic": 1,
            "isfriend": 0,
            "isfamily": 0,
            "ownername": username,
            "dateadded": str(added),
        }
        for photo_id, owner_id, username, title, secret, server, added in tx.pool(
            group_id, owner, (page - 1) * per_page, per_page
        )
    ]
    return {"photos": {**_listing(page, per_page, total), "photo": photos}}


@method("flickr.test.echo")
def test_echo(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    """Every argument back as an element (credentials aside); names that cannot be XML
    element names are left out."""
    payload: Payload = {"method": {"_content": "flickr.test.echo"}}
    for name, value in args.items():
        if name not in ("method", "stat") and _XML_NAME.match(name):
            payload[name] = {"_content": value}
    return payload


@method("flickr.test.login", "read")
def test_login(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    user = tx.user(who.user or "")
    if user is None:
        raise Failure(98, "Invalid auth token")
    return {"user": {"id": user[0], "username": {"_content": user[1]}}}


@method("flickr.test.null", "read")
def test_null(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    """An empty success for any caller with read permission (flickr.test.null page)."""
    return {}
