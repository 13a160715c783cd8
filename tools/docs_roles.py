"""A griffe extension for the documentation site: Sphinx roles in docstrings as links.

The package's docstrings name other objects the Sphinx way (``:class:`Result```,
``:func:`~flickrwire.errors.exception_class```). mkdocstrings renders Markdown, where
such a role would show as literal text; this extension rewrites each role into a
mkdocs-autorefs link to the object's page, or into plain code when the name does not
resolve to a documented flickrwire object. It only changes what the site shows.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|exc|obj):`(~?)([\w.]+)`")


def _resolve(obj: griffe.Object, name: str) -> str | None:
    """The full path ``name`` means in ``obj``'s scope, or None."""
    if name.startswith("."):  # relative to the module's package: `.record`
        package = obj.module if obj.is_module else obj.module.parent
        base = obj.module.path if obj.module.is_package else getattr(package, "path", "")
        return f"{base}{name}" if base else None
    if name.startswith("flickrwire."):
        return name
    try:
        return obj.resolve(name.split(".", 1)[0]) + (
            "." + name.split(".", 1)[1] if "." in name else ""
        )
    except (griffe.NameResolutionError, ValueError, AttributeError):
        return None


def _documented(package: griffe.Object, path: str) -> bool:
    """Whether ``path`` names an object with a docstring (one the site renders)."""
    try:
        target = package.modules_collection[path]  # type: ignore[index]
    except (KeyError, AttributeError):
        return False
    while isinstance(target, griffe.Alias):
        try:
            target = target.final_target
        except griffe.AliasResolutionError:
            return False
    return bool(target.docstring) and not any(part.startswith("_") for part in path.split("."))


def _rewrite(package: griffe.Object, obj: griffe.Object) -> None:
    docstring = obj.docstring
    if docstring is None or ":`" not in docstring.value:
        return

    def link(match: re.Match[str]) -> str:
        short, name = match.group(1) == "~", match.group(2)
        shown = name.rsplit(".", 1)[-1] if short else name.lstrip(".")
        path = _resolve(obj, name)
        if path and path.startswith("flickrwire") and _documented(package, path):
            return f"[`{shown}`][{path}]"
        return f"`{shown}`"

    docstring.value = _ROLE.sub(link, docstring.value)


def _walk(package: griffe.Object, obj: griffe.Object) -> None:
    _rewrite(package, obj)
    for member in obj.members.values():
        if not member.is_alias:
            _walk(package, member)  # type: ignore[arg-type]


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles once the whole package is loaded (names resolve then)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        _walk(pkg, pkg)
