"""Tables that keep fixture names readable at any width, piped output included.

rich shrinks every column of a table that is too wide, so at 80 columns (the width of a
pipe or a CI log) a matrix of six narrow result columns squeezed its name column to
nothing, and its ``fold`` overflow broke long names in the middle of a word. Here the
short columns (pairs, outcomes, counts) keep the width their cells need, the rest goes
to the name columns, and a name too long for its column breaks after one of its own
separators (``-``, ``/``, ``.``, ``@``, ...), never inside a word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich import box
from rich.cells import cell_len
from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

#: A name column is never narrower than this, however little room is left.
MIN_NAME_WIDTH = 16
#: A fixed column cut (with an ellipsis) to leave the names their room keeps this much.
MIN_FIXED_WIDTH = 4
#: Where a name may break: after these (``_`` is a letter here: ``group_id`` stays whole).
_PART = re.compile(r"[^-/.@=,&()]*[-/.@=,&()]*")

Cell = str | Text


@dataclass
class Column:
    """One column. A column with a ``floor`` is flexible: it shares the room the fixed
    columns leave (at least ``floor`` cells) and breaks its cells after separators;
    ``name=True`` is a flexible column with the names' floor. Fixed columns keep the
    width their cells need, up to ``max_width`` (longer cells end in an ellipsis)."""

    header: str
    name: bool = False
    floor: int | None = None
    justify: JustifyMethod = "left"
    style: str = ""
    max_width: int | None = None
    cells: list[Cell] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.name and self.floor is None:
            self.floor = MIN_NAME_WIDTH

    def natural_width(self) -> int:
        lines = [*self.header.splitlines(), *(line for c in self.cells for line in _lines(c))]
        width = max((cell_len(line) for line in lines), default=1)
        return width if self.max_width is None else min(width, self.max_width)


def _lines(cell: Cell) -> list[str]:
    return (cell.plain if isinstance(cell, Text) else cell).splitlines() or [""]


def break_name(name: str, width: int) -> list[str]:
    """``name`` in lines of at most ``width`` cells: broken at spaces first, and a word
    too long for a line after one of its separators (a part longer than ``width`` alone
    is cut: there is no better place)."""
    lines: list[str] = []
    for word in name.split(" "):
        for part in _parts(word, width):
            if lines and lines[-1] and cell_len(lines[-1]) + cell_len(part) <= width:
                lines[-1] += part
            else:
                lines.append(part)
        if lines and cell_len(lines[-1]) < width:
            lines[-1] += " "
    return [line.rstrip(" ") for line in lines] or [""]


def _parts(word: str, width: int) -> list[str]:
    """``word`` whole if it fits, else its pieces between separators, each cut to
    ``width``; the caller packs them into lines."""
    if cell_len(word) <= width:
        return [word]
    pieces: list[str] = []
    for part in (p for p in _PART.findall(word) if p):
        while cell_len(part) > width:
            pieces.append(part[:width])
            part = part[width:]
        pieces.append(part)
    return pieces


def _broken(cell: Cell, width: int) -> Text:
    text = cell if isinstance(cell, Text) else Text(cell)
    pieces = [break_name(line, width) for line in text.plain.splitlines() or [""]]
    out = Text("\n".join(line for lines in pieces for line in lines), style=text.style)
    for span in text.spans if all(len(p) == 1 for p in pieces) else ():
        out.stylize(span.style, span.start, span.end)
    return out


def share(room: int, natural: Sequence[int], floors: Sequence[int]) -> list[int]:
    """``room`` cells shared by flexible columns: each its floor, then what is left in
    proportion to what each still wants; none wider than it needs."""
    wants = [max(0, n - f) for n, f in zip(natural, floors, strict=True)]
    left = room - sum(floors)
    if left >= sum(wants):
        return [f + w for f, w in zip(floors, wants, strict=True)]
    left = max(0, left)
    widths = [f + left * w // sum(wants) for f, w in zip(floors, wants, strict=True)]
    spare = room - sum(widths)
    for index, wanted in enumerate(natural):  # the rounding left-overs, first come
        extra = max(0, min(spare, wanted - widths[index]))
        widths[index] += extra
        spare -= extra
    return widths


def _fixed_widths(columns: Sequence[Column], room: int) -> list[int]:
    """The fixed columns' widths, the widest cut first until they fit in ``room``."""
    widths = [c.natural_width() for c in columns]
    while sum(widths) > room and max(widths, default=0) > MIN_FIXED_WIDTH:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    return widths


def widths_for(columns: Sequence[Column], total: int) -> list[int]:
    """Every column's width in a table ``total`` cells wide whose columns stand two cells
    apart (as :func:`fitted` draws them)."""
    flexible = [c for c in columns if c.floor is not None]
    fixed = [c for c in columns if c.floor is None]
    room = total - 2 * (len(columns) - 1)
    floors = [c.floor or 0 for c in flexible]
    natural = [max(c.natural_width(), c.floor or 0) for c in flexible]
    fixed_widths = _fixed_widths(fixed, room - sum(floors))
    shared = share(room - sum(fixed_widths), natural, floors)
    found = dict(zip(map(id, fixed), fixed_widths, strict=True))
    found.update(zip(map(id, flexible), shared, strict=True))
    return [found[id(c)] for c in columns]


def fitted(title: str, columns: Sequence[Column], console: Console) -> Table:
    """A table of ``columns`` that fits ``console.width`` (flexible columns broken as above)."""
    widths = widths_for(columns, console.width)
    table = Table(
        title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True
    )
    for column, width in zip(columns, widths, strict=True):
        table.add_column(
            column.header,
            justify=column.justify,
            style=column.style,
            width=width,
            no_wrap=True,
            overflow="ellipsis",
        )
    rows = max((len(c.cells) for c in columns), default=0)
    for index in range(rows):
        row: list[Cell] = []
        for column, width in zip(columns, widths, strict=True):
            cell = column.cells[index] if index < len(column.cells) else ""
            row.append(_broken(cell, width) if column.floor is not None else cell)
        table.add_row(*row)
    return table
