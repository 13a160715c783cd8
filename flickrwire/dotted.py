"""Dotted calls: ``client.photos.search(tags="cat")`` for every method in the catalogue.

At run time an attribute walk builds the method name and checks it against
:mod:`flickrwire.catalogue`: an unknown name raises ``AttributeError``, an unknown argument
``TypeError`` (``client.call()`` still sends any name and any argument). For type checkers
the generated stub ``_api.pyi`` types every method's keyword arguments and its return:
``Result`` on :class:`~flickrwire.Client`, an awaitable ``Result`` on ``AsyncClient``.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from .call import Call, hints

__all__ = ["AsyncMethods", "SyncMethods"]


@cache
def _children(prefix: str) -> tuple[str, ...]:
    """The names one level below ``prefix`` (``groups``, ``photos``, ... below ``flickr``)."""
    from . import catalogue  # on first use: the import of flickrwire stays light

    start = prefix + "."
    found = {
        name[len(start) :].split(".", 1)[0]
        for name in (*catalogue.names(), *catalogue.namespaces())
        if name.startswith(start)
    }
    return tuple(sorted(found))


@lru_cache(maxsize=1024)
def _kind(name: str) -> type[Namespace] | type[Method] | None:
    """What a dotted name is in the catalogue (which does not change once loaded)."""
    from . import catalogue

    if catalogue.lookup(name) is not None:
        return Method
    if name in catalogue.namespaces():
        return Namespace
    return None


@lru_cache(maxsize=1024)
def _accepts(name: str) -> tuple[frozenset[str], bool]:
    """A method's argument names, and whether its hints let it take others."""
    from . import catalogue

    return catalogue.method(name).argument_names, hints(name).open_arguments


def _resolve(client: Any, prefix: str, part: str) -> Namespace | Method:
    if part.startswith("_"):
        raise AttributeError(part)
    name = f"{prefix}.{part}"
    kind = _kind(name)
    if kind is not None:
        return kind(client, name)
    import difflib  # only on the error path: keeps the import of flickrwire light

    close = difflib.get_close_matches(part, _children(prefix), n=3)
    hint = f"; did you mean {', '.join(f'{prefix}.{c}' for c in close)}?" if close else ""
    raise AttributeError(
        f"Flickr's catalogue has no method or namespace {name}{hint} "
        f"(client.call({name!r}, ...) sends any method name)"
    )


def _kept(owner: object, part: str, found: Namespace | Method) -> Namespace | Method:
    """``found``, kept as ``owner``'s attribute ``part`` (when ``owner`` has a ``__dict__``):
    the next ``owner.part`` is a plain attribute read, without ``__getattr__`` and the
    catalogue lookup (``client.groups.leave`` took about 3 us, now a tenth of that;
    issue 11). The catalogue does not change once loaded, so the kept object stays right.
    """
    kept: dict[str, Any] | None = getattr(owner, "__dict__", None)
    if kept is not None:  # None: a subclass with __slots__ only
        kept[part] = found
    return found


class Namespace:
    """``client.groups``: a level of dotted names; its attributes are methods or levels
    (kept in its ``__dict__`` once looked up)."""

    def __init__(self, client: Any, name: str) -> None:
        self._client = client
        self._name = name

    def __getattr__(self, part: str) -> Namespace | Method:
        return _kept(self, part, _resolve(self._client, self._name, part))

    def __dir__(self) -> list[str]:
        return list(_children(self._name))

    def __repr__(self) -> str:
        return f"<flickr namespace {self._name}>"


class Method:
    """``client.groups.leave``: calling it checks the arguments, then sends the call."""

    __slots__ = ("_client", "_name", "_names", "_open")

    def __init__(self, client: Any, name: str) -> None:
        self._client = client
        self._name = name
        self._names, self._open = _accepts(name)

    def __call__(self, **params: Any) -> Any:
        if not self._open and not self._names.issuperset(params):
            raise TypeError(self._unknown(sorted(params.keys() - self._names)))
        # Checked here, before a coroutine exists: AsyncClient raises at once too.
        return self._client.send(Call.build(self._name, params))

    def _unknown(self, unknown: list[str]) -> str:
        import difflib

        from . import catalogue

        known = sorted(catalogue.method(self._name).argument_names)
        guesses = [g for name in unknown for g in difflib.get_close_matches(name, known, n=1)]
        hint = f"; did you mean {', '.join(guesses)}?" if guesses else ""
        return (
            f"{self._name}() got unknown argument(s) {', '.join(unknown)}{hint} "
            f"(it takes: {', '.join(known) or 'none'})"
        )

    def __repr__(self) -> str:
        return f"<flickr method {self._name}>"


if TYPE_CHECKING:
    from collections.abc import Coroutine

    from ._api import Flickr
    from .result import TypedResult

    # TypedResult: a Result that narrows on ``if result.ok:`` for a type checker.
    class SyncMethods(Flickr[TypedResult]):
        """``client.groups.leave(group_id=...) -> Result``."""

    class AsyncMethods(Flickr[Coroutine[Any, Any, TypedResult]]):
        """``await client.groups.leave(group_id=...) -> Result``."""

else:

    class _Dotted:
        """The run-time side: attribute access walks the catalogue from ``flickr``."""

        __slots__ = ()

        def __getattr__(self, part: str) -> Namespace | Method:
            return _kept(self, part, _resolve(self, "flickr", part))

        def __getstate__(self) -> dict[str, Any]:
            """What a copy (or a pickle) takes: not the dotted names kept, which call
            this client, not the copy."""
            kept = (Namespace, Method)
            return {k: v for k, v in vars(self).items() if not isinstance(v, kept)}

        def __dir__(self) -> list[str]:
            return sorted({*super().__dir__(), *_children("flickr")})

    SyncMethods = AsyncMethods = _Dotted
