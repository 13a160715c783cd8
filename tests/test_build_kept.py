"""Building a request keeps what repeats (issue 11): the form of a set of params, kept, is
the form ``urlencode`` writes; ``Call.build`` still names every missing argument."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from flickrwire import Call
from flickrwire.transports import base
from flickrwire.transports.base import form_encode


def test_a_kept_form_is_the_form_of_its_params() -> None:
    params = {"method": "flickr.groups.leave", "group_id": "1@N01", "text": "a b+c&d"}
    first = form_encode(params)
    assert first == urlencode(params).encode()
    assert form_encode(dict(params)) is first  # kept
    turned = dict(reversed(params.items()))
    assert form_encode(turned) == urlencode(turned).encode() != first
    other = {**params, "group_id": "2@N01"}
    assert form_encode(other) == urlencode(other).encode()


def test_kept_forms_start_again_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_FORMS", {})
    monkeypatch.setattr(base, "_FORMS_KEPT", 3)
    sizes = []
    for i in range(7):
        params = {"group_id": str(i)}
        assert form_encode(params) == urlencode(params).encode()
        sizes.append(len(base._FORMS))
    assert sizes == [1, 2, 3, 1, 2, 3, 1]  # full at 3, then started again
    assert list(base._FORMS) == [(("group_id", "6"),)]


def test_a_form_with_values_that_are_not_strings_is_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(base, "_FORMS", {})
    odd = {"n": 3, "list": ["a", "b"]}
    assert form_encode(odd) == urlencode(odd).encode()  # type: ignore[arg-type]
    assert form_encode({"n": 3}) == b"n=3"  # type: ignore[dict-item]
    assert base._FORMS == {}


@pytest.mark.parametrize("name", ["api_sig", "oauth_signature", "oauth_nonce", "oauth_timestamp"])
def test_a_form_carrying_a_signature_nonce_or_timestamp_is_not_kept(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "_FORMS", {})
    params = {"method": "flickr.groups.leave", "group_id": "1@N01", name: "c2ln+/="}
    assert form_encode(params) == form_encode(params) == urlencode(params).encode()
    assert base._FORMS == {}


def test_every_missing_argument_is_named_in_order() -> None:
    with pytest.raises(TypeError, match=r"addTags requires argument\(s\): photo_id, tags$"):
        Call.build("flickr.photos.addTags", {})
    with pytest.raises(TypeError, match=r"addTags requires argument\(s\): tags$"):
        Call.build("flickr.photos.addTags", {"photo_id": "1", "tags": None})
    with pytest.raises(TypeError, match=r"addTags requires argument\(s\): photo_id$"):
        Call.build("flickr.photos.addTags", {"tags": "x"})
    call = Call.build("flickr.photos.addTags", {"tags": "x", "photo_id": 5})
    assert dict(call.params) == {"tags": "x", "photo_id": "5"}


@pytest.mark.parametrize(("size", "kept"), [(2047, True), (2048, True), (2049, False)])
def test_only_short_forms_are_kept(monkeypatch: pytest.MonkeyPatch, size: int, kept: bool) -> None:
    monkeypatch.setattr(base, "_FORMS", {})
    params = {"d": "x" * (size - 2)}  # "d=" and the text: `size` bytes
    form = form_encode(params)
    assert len(form) == size and form == urlencode(params).encode()
    assert (tuple(params.items()) in base._FORMS) is kept
