"""A Flickr call (method, params, HTTP method) and the catalogue of methods we describe.

Any method name works with caller-given params; the catalogue only adds argument checks,
the HTTP method and permission, and the list hints that make XML payloads take the same
shape as Flickr's JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PERMS = ("none", "read", "write", "delete")


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """What the catalogue knows of one Flickr method: HTTP method, permission, arguments."""

    name: str
    http_method: str = "POST"
    perms: str = "none"
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    booleans: tuple[str, ...] = ()
    #: Flickr's method-specific errors, code -> documented message.
    errors: Mapping[int, str] = field(default_factory=dict)
    #: Dotted paths (below the payload root) of elements that are always lists.
    list_paths: tuple[str, ...] = ()


CATALOGUE: dict[str, MethodSpec] = {}


def register(spec: MethodSpec) -> MethodSpec:
    CATALOGUE[spec.name] = spec
    return spec


# https://www.flickr.com/services/api/flickr.groups.leave.html (shared seed page):
# POST only, 'delete' permission, group_id required, delete_photos optional, errors 1..3.
register(
    MethodSpec(
        name="flickr.groups.leave",
        http_method="POST",
        perms="delete",
        required=("group_id",),
        optional=("delete_photos",),
        booleans=("delete_photos",),
        errors={
            1: "Required arguments missing",
            2: "Group does not exist",
            3: "Account is not in that group",
        },
    )
)
register(MethodSpec(name="flickr.test.echo", http_method="POST"))
register(MethodSpec(name="flickr.test.login", http_method="POST", perms="read"))
register(MethodSpec(name="flickr.test.null", http_method="POST", perms="read"))
register(
    MethodSpec(
        name="flickr.groups.getInfo",
        http_method="POST",
        required=("group_id",),
    )
)
register(
    MethodSpec(
        name="flickr.groups.members.getList",
        http_method="POST",
        perms="read",
        required=("group_id",),
        optional=("membertypes", "per_page", "page"),
        list_paths=("members.member",),
    )
)
register(
    MethodSpec(
        name="flickr.groups.pools.getPhotos",
        http_method="POST",
        required=("group_id",),
        optional=("user_id", "per_page", "page"),
        list_paths=("photos.photo",),
    )
)
register(
    MethodSpec(
        name="flickr.reflection.getMethodInfo",
        http_method="POST",
        required=("method_name",),
        list_paths=("errors.error", "arguments.argument"),
    )
)


def spec_for(method: str) -> MethodSpec | None:
    return CATALOGUE.get(method)


def list_paths(method: str) -> tuple[str, ...]:
    spec = CATALOGUE.get(method)
    return spec.list_paths if spec is not None else ()


def wire_value(value: Any) -> str:
    """A Python value as Flickr expects it on the wire: booleans as ``1``/``0``."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return ",".join(wire_value(v) for v in value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Call:
    """One Flickr API call: the method, its arguments as wire strings, the HTTP method."""

    method: str
    params: Mapping[str, str] = field(default_factory=dict)
    http_method: str = "POST"

    @classmethod
    def build(cls, method: str, params: Mapping[str, Any] | None = None) -> Call:
        """A call checked against the catalogue; raises ``TypeError`` for caller mistakes."""
        if not method or not isinstance(method, str):
            raise TypeError("method must be a non-empty string")
        wire = {k: wire_value(v) for k, v in (params or {}).items() if v is not None}
        spec = CATALOGUE.get(method)
        if spec is None:
            return cls(method, wire, "POST")
        missing = [name for name in spec.required if name not in wire]
        if missing:
            raise TypeError(f"{method} requires argument(s): {', '.join(missing)}")
        return cls(method, wire, spec.http_method)

    @property
    def spec(self) -> MethodSpec | None:
        return CATALOGUE.get(self.method)
