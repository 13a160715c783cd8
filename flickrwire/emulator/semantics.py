"""More methods with real semantics over the emulator's state: the token check that
clients run on start, joining a group, a user's groups, and a group's URL.

Shapes follow each method's example response on https://www.flickr.com/services/api/;
error codes and messages follow each page's error list.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from .methods import ICON, Payload, method
from .store import ADMIN, PERM_NAMES, Tx
from .verify import Failure, Principal

#: flickr.groups.join's documented errors (catalogue; "availabie" is Flickr's spelling).
GROUP_NOT_FOUND = (2, "Group does not exist")
NOT_AVAILABLE = (3, "Group not availabie to the account")
ALREADY_MEMBER = (4, "Account is already in that group")
INVITATION_ONLY = (5, "Membership in group is by invitation only.")
#: flickr.urls.lookupGroup's and flickr.people.getGroups's errors.
LOOKUP_GROUP_FAILED = (1, "Group not found")
USER_NOT_FOUND = (1, "User not found")
_GROUP_PATH = re.compile(r"^/groups/([^/]+)/?")


@method("flickr.auth.oauth.checkToken")
def auth_oauth_check_token(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    """The token the call was signed with: its permission and its user (the page's
    example). flickrapi's ``token_valid()`` calls this and drops the token on a fault."""
    row = tx.token(who.token) if who.token else None
    user = tx.user(row.user) if row is not None else None
    if row is None or user is None or who.token is None:
        raise Failure(98, "Invalid auth token")
    return {
        "oauth": {
            "token": {"_content": who.token},
            "perms": {"_content": PERM_NAMES[row.perms]},
            "user": {"nsid": user[0], "username": user[1], "fullname": user[2]},
        }
    }


@method("flickr.groups.join", "write", post_only=True)
def groups_join(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    """Join a public group as a plain member; an empty success."""
    group_id = args.get("group_id", "").strip()
    group = tx.group(group_id) if group_id else None
    if group is None:
        raise Failure(*GROUP_NOT_FOUND)
    if group[3] == 1:  # private: not even visible to outsiders
        raise Failure(*NOT_AVAILABLE)
    if group[3] == 2:
        raise Failure(*INVITATION_ONLY)
    member = tx.one(
        "SELECT 1 FROM memberships WHERE group_id = ? AND user_nsid = ?", (group_id, who.user)
    )
    if member is not None:
        raise Failure(*ALREADY_MEMBER)
    tx.run(
        "INSERT INTO memberships (group_id, user_nsid, membertype, joined) VALUES (?, ?, 2, ?)",
        (group_id, who.user, int(time.time())),
    )
    return {}


@method("flickr.people.getGroups", "read")
def people_get_groups(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    """The groups ``user_id`` belongs to, with the caller-independent fields."""
    user = tx.user(args.get("user_id", "").strip())
    if user is None:
        raise Failure(*USER_NOT_FOUND)
    rows = tx.all(
        "SELECT g.id, g.name, g.privacy, m.membertype,"
        " (SELECT COUNT(*) FROM memberships c WHERE c.group_id = g.id),"
        " (SELECT COUNT(*) FROM pool p WHERE p.group_id = g.id)"
        " FROM memberships m JOIN groups g ON g.id = m.group_id"
        " WHERE m.user_nsid = ? ORDER BY g.name, g.id",
        (user[0],),
    )
    groups = [
        {
            "nsid": group_id,
            "name": name,
            **ICON,
            "admin": int(membertype == ADMIN),
            "eighteenplus": 0,
            "invitation_only": int(privacy != 3),
            "members": str(members),
            "pool_count": str(pool),
        }
        for group_id, name, privacy, membertype, members, pool in rows
    ]
    return {"groups": {"group": groups}}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


@method("flickr.urls.lookupGroup")
def urls_lookup_group(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    """A group from its URL, ``https://www.flickr.com/groups/<id or name>/``; the name
    part matches the group's name without spaces or punctuation, case aside."""
    path = urlsplit(args.get("url", "").strip()).path
    match = _GROUP_PATH.match(path)
    if match is None:
        raise Failure(*LOOKUP_GROUP_FAILED)
    wanted = unquote(match.group(1))
    row = tx.one("SELECT id, name FROM groups WHERE id = ?", (wanted,))
    if row is None:
        slug = _slug(wanted)
        rows = tx.all("SELECT id, name FROM groups ORDER BY id")
        row = next((r for r in rows if slug and _slug(r[1]) == slug), None)
    if row is None:
        raise Failure(*LOOKUP_GROUP_FAILED)
    return {"group": {"id": row[0], "groupname": {"_content": row[1]}}}
