"""What a user's type checker says about the public API: the README's example passes
``mypy --strict`` (``if result.ok:`` / ``else:`` and ``if result.fault:`` narrow the
fault), and a misspelt client option is an error. One mypy run per file (they are slow)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

import flickrwire as fw

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = Path(__file__).resolve().parent / "typing"


def _mypy(script: str) -> tuple[str, int]:
    config = str(ROOT / "pyproject.toml")
    stdout, stderr, status = api.run(["--config-file", config, str(SCRIPTS / script)])
    assert stderr == "", stderr
    return stdout, status


def test_the_readme_example_passes_mypy_strict() -> None:
    out, status = _mypy("readme_example.py")
    assert status == 0, out
    assert out.startswith("Success: no issues found in 1 source file")


def test_a_misspelt_client_option_fails_mypy_strict() -> None:
    out, status = _mypy("option_typo.py")
    assert status == 1, out
    assert 'Unexpected keyword argument "base_ur" for "Client"' in out
    assert out.count("error:") == 1, out


@pytest.mark.parametrize("client", [fw.Client, fw.AsyncClient])
@pytest.mark.parametrize("option", ["base_ur", "on_retry"])
def test_an_unknown_client_option_is_a_type_error_at_run_time(
    client: type[fw.Client], option: str
) -> None:
    # on_retry is the RetryPolicy's hook: Client(retry=RetryPolicy(on_retry=...)).
    with pytest.raises(TypeError, match=option):
        client(**{option: "https://api.flickr.com/services/"})


def test_the_docstrings_put_on_retry_on_the_policy() -> None:
    assert "RetryPolicy(on_retry=" in (fw.Client.__doc__ or "")
    assert "not of the client" in (fw.RetryPolicy.__doc__ or "")
    assert "raise_for_fault()" in (fw.Fault.__doc__ or "") and "cause" in (fw.Fault.__doc__ or "")
