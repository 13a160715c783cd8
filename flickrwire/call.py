"""A Flickr call (method, params, HTTP method) and what we know of each method.

Any method name works with caller-given params. For a method in Flickr's catalogue
(:mod:`flickrwire.catalogue`) a call is checked for its required arguments; the few hints
written here by hand add what the catalogue cannot say: which arguments are booleans and
which payload elements are always lists (so that XML payloads take the same shape as
Flickr's JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = [
    "CREDENTIAL_ARGUMENTS",
    "Call",
    "Hints",
    "MethodSpec",
    "hints",
    "list_paths",
    "spec_for",
    "wire_value",
]


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """What a call needs to know of a method: the catalogue entry plus our hints."""

    name: str
    #: What flickrwire sends: always POST (Flickr takes POST for every method, and a POST
    #: keeps arguments out of URLs and logs). ``post_required`` says whether Flickr insists.
    http_method: str = "POST"
    perms: str = "none"
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    booleans: tuple[str, ...] = ()
    #: Flickr's method-specific errors, code -> documented message.
    errors: Mapping[int, str] = field(default_factory=dict)
    #: Dotted paths (below the payload root) of elements that are always lists.
    list_paths: tuple[str, ...] = ()
    post_required: bool = False


@dataclass(frozen=True, slots=True)
class Hints:
    """Hand-written facts about a method that Flickr's reflection output does not give."""

    booleans: tuple[str, ...] = ()
    list_paths: tuple[str, ...] = ()
    #: Takes any argument besides its documented ones (a dotted call lets them through).
    open_arguments: bool = False


#: Hints by method. flickr.groups.leave: https://www.flickr.com/services/api/
#: flickr.groups.leave.html (shared seed page) documents delete_photos as a flag; the list
#: paths follow each method's documented example response; flickr.test.echo "echo's all
#: parameters back in the response" (its page), so it takes any argument.
HINTS: Mapping[str, Hints] = MappingProxyType(
    {
        "flickr.groups.leave": Hints(booleans=("delete_photos",)),
        "flickr.groups.members.getList": Hints(list_paths=("members.member",)),
        "flickr.groups.pools.getPhotos": Hints(list_paths=("photos.photo",)),
        "flickr.reflection.getMethodInfo": Hints(list_paths=("errors.error", "arguments.argument")),
        "flickr.test.echo": Hints(open_arguments=True),
    }
)
_NO_HINTS = Hints()

#: Arguments the catalogue lists as required that the signer supplies from the credentials
#: (``flickr.auth.oauth.checkToken`` checks the very token the call is signed with): a
#: caller may give them, and is never required to.
CREDENTIAL_ARGUMENTS = frozenset({"api_key", "oauth_token", "auth_token"})
_SPECS: dict[str, MethodSpec | None] = {}


def spec_for(method: str) -> MethodSpec | None:
    """The method's description, None for a method the catalogue does not know."""
    try:
        return _SPECS[method]
    except KeyError:
        pass
    from . import catalogue  # on first use: the import of flickrwire stays light

    entry = catalogue.lookup(method)
    extra = hints(method)
    spec = None
    if entry is not None:
        spec = MethodSpec(
            name=method,
            perms=entry.perms,
            required=tuple(n for n in entry.required if n not in CREDENTIAL_ARGUMENTS),
            optional=entry.optional,
            booleans=extra.booleans,
            errors=MappingProxyType({e.code: e.message for e in entry.errors}),
            list_paths=extra.list_paths,
            post_required=entry.post_required,
        )
    _SPECS[method] = spec
    return spec


def hints(method: str) -> Hints:
    """The hand-written hints for a method (empty ones for most)."""
    return HINTS.get(method, _NO_HINTS)


def list_paths(method: str) -> tuple[str, ...]:
    """The list-valued element paths of a method's payload (hand-written hints only: the
    codecs ask on every decode, and this needs no catalogue load)."""
    return HINTS.get(method, _NO_HINTS).list_paths


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
        wire = {  # a plain str is its own wire value: no call for it
            k: v if type(v) is str else wire_value(v)
            for k, v in (params or {}).items()
            if v is not None
        }
        spec = spec_for(method)
        http_method = "POST"
        if spec is not None:
            for name in spec.required:
                if name not in wire:
                    missing = [name for name in spec.required if name not in wire]
                    raise TypeError(f"{method} requires argument(s): {', '.join(missing)}")
            http_method = spec.http_method
        if cls is not Call:  # a subclass may construct its own way
            return cls(method, wire, http_method)
        # What the dataclass's __init__ does (it sets each field with object.__setattr__),
        # at half the CPU: the slots set through their descriptors.
        call = _new_object(Call)
        _set_method(call, method)
        _set_params(call, wire)
        _set_http_method(call, http_method)
        return call

    @property
    def spec(self) -> MethodSpec | None:
        return spec_for(self.method)


_new_object = object.__new__
#: Call's slot descriptors' setters (a frozen dataclass refuses ``setattr``).
_set_method = Call.__dict__["method"].__set__
_set_params = Call.__dict__["params"].__set__
_set_http_method = Call.__dict__["http_method"].__set__
