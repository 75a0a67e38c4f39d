"""Writing spreadsheets from user data without running it as formulas.

A name such as ``=HYPERLINK("http://x","y")`` typed on a profile or in a
roster must reach an export as the text it is. openpyxl turns every string
starting with ``=`` into a formula, and spreadsheet programs also evaluate
cells starting with ``+``, ``-``, ``@``, a tab or a carriage return
(formula or DDE injection). Every export writes its rows through
:func:`append`, which stores such strings as text cells (type ``s``, with
the "quote prefix" style, so the text stays text when the cell is edited);
CSV exports pass their values through :func:`csv_value`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell

#: A cell starting with one of these is a formula to Excel, WPS or LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def workbook(*, write_only: bool = False) -> Workbook:
    """A new workbook (write-only for long lists: rows are streamed, not kept in memory)."""
    return Workbook(write_only=write_only)


def _text_cell(ws, value: str) -> Cell:
    cell = Cell(ws, column=1, row=1, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def append(ws, values: Iterable[Any]) -> None:
    """Append one row; strings that a spreadsheet would evaluate are written as text."""
    row = list(values)
    if not any(is_formula_like(v) for v in row):
        ws.append(row)
        return
    # A write-only sheet reuses the last Cell it was given for the next plain value (with its
    # style), so once a row holds a text cell every value of that row gets a cell of its own.
    ws.append([_text_cell(ws, v) if is_formula_like(v) else (v if v is None else Cell(ws, column=1, row=1, value=v))
               for v in row])


def cell(ws, *, row: int, column: int, value: Any) -> Cell:
    """``ws.cell(row=…, column=…, value=…)`` for a normal worksheet, with the same rule as :func:`append`."""
    target = ws.cell(row=row, column=column, value=value)
    if is_formula_like(value):
        target.data_type = "s"
        target.quotePrefix = True
    return target


def to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_value(value: Any) -> Any:
    """A CSV field that a spreadsheet opens as text: formula-like strings get a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_value(v) for v in values]
