"""Text that is safe to show: bytes and control characters as printable escapes.

A garbage status line reaches us inside an httpx error as ``bytearray(b'\\x93...')``,
and a reason phrase or an error page's title may hold control characters (an ESC
sequence would repaint the terminal that prints it). Messages made from such text show
the bytes as escapes between double quotes, and every other character that does not
print as ``\\xNN`` / ``\\uNNNN``; ordinary text, non-ASCII letters included, is kept.
"""

from __future__ import annotations

import ast
import re

#: A Python bytes repr, bare or inside ``bytearray(...)``, as exception messages carry it.
_BYTES_REPR = re.compile(r"""(?:bytearray\()?b('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\)?""")


def escape_bytes(data: bytes) -> str:
    """``data`` as text: printable ASCII kept, every other byte as ``\\xNN``."""
    return "".join(
        chr(byte) if 0x20 <= byte < 0x7F and byte != 0x5C else f"\\x{byte:02x}" for byte in data
    )


def _escape_char(char: str) -> str:
    if char.isprintable() or char == " ":
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with bytes reprs shown as ``"escaped bytes"`` and non-printing characters
    escaped (newlines and tabs included: a message is one line)."""

    def unwrap(match: re.Match[str]) -> str:
        try:
            data = ast.literal_eval("b" + match.group(1))
        except (ValueError, SyntaxError):
            return match.group(0)
        return f'"{escape_bytes(data)}"'

    return "".join(_escape_char(c) for c in _BYTES_REPR.sub(unwrap, text))
