"""The package's import graph has no circles (imports under TYPE_CHECKING aside)."""

from __future__ import annotations

import ast
from pathlib import Path

import flickrwire

ROOT = Path(flickrwire.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, modules: set[str]) -> set[str]:
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                continue
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join([*base, node.module] if node.module else base)
                else:
                    target = node.module or ""
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in modules else target)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit([child])

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    # A package importing its own submodules, and a submodule its parent package's
    # __init__ implicitly, are not circles in the sense that matters here.
    return {m for m in found if m in modules and m != name and not name.startswith(m + ".")}


def _graph() -> dict[str, set[str]]:
    paths = sorted(ROOT.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    return {_module_name(p): _imports(p, modules) for p in paths}


def test_no_import_circles() -> None:
    graph = _graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)
    assert cycles == []


def test_the_wire_core_imports_nothing_above_it() -> None:
    graph = _graph()
    core = {"flickrwire.result", "flickrwire.errors", "flickrwire.call", "flickrwire.xmlsafe"}
    core |= {"flickrwire.decoding", "flickrwire.codecs", "flickrwire.codecs.json"}
    core |= {"flickrwire.codecs.xml", "flickrwire.catalogue"}
    for module in sorted(core):
        assert graph[module] <= core, module


def test_decode_knows_every_envelope_without_importing_the_transports_itself() -> None:
    source = (ROOT / "decoding.py").read_text(encoding="utf-8")
    assert "transports" not in {
        part
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
        for part in (node.module or "").split(".")
    }
    body = b"<methodResponse><params><param><value><string>&lt;user id=&quot;1&quot;/&gt;"
    body += b"</string></value></param></params></methodResponse>"
    result = flickrwire.decode(body, transport="xmlrpc", codec="xml")
    assert result.ok and result.payload == {"user": {"id": "1"}}
