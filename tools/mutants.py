"""Single, realistic source mutations of one Python module (for tools/mutation.py).

Each mutant changes one thing a careless edit could change: a comparison (``<`` for ``<=``,
``in`` for ``not in``), ``and`` for ``or``, a dropped ``not``, a negated ``if`` or
``while``, a number off by one, ``True`` for ``False``, a string emptied, ``+`` for ``-``,
a ``return`` of ``None``, a ``raise`` or a call statement removed. The change is spliced
into the original text at the node's position, so the rest of the file is untouched.

Not mutated: docstrings, annotations, f-string pieces, ``__all__``/``__slots__``, strings
of several words (messages, SQL), lines marked ``# pragma: no mutate``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

PRAGMA = "pragma: no mutate"

_COMPARE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BINARY: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.FloorDiv: ast.Mult,
    ast.Div: ast.Mult,
    ast.Mod: ast.FloorDiv,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
}
_SYMBOL = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not", ast.Add: "+",
    ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Div: "/", ast.Mod: "%",
    ast.BitAnd: "&", ast.BitOr: "|", ast.And: "and", ast.Or: "or",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Mutant:
    """One change: where (1-based line), what it does, and the mutated source."""

    path: str
    line: int
    description: str
    source: str

    @property
    def label(self) -> str:
        return f"{self.path}:{self.line}: {self.description}"


def _skipped_nodes(tree: ast.Module) -> set[int]:
    """ids of nodes never mutated: docstrings, annotations, f-string parts, dunder lists."""
    skipped: set[int] = set()

    def skip(node: ast.AST | None) -> None:
        if node is not None:
            skipped.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            skip(first)
        if isinstance(node, ast.arg):
            skip(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            skip(node.returns)
        elif isinstance(node, ast.AnnAssign):
            skip(node.annotation)
        elif isinstance(node, ast.JoinedStr):
            skip(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id in ("__all__", "__slots__") for t in targets):
                skip(node)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip(node)
    return skipped


def _splice(lines: list[str], node: ast.AST, text: str) -> str:
    """The source with ``node``'s span replaced by ``text``."""
    start, end = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
    col, end_col = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
    first, last = lines[start].encode(), lines[end].encode()
    head = first[:col].decode()
    tail = last[end_col:].decode()
    return "".join([*lines[:start], head + text + tail, *lines[end + 1 :]])


def _constant(node: ast.Constant) -> Iterator[tuple[str, str]]:
    value = node.value
    if isinstance(value, bool):
        yield repr(not value), f"{value} -> {not value}"
    elif isinstance(value, int):
        yield repr(value + 1), f"{value} -> {value + 1}"
    elif isinstance(value, (str, bytes)) and value and not value.split():
        pass  # whitespace only: layout
    elif isinstance(value, (str, bytes)) and len(value.split()) == 1:
        # A name, a key, a code, a marker. Prose and SQL (several words) are left alone:
        # emptying them is either caught at once (SQL) or a change of wording.
        yield ('""' if isinstance(value, str) else 'b""'), f"{_short(value)} -> empty"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _expression(node: ast.AST) -> Iterator[tuple[ast.AST, str, str]]:
    """(node to replace, replacement text, description) for an expression node."""
    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            swap = _COMPARE.get(type(op))
            if swap is not None:
                ops = [*node.ops]
                ops[index] = swap()
                new = ast.Compare(node.left, ops, node.comparators)
                yield node, ast.unparse(new), f"{_SYMBOL[type(op)]} -> {_SYMBOL[swap]}"
    elif isinstance(node, ast.BoolOp):
        swap_bool = ast.Or if isinstance(node.op, ast.And) else ast.And
        new_bool = ast.BoolOp(swap_bool(), node.values)
        yield node, ast.unparse(new_bool), f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[swap_bool]}"
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield node, f"({ast.unparse(node.operand)})", "not dropped"
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        swap_op = _BINARY[type(node.op)]
        new_bin = ast.BinOp(node.left, swap_op(), node.right)
        yield node, ast.unparse(new_bin), f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[swap_op]}"
    elif isinstance(node, ast.Constant):
        for text, description in _constant(node):
            yield node, text, description


def _statement(node: ast.AST) -> Iterator[tuple[ast.AST, str, str]]:
    """Mutations of a statement node."""
    if isinstance(node, (ast.If, ast.While)):
        yield node.test, f"not ({ast.unparse(node.test)})", f"{type(node).__name__.lower()} negated"
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield node.value, "None", "return None"
    elif isinstance(node, ast.Raise):
        yield node, "pass", "raise removed"
    elif isinstance(node, ast.Expr) and isinstance(node.value, (ast.Call, ast.Await)):
        yield node, "pass", f"call removed: {_short(ast.unparse(node.value))}"
    elif isinstance(node, ast.AugAssign) and type(node.op) in _BINARY:
        swap = _BINARY[type(node.op)]
        new = ast.AugAssign(node.target, swap(), node.value)
        yield node, ast.unparse(new), f"{_SYMBOL[type(node.op)]}= -> {_SYMBOL[swap]}="


def mutants(path: str, source: str) -> list[Mutant]:
    """Every single mutation of ``source`` that still compiles."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    skipped = _skipped_nodes(tree)
    found: list[Mutant] = []
    for node in ast.walk(tree):
        if id(node) in skipped or not hasattr(node, "lineno"):
            continue
        if PRAGMA in lines[node.lineno - 1]:
            continue
        for target, text, description in (*_expression(node), *_statement(node)):
            mutated = _splice(lines, target, text)
            try:
                compile(mutated, path, "exec")
            except SyntaxError:
                continue
            found.append(Mutant(path, target.lineno, description, mutated))  # type: ignore[attr-defined]
    found.sort(key=lambda m: (m.line, m.description))
    return found
