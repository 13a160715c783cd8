"""The README and the documentation pages: links that resolve, the two commands, the example.

The site itself is built by ``mkdocs build --strict`` in CI (``.ci/run``), not here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = sorted([README, *DOCS.rglob("*.md")])

#: The README's first lines: the main job and the tests, on a fresh machine.
COMMANDS = (
    "pip install -e '.[all]' && flickrwire conformance",
    "pip install -e '.[dev]' && python -m pytest",
)

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _prose(text: str) -> str:
    """Markdown without code blocks and code spans, where link syntax is only text."""
    return _CODE.sub("", _FENCE.sub("", text))


def _relative_links(page: Path) -> list[str]:
    targets = _LINK.findall(_prose(page.read_text(encoding="utf-8")))
    return [t for t in targets if not _EXTERNAL.match(t) and not t.startswith("#")]


def _name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def test_the_pages_are_found() -> None:
    names = {_name(p) for p in PAGES}
    assert {"README.md", "docs/index.md", "docs/result.md", "docs/reference/index.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_relative_links_point_to_existing_files(page: Path) -> None:
    broken = []
    for target in _relative_links(page):
        path = target.split("#", 1)[0].split("?", 1)[0]
        resolved = (page.parent / path).resolve()
        if not path or not resolved.exists():
            broken.append(target)
        elif ROOT not in resolved.parents:
            broken.append(f"{target} (outside the repository)")
    assert broken == [], f"{_name(page)}: broken links {broken}"


def test_the_link_finder_sees_links_and_skips_code() -> None:
    text = "see [a](a.md#x) and ![i](img.png), `[not](code.md)`, [web](https://x.test)\n"
    text += "```\n[fenced](fenced.md)\n```\n"
    found = _LINK.findall(_prose(text))
    assert found == ["a.md#x", "img.png", "https://x.test"]


def _first_code_block(text: str) -> list[str]:
    match = re.search(r"^```[a-z]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert match is not None, "no code block"
    return match.group(1).splitlines()


def _command(line: str) -> str:
    return line.split("#", 1)[0].strip()


def test_readme_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    before, _, _ = text.partition("```")
    assert before.strip() == "# flickrwire", "nothing but the title before the commands"
    assert tuple(_command(line) for line in _first_code_block(text)) == COMMANDS


def test_ci_runs_what_the_two_commands_run() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    ran = [line.strip() for line in ci]
    assert any(line.startswith("python -m pip install") and "'.[dev]'" in line for line in ran)
    assert "flickrwire conformance" in ran
    assert any(line.startswith("python -m pytest") for line in ran)
    # ".[dev]" must bring in everything ".[all]" has, so CI's one install covers both.
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    extras = re.search(r'^dev = \[\s*"flickrwire\[([\w,]+)\]"', pyproject, re.MULTILINE)
    assert extras is not None
    assert {"cli", "server"} <= set(extras.group(1).split(","))


def test_the_guide_quotes_the_same_two_commands() -> None:
    for page in ("getting-started.md", "development.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        lines = [_command(line) for line in text.splitlines()]
        for command in COMMANDS:
            assert command in lines, f"docs/{page} lacks {command!r}"


def test_readme_example_runs_as_printed(capsys: pytest.CaptureFixture[str]) -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert len(blocks) == 2, "the README has two Python examples: a call, and a bridge"
    exec(compile(blocks[0], "README.md", "exec"), {"__name__": "readme_example"})
    printed = capsys.readouterr().out.splitlines()
    assert printed == ["left the group", "refused: 3 Account is not in that group"]
    exec(compile(blocks[1], "README.md", "exec"), {"__name__": "readme_bridge"})
    assert capsys.readouterr().out.splitlines() == ["ok"]
    assert "`refused: 3 Account is not in that group`" in text.replace("\n", " ")
