"""Reading ``multipart/form-data`` request bodies (RFC 7578 over RFC 2046 section 5.1).

Node's flickr-sdk 7 sends every POST this way: each parameter, ``oauth_*`` included, is a
field without a ``filename``, and its OAuth signature covers every such field. A part with
a ``filename`` is a file (Flickr's upload API signs everything but the ``photo`` file), so
it is no parameter. The reader is strict: any body that is not a complete, well-formed
multipart body raises :class:`FormDataError`, so the server never guesses at a field.
Every search is a ``bytes.find`` from the current position: time stays linear in the body.
"""

from __future__ import annotations

import re

#: RFC 2046 section 5.1.1: 1 to 70 characters from this set, not ending in a space.
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
#: One ``; name=value`` parameter of a header; a quoted value allows backslash escapes.
_PARAM = re.compile(r';[ \t]*([^\s=;"]+)[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|[^;\s"]*)[ \t]*')
_QUOTED_PAIR = re.compile(r"\\(.)")
#: More header lines than any form field has: a part with more is refused.
MAX_PART_HEADERS = 16


class FormDataError(ValueError):
    """A ``multipart/form-data`` body that cannot be read."""


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """``form-data; name="a"`` -> ``("form-data", {"name": "a"})``; names lower-cased.

    A parameter given twice is refused: two ``name`` values would name two fields.
    """
    first, sep, rest = value.partition(";")
    params: dict[str, str] = {}
    tail = sep + rest
    position = 0
    while position < len(tail):
        match = _PARAM.match(tail, position)
        if match is None:
            raise FormDataError(f"cannot read the header parameters {tail[position:][:40]!r}")
        name, raw = match.group(1).lower(), match.group(2)
        if name in params:
            raise FormDataError(f"header parameter {name!r} given twice")
        params[name] = _QUOTED_PAIR.sub(r"\1", raw[1:-1]) if raw.startswith('"') else raw
        position = match.end()
    return first.strip().lower(), params


def boundary_of(content_type: str) -> bytes:
    """The boundary named by a ``multipart/form-data`` content type."""
    _, params = header_params(content_type)
    boundary = params.get("boundary", "")
    if not _BOUNDARY.fullmatch(boundary):
        raise FormDataError("multipart/form-data without a valid boundary parameter")
    return boundary.encode("ascii")


def _part_headers(head: bytes) -> dict[str, str]:
    lines = head.split(b"\r\n")
    if len(lines) > MAX_PART_HEADERS:
        raise FormDataError("a part has too many header lines")
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise FormDataError("a part has a malformed header line")
        key = name.decode("ascii", "replace").lower()
        if key in headers:
            raise FormDataError(f"a part has two {key} headers")
        headers[key] = value.decode("utf-8", "replace").strip()
    return headers


def _field(part: bytes) -> tuple[str, str] | None:
    """One part as ``(name, value)``; None for a file part."""
    head, blank, content = part.partition(b"\r\n\r\n")
    if not blank or not head or part.startswith(b"\r\n"):
        raise FormDataError("a part without headers and a blank line after them")
    headers = _part_headers(head)
    disposition, params = header_params(headers.get("content-disposition", ""))
    if disposition != "form-data" or "name" not in params:
        raise FormDataError("a part without Content-Disposition: form-data; name=...")
    if "filename" in params or "filename*" in params:
        return None
    try:
        return params["name"], content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormDataError(f"field {params['name']!r} is not UTF-8 text") from exc


def read_multipart(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """The non-file fields of a ``multipart/form-data`` body, in order."""
    delimiter = b"--" + boundary_of(content_type)
    # The preamble before the first delimiter is ignored (RFC 2046 section 5.1.1).
    if body.startswith(delimiter):
        position = len(delimiter)
    else:
        found = body.find(b"\r\n" + delimiter)
        if found < 0:
            raise FormDataError("the body has no multipart boundary")
        position = found + 2 + len(delimiter)
    fields: list[tuple[str, str]] = []
    separator = b"\r\n" + delimiter
    while True:
        if body.startswith(b"--", position):
            return fields  # the close delimiter; the epilogue is ignored
        line_end = body.find(b"\r\n", position)
        if line_end < 0 or body[position:line_end].strip(b" \t"):
            raise FormDataError("a multipart boundary is not followed by a line break")
        start = line_end + 2
        end = body.find(separator, start)
        if end < 0:
            raise FormDataError("the multipart body ends without its closing boundary")
        field = _field(body[start:end])
        if field is not None:
            fields.append(field)
        position = end + len(separator)
