"""``escape`` is RFC 5849's percent-encoding (``quote`` with only ``~`` safe beside the
unreserved set), whatever route the text takes through it."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given, strategies as st

from flickrwire import Credentials, Signer
from flickrwire.auth.signing import authorization_header, escape, oauth_params

# Text a signer may meet, no lone surrogates; ASCII alone too, to reach the ASCII routes often.
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)))
ASCII_TEXT = st.text(st.characters(max_codepoint=127))


@given(text=ANY_TEXT | ASCII_TEXT)
def test_escape_is_quote_with_only_tilde_safe(text: str) -> None:
    assert escape(text) == quote(text.encode("utf-8"), safe="~")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("abcXYZ019", "abcXYZ019"),
        ("flickr.groups.leave", "flickr.groups.leave"),
        ("a-b_c.d~e", "a-b_c.d~e"),
        ("34427469792@N01", "34427469792%40N01"),
        ("a b+c/d=", "a%20b%2Bc%2Fd%3D"),
        ("caf\u00e9", "caf%C3%A9"),
        ("", ""),
    ],
)
def test_escape_examples(text: str, escaped: str) -> None:
    assert escape(text) == escaped


@pytest.mark.parametrize("value", [5, 1.5, None, b"bytes"])
def test_escape_refuses_what_is_not_text_with_a_type_error(value: object) -> None:
    with pytest.raises(TypeError):
        escape(value)  # type: ignore[arg-type]


def test_names_sharing_a_prefix_sort_as_the_pure_functions_sort_them() -> None:
    """The base string sorts pairs by name then value: a name that is a prefix of another
    must come first, whatever character follows it there ('-', '.', digits and '%' sort
    before the '=' that joins a pair)."""
    creds = Credentials("key", "secret", "token", "token secret")
    params = {"a.b": "1", "a": "2", "a-b": "3", "a b": "4", "a0": "5", "ab": "6", "a~": "7"}
    url = "https://api.flickr.com/services/rest/"
    header = Signer(creds, "oauth", nonce=lambda: "n", clock=lambda: 1).sign(
        "POST", url, dict(params), in_header=True
    )
    oauth = oauth_params(creds, "POST", url, params, nonce="n", timestamp=1)
    assert header == authorization_header(oauth)
