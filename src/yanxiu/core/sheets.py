"""Reading uploaded spreadsheets, bounded: the one reader every importer uses.

A spreadsheet is hostile input. A 1.7 KB xlsx with one cell at XFD1048576
makes a dense reader build a grid of 17 billion cells; a small zip can inflate
to gigabytes. So before any sheet is loaded:

- the file's size is checked against ``max_bytes``;
- for zip formats (xlsx, xlsm, ods) every member's *actual* inflated size is
  measured while inflating in bounded steps (declared sizes can lie), against
  ``max_uncompressed`` in total and ``max_ratio`` per member: a zip bomb is
  refused before it is inflated past the ceiling;
- the extent of each sheet (the last row and column holding a value, which is
  what the reader allocates) is found by streaming its XML (xlsx, ods) or its
  cell records (xls) and checked against ``max_rows`` x ``max_columns`` and
  ``max_cells`` (their product, what the reader's grid costs).

Only then is the sheet read with python-calamine, one row at a time. CSV is
decoded as UTF-8 (with or without BOM) or GBK/GB18030, its lines bounded by
``max_line`` characters and its rows and columns by the same ceilings.

Every refusal is a :class:`SheetError` with a Chinese message for the user.
The bounds live in :func:`limits`, overridable in settings
(``YANXIU_IMPORT_MAX_MB``, ``YANXIU_IMPORT_MAX_ROWS``, ``YANXIU_IMPORT_MAX_COLUMNS``, ``YANXIU_IMPORT_MAX_CELLS``,
``YANXIU_IMPORT_MAX_UNCOMPRESSED_MB``, ``YANXIU_IMPORT_MAX_RATIO``).

Header rows are matched by :func:`find_header`, shared by every importer:
columns are known by a label and aliases, compared after normalisation
(NFKC, no spaces, no trailing note in brackets or required-mark), in any
order, below any number of title rows within the first ``search_rows``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _

__all__ = [
    "Limits",
    "limits",
    "SheetError",
    "Sheet",
    "read_sheets",
    "SUPPORTED_EXTENSIONS",
    "Column",
    "Header",
    "HeaderProblem",
    "find_header",
    "header_key",
]

SUPPORTED_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
_ZIP_FORMATS = (".xlsx", ".xlsm", ".ods")
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * MB  # the file as uploaded
    max_rows: int = 60_000  # rows of a sheet, title and blank rows included
    max_columns: int = 200
    max_cells: int = 3_000_000  # rows x columns of a sheet's extent: what the reader allocates (about 100 MB)
    max_uncompressed: int = 300 * MB  # all members of an xlsx/ods together, inflated
    max_ratio: int = 200  # inflated / compressed, per member larger than 1 MB inflated
    max_members: int = 2_000
    max_line: int = 100_000  # characters in one CSV line


def limits() -> Limits:
    """The bounds in force: the defaults above unless settings say otherwise."""
    base = Limits()
    return Limits(
        max_bytes=int(getattr(settings, "YANXIU_IMPORT_MAX_MB", base.max_bytes // MB)) * MB,
        max_rows=int(getattr(settings, "YANXIU_IMPORT_MAX_ROWS", base.max_rows)),
        max_columns=int(getattr(settings, "YANXIU_IMPORT_MAX_COLUMNS", base.max_columns)),
        max_cells=int(getattr(settings, "YANXIU_IMPORT_MAX_CELLS", base.max_cells)),
        max_uncompressed=int(getattr(settings, "YANXIU_IMPORT_MAX_UNCOMPRESSED_MB", base.max_uncompressed // MB)) * MB,
        max_ratio=int(getattr(settings, "YANXIU_IMPORT_MAX_RATIO", base.max_ratio)),
        max_members=base.max_members,
        max_line=base.max_line,
    )


def check_upload(upload) -> None:
    """An uploaded spreadsheet's type and size, before anything reads it: every import form asks this.
    Raises ``ValidationError`` with the Chinese reason."""
    from django.core.exceptions import ValidationError

    if not (upload.name or "").lower().endswith(SUPPORTED_EXTENSIONS):
        raise ValidationError(_("不支持的文件类型：请上传 .xlsx、.xls、.ods 或 .csv 文件。"))
    bound = limits().max_bytes
    if upload.size > bound:
        raise ValidationError(_("文件过大（超过 %(mb)d MB）。") % {"mb": bound // MB})


class SheetError(Exception):
    """The file cannot (or must not) be read; the message is for the user."""


@dataclass
class Sheet:
    name: str
    rows: Iterator[list[object]]  # row i is spreadsheet row i + 1; each row starts at column A


# --- Entry point ----------------------------------------------------------------


def read_sheets(file_name: str, data: bytes, *, bounds: Limits | None = None) -> Iterator[Sheet]:
    """Yield the visible worksheets of the file in order, each read row by row.

    Raises ``SheetError`` (before reading anything, where it can be known
    then) when the file is of an unsupported type, empty, unreadable or beyond
    the bounds.
    """
    bounds = bounds or limits()
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise SheetError(
            _("不支持的文件类型“%(suffix)s”，请上传 Excel（.xlsx/.xls）、WPS/LibreOffice（.ods）或 CSV 文件。")
            % {"suffix": suffix or file_name}
        )
    if not data:
        raise SheetError(_("文件是空的。"))
    if len(data) > bounds.max_bytes:
        raise SheetError(
            _("文件过大（%(size)s MB），导入文件最大 %(limit)d MB。请删除多余的工作表、图片和空行，或拆分成几个文件。")
            % {"size": f"{len(data) / MB:.1f}", "limit": bounds.max_bytes // MB}
        )
    if suffix == ".csv":
        yield Sheet(name="", rows=_csv_rows(data, bounds))
        return
    if suffix in _ZIP_FORMATS:
        extents = _zip_extents(data, suffix, bounds)
    else:
        extents = _xls_extents(data, bounds)
    yield from _calamine_sheets(data, suffix, extents, bounds)


def _too_large(name: str, rows: int, columns: int, far: str, bounds: Limits) -> SheetError:
    where = _("工作表“%(name)s”") % {"name": name} if name else _("工作表")
    if rows <= bounds.max_rows and columns <= bounds.max_columns:
        return SheetError(
            _(
                "%(where)s的内容范围达 %(rows)d 行 × %(columns)d 列（共 %(cells)d 个单元格，最远的单元格是 %(far)s），"
                "超过导入上限 %(max_cells)d 个单元格。请删除表格下方和右侧多余的内容（或只把数据复制到新工作表）后重新上传。"
            )
            % {"where": where, "rows": rows, "columns": columns, "cells": rows * columns, "far": far, "max_cells": bounds.max_cells}
        )
    return SheetError(
        _(
            "%(where)s的内容范围达 %(rows)d 行 × %(columns)d 列（最远的单元格是 %(far)s），超过导入上限 "
            "%(max_rows)d 行 × %(max_columns)d 列。请删除表格下方和右侧多余的内容（或只把数据复制到新工作表）后重新上传。"
        )
        % {
            "where": where,
            "rows": rows,
            "columns": columns,
            "far": far,
            "max_rows": bounds.max_rows,
            "max_columns": bounds.max_columns,
        }
    )


def _unreadable(detail: str, suffix: str) -> SheetError:
    return SheetError(
        _("无法读取该文件（%(detail)s）。请确认文件没有损坏、没有加密，并且确实是 %(suffix)s 格式。")
        % {"detail": detail, "suffix": suffix}
    )


def column_letters(index: int) -> str:
    """1 -> A, 16384 -> XFD."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check_extent(name: str, rows: int, columns: int, bounds: Limits) -> None:
    if rows > bounds.max_rows or columns > bounds.max_columns or rows * columns > bounds.max_cells:
        raise _too_large(name, rows, columns, f"{column_letters(columns)}{rows}", bounds)


# --- Zip formats: bounded inflation -------------------------------------------------

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CHUNK = 256 * 1024


def _bomb(size: int, bounds: Limits) -> SheetError:
    return SheetError(
        _("文件解压后超过 %(limit)d MB（至少 %(size)d MB），疑似压缩炸弹或包含大量无关内容，已拒绝读取。")
        % {"limit": bounds.max_uncompressed // MB, "size": size // MB}
    )


class _Inflater:
    """Streams the members of a zip held in memory, counting the real inflated bytes."""

    def __init__(self, data: bytes, suffix: str, bounds: Limits) -> None:
        self.data, self.suffix, self.bounds = data, suffix, bounds
        self.total = 0
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            self.infos = {info.filename: info for info in self.archive.infolist()}
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            raise _unreadable(_("不是有效的压缩包"), suffix) from None
        if len(self.infos) != len(self.archive.infolist()):
            # Two parts of the same name: readers disagree on which one counts.
            raise _unreadable(_("压缩包内有重名的部件"), suffix)
        if len(self.infos) > bounds.max_members:
            raise SheetError(
                _("文件内部包含 %(n)d 个部件，超过上限 %(max)d，不像正常的表格文件。")
                % {"n": len(self.infos), "max": bounds.max_members}
            )
        declared = sum(info.file_size for info in self.infos.values())
        if declared > bounds.max_uncompressed:
            raise _bomb(declared, bounds)

    def chunks(self, name: str) -> Iterator[bytes]:
        """The inflated bytes of one member, in pieces of at most 256 KB."""
        info = self.infos[name]
        if info.flag_bits & 0x1:
            raise _unreadable(_("文件已加密"), self.suffix)
        header = self.data[info.header_offset : info.header_offset + _LOCAL_HEADER.size]
        if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise _unreadable(_("压缩包结构损坏"), self.suffix)
        fields = _LOCAL_HEADER.unpack(header)
        start = info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1]
        raw = memoryview(self.data)[start : start + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            pieces: Iterator[bytes] = (bytes(raw[i : i + _CHUNK]) for i in range(0, len(raw), _CHUNK))
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            pieces = self._inflate(raw)
        else:
            raise _unreadable(_("不支持的压缩方式"), self.suffix)
        size = 0
        for piece in pieces:
            size += len(piece)
            self.total += len(piece)
            if self.total > self.bounds.max_uncompressed:
                raise _bomb(self.total, self.bounds)
            if size > MB and size > self.bounds.max_ratio * max(info.compress_size, 1):
                raise SheetError(
                    _("文件中的“%(name)s”压缩比超过 %(ratio)d 倍，疑似压缩炸弹，已拒绝读取。")
                    % {"name": name, "ratio": self.bounds.max_ratio}
                )
            yield piece

    def _inflate(self, raw: memoryview) -> Iterator[bytes]:
        inflater = zlib.decompressobj(-15)
        try:
            for i in range(0, len(raw), _CHUNK):
                pending = bytes(raw[i : i + _CHUNK])
                while pending:
                    out = inflater.decompress(pending, _CHUNK)
                    pending = inflater.unconsumed_tail
                    if out:
                        yield out
                    if inflater.eof:
                        return
            while not inflater.eof:
                out = inflater.decompress(b"", _CHUNK)
                if not out:
                    break
                yield out
        except zlib.error:
            raise _unreadable(_("压缩数据损坏"), self.suffix) from None

    def read(self, name: str, cap: int = 16 * MB) -> bytes:
        """A small member whole (workbook parts), at most ``cap`` bytes."""
        out = bytearray()
        for piece in self.chunks(name):
            out += piece
            if len(out) > cap:
                raise _unreadable(_("“%(name)s”过大") % {"name": name}, self.suffix)
        return bytes(out)

    def measure_rest(self, done: set[str]) -> None:
        for name in self.infos:
            if name not in done and not name.endswith("/"):
                for _piece in self.chunks(name):
                    pass


def _zip_extents(data: bytes, suffix: str, bounds: Limits) -> dict[str, tuple[int, int]]:
    """Sheet name -> (rows, columns) holding values, for every worksheet of an
    xlsx/xlsm/ods; every member inflated once, bounded."""
    zipped = _Inflater(data, suffix, bounds)
    done: set[str] = set()
    extents: dict[str, tuple[int, int]] = {}
    if suffix == ".ods":
        if "content.xml" not in zipped.infos:
            raise _unreadable(_("缺少 content.xml"), suffix)
        extents = _ods_extents(zipped.chunks("content.xml"), bounds)
        done.add("content.xml")
    else:
        # Every part is scanned, not only those the workbook points to: whichever
        # part a reader takes for a sheet, it is within the bounds.
        sheet_names = {path: name for name, path in _xlsx_sheet_paths(zipped, suffix)}
        for path in zipped.infos:
            if path.endswith("/"):
                continue
            done.add(path)
            rows, columns = _xlsx_extent(zipped.chunks(path))
            _check_extent(sheet_names.get(path, path), rows, columns, bounds)
            if path in sheet_names:
                extents[sheet_names[path]] = (rows, columns)
    zipped.measure_rest(done)
    return extents


def _xml(zipped: _Inflater, name: str, suffix: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(zipped.read(name))
    except ElementTree.ParseError:
        raise _unreadable(_("“%(name)s”不是有效的 XML") % {"name": name}, suffix) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xlsx_sheet_paths(zipped: _Inflater, suffix: str) -> list[tuple[str, str]]:
    """(sheet name, member path) of the workbook's sheets, in workbook order."""
    if "xl/workbook.xml" not in zipped.infos:
        raise _unreadable(_("缺少 xl/workbook.xml"), suffix)
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in zipped.infos:
        for rel in _xml(zipped, "xl/_rels/workbook.xml.rels", suffix).iter():
            if _local(rel.tag) == "Relationship":
                target = rel.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                targets[rel.get("Id", "")] = re.sub(r"[^/]+/\.\./", "", target)
    found: list[tuple[str, str]] = []
    for sheet in _xml(zipped, "xl/workbook.xml", suffix).iter():
        if _local(sheet.tag) != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), "")
        path = targets.get(rid, "")
        if path in zipped.infos:
            found.append((sheet.get("name", ""), path))
    # Worksheets not reachable from the workbook are measured like the rest of
    # the zip; calamine does not read them.
    return found


_XLSX_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])([^>]*?)(/?)>")
_R_ATTR = re.compile(rb'\sr\s*=\s*["\']([^"\']*)["\']')
_REF = re.compile(rb"([A-Za-z]{0,3})(\d{0,7})")
# Fast path: every cell tag is ``<c r="B7" ...>`` with the reference first (what
# Excel, WPS, LibreOffice and openpyxl write); a self-closing cell holds no value.
_FAST_VALUED = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>/]*>')  # no attribute of <c> holds a "/"
_FAST_MALFORMED = re.compile(rb'<c r="(?![A-Z]{1,3}\d{1,7}")')


def _bad_reference(value: bytes) -> SheetError:
    return SheetError(
        _("工作表中有位置无效的单元格（“%(ref)s”），无法读取。请用 Excel 或 WPS 打开后另存一次再上传。")
        % {"ref": value[:20].decode("ascii", "replace")}
    )


def _reference(value: bytes) -> tuple[int, int]:
    """(row or 0, column or 0) of a cell or row reference such as B7, B or 7."""
    match = _REF.fullmatch(value)
    if match is None:
        raise _bad_reference(value)
    return (int(match[2]) if match[2] else 0), (_col_index(match[1]) if match[1] else 0)


def _col_index(letters: bytes) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ch - 64
    return index


def _xlsx_extent(chunks: Iterator[bytes]) -> tuple[int, int]:
    """(last row, last column) of the cells with content in a worksheet's XML.

    A self-closing ``<c .../>`` holds no value (the reader skips it); any other
    cell counts, wherever its ``r`` attribute puts it, or next to the previous
    one when it has none."""
    max_row = max_col = 0
    row = col = 0
    tail = b""
    for chunk in chunks:
        buffer = tail + chunk
        cut = buffer.rfind(b"<")
        if cut == -1:
            tail = b""
            continue
        body, tail = buffer[:cut], buffer[cut:]
        if len(tail) > 64 * 1024:  # an absurd tag: parse what we have
            body, tail = buffer, b""
        tags = body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/")
        prefixed = b":c " in body or b":c>" in body or b":c/" in body  # <x:c ...>: take the full walk
        if not prefixed and tags == body.count(b'<c r="') and _FAST_MALFORMED.search(body) is None:
            valued = _FAST_VALUED.findall(body)
            if valued:
                letters, digits = zip(*valued)  # then only the distinct rows and columns are converted
                max_row = max(max_row, max(map(int, set(digits))))
                max_col = max(max_col, max(map(_col_index, set(letters))))
            if tags:
                row, col = _reference(_R_ATTR.search(body, body.rfind(b"<c "))[1])
            continue
        # Cells without a reference, or not written the usual way: walk the rows and cells one by one.
        for match in _XLSX_TAG.finditer(body):
            kind, attrs, closed = match.groups()
            ref = _R_ATTR.search(attrs)
            r, c = _reference(ref[1]) if ref else (0, 0)
            if kind == b"row":
                row = r or row + 1
                col = 0
                continue
            col = c or col + 1
            row = r or row
            if not closed:
                max_row, max_col = max(max_row, row), max(max_col, col)
    return max_row, max_col


_ODS_TAG = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>"
)
_ODS_REPEAT = re.compile(rb'table:number-(?:rows|columns)-repeated\s*=\s*["\'](\d+)["\']')
_ODS_NAME = re.compile(rb'table:name\s*=\s*["\']([^"\']*)["\']')
_ODS_VALUE = re.compile(rb"office:value-type\s*=")


def _ods_extents(chunks: Iterator[bytes], bounds: Limits) -> dict[str, tuple[int, int]]:
    """Table name -> (last row, last column) with content in an ODS content.xml,
    counting repeated rows and cells."""
    extents: dict[str, tuple[int, int]] = {}
    name = ""
    row = col = 0
    row_repeat = 1
    max_row = max_col = 0
    row_has_value = False
    row_max_col = 0
    tail = b""

    def finish_table() -> None:
        if name or max_row:
            _check_extent(name, max_row, max_col, bounds)
            extents[name] = (max_row, max_col)

    for chunk in chunks:
        buffer = tail + chunk
        cut = buffer.rfind(b"<")
        body, tail = (buffer, b"") if cut == -1 else (buffer[:cut], buffer[cut:])
        if len(tail) > 64 * 1024:
            body, tail = buffer, b""
        for match in _ODS_TAG.finditer(body):
            closing, kind, attrs, selfclosed = match.groups()
            if kind == b"table":
                if closing:
                    finish_table()
                else:
                    found = _ODS_NAME.search(attrs)
                    name = found[1].decode("utf-8", "replace") if found else ""
                    row = col = max_row = max_col = 0
                continue
            if kind == b"table-row":
                if closing:
                    if row_has_value:
                        max_row = max(max_row, row + row_repeat - 1)
                        max_col = max(max_col, row_max_col)
                    row += row_repeat - 1
                    continue
                repeat = _ODS_REPEAT.search(attrs)
                row += 1
                row_repeat = int(repeat[1]) if repeat else 1
                col, row_has_value, row_max_col = 0, False, 0
                if selfclosed:
                    row += row_repeat - 1
                continue
            if closing:
                continue
            repeat = _ODS_REPEAT.search(attrs)
            span = int(repeat[1]) if repeat else 1
            has_value = kind == b"table-cell" and (not selfclosed or _ODS_VALUE.search(attrs) is not None)
            col += span
            if has_value:
                row_has_value = True
                row_max_col = max(row_max_col, col)
    return extents


# --- xls: the cell records of the BIFF stream -----------------------------------------

# BIFF8 records that hold a cell: row and column are the first two 16-bit fields.
_CELL_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6}
_MULRK = 0x00BD
_BOF, _EOF, _BOUNDSHEET = 0x0809, 0x000A, 0x0085


def _xls_extents(data: bytes, bounds: Limits) -> dict[str, tuple[int, int]]:
    """Sheet name -> (last row, last column) holding values in an xls (BIFF8) workbook."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        stream_name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
        if stream_name is None:
            raise _unreadable(_("缺少 Workbook 数据流"), ".xls")
        if ole.get_size(stream_name) > bounds.max_uncompressed:
            raise _bomb(ole.get_size(stream_name), bounds)
        stream = ole.openstream(stream_name).read()
    except SheetError:
        raise
    except Exception:  # olefile raises OSError and its own errors for malformed files
        raise _unreadable(_("不是有效的 xls 文件"), ".xls") from None
    # The workbook globals (from offset 0 to their EOF) name each sheet and the
    # offset of its BOF; each sheet is then walked from that offset, as a reader does.
    positions: list[tuple[int, str]] = []
    for kind, body, length in _biff_records(stream, 0):
        if kind == _BOUNDSHEET and length >= 8:
            position = struct.unpack_from("<L", stream, body)[0]
            positions.append((position, _xls_sheet_name(stream[body + 6 : body + length])))
        elif kind == _EOF:
            break
    extents: dict[str, tuple[int, int]] = {}
    for position, name in positions:
        max_row = max_col = 0
        depth = 0  # a chart embedded in a sheet has its own BOF ... EOF: its records count too
        for kind, body, length in _biff_records(stream, position):
            if kind == _BOF:
                depth += 1
            elif kind == _EOF:
                depth -= 1
                if depth <= 0:
                    break
            elif kind in _CELL_RECORDS and length >= 4:
                row, column = struct.unpack_from("<HH", stream, body)
                max_row, max_col = max(max_row, row + 1), max(max_col, column + 1)
            elif kind == _MULRK and length >= 6:
                row = struct.unpack_from("<H", stream, body)[0]
                last = struct.unpack_from("<H", stream, body + length - 2)[0]
                max_row, max_col = max(max_row, row + 1), max(max_col, last + 1)
        _check_extent(name, max_row, max_col, bounds)
        extents[name] = (max_row, max_col)
    return extents


def _biff_records(stream: bytes, offset: int) -> Iterator[tuple[int, int, int]]:
    """(record type, offset of its data, its length) from ``offset`` to the end of the stream."""
    size = len(stream)
    while 0 <= offset and offset + 4 <= size:
        kind, length = struct.unpack_from("<HH", stream, offset)
        body = offset + 4
        if body + length > size:
            return
        yield kind, body, length
        offset = body + length


def _xls_sheet_name(raw: bytes) -> str:
    if len(raw) < 2:
        return ""
    count, flags = raw[0], raw[1]
    if flags & 0x01:
        return raw[2 : 2 + 2 * count].decode("utf-16-le", "replace")
    return raw[2 : 2 + count].decode("latin-1", "replace")


# --- Reading with calamine ------------------------------------------------------------


def _calamine_sheets(data: bytes, suffix: str, extents: dict[str, tuple[int, int]], bounds: Limits) -> Iterator[Sheet]:
    """The visible worksheets, loaded by calamine one at a time once ``extents`` are known."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = [
            meta
            for meta in book.sheets_metadata
            if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet
        ]
    except Exception as exc:  # calamine raises its own error types for every malformed file
        raise _unreadable(type(exc).__name__, suffix) from None
    # Every part (xlsx), table (ods) or sheet substream (xls) a sheet can be read
    # from was measured and found within the bounds before this point.
    for meta in metas:
        try:
            sheet = book.get_sheet_by_name(meta.name)
        except Exception as exc:
            raise _unreadable(type(exc).__name__, suffix) from None
        # Calamine's own view, checked again: it is what it allocated.
        if sheet.height:
            _check_extent(meta.name, sheet.end[0] + 1, sheet.end[1] + 1, bounds)
        yield Sheet(name=meta.name, rows=_calamine_rows(sheet))


def _calamine_rows(sheet) -> Iterator[list[object]]:
    if not sheet.height:
        return
    pad = [""] * sheet.start[1]
    for row in sheet.iter_rows():
        yield pad + row if pad else row


# --- CSV --------------------------------------------------------------------------------


def _csv_rows(data: bytes, bounds: Limits) -> Iterator[list[object]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise SheetError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 编码的 CSV。"))
    # Excel and WPS write commas; some systems export tab-separated text as .csv.
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","

    def lines() -> Iterator[str]:
        for number, line in enumerate(io.StringIO(text, newline=""), start=1):
            if len(line) > bounds.max_line:
                raise SheetError(
                    _("CSV 文件第 %(n)d 行过长（%(len)d 个字符，上限 %(max)d），不像正常的名单。")
                    % {"n": number, "len": len(line), "max": bounds.max_line}
                )
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    count = 0
    try:
        for row in reader:
            count += 1
            if count > bounds.max_rows or len(row) > bounds.max_columns:
                raise _too_large("", max(count, reader.line_num), len(row), f"{column_letters(len(row))}{count}", bounds)
            yield row
    except csv.Error:
        raise SheetError(_("CSV 文件第 %(n)d 行格式错误（引号不配对或字段过长）。") % {"n": reader.line_num}) from None


# --- Header matching ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...]
    required: bool = False


def cell_text(value: object) -> str:
    """A cell as text: numbers without a spurious .0, dates as ISO, spaces collapsed."""
    if type(value) is str:
        if value.isascii():
            return " ".join(value.split())
        return " ".join(unicodedata.normalize("NFKC", value).split())
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def header_key(value: object) -> str:
    """Normalise a header cell: NFKC, no spaces, no required-marks or notes in brackets."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"\([^()]*\)$", "", text)  # 身份证号(必填), 参加工作年月(如2008.09)
    return text.strip("*※:：")


@dataclass
class Header:
    row: int  # 1-based
    index: dict[str, int]  # column key -> position in the row
    text: dict[str, str]  # column key -> header text as in the file


@dataclass
class HeaderProblem:
    row: int  # 1-based, for the report
    column: str  # the header text the problem is about ("" for the whole row)
    message: str


def find_header(
    rows: Sequence[Sequence[object]],
    columns: Sequence[Column],
    *,
    search_rows: int,
    min_matches: int,
    example: str,
) -> tuple[Header | None, list[HeaderProblem]]:
    """The header row among the first ``search_rows`` rows: the first one with
    ``min_matches`` known columns, else the one with most.

    Returns (header, []) or (None, problems). A missing required column is
    reported once, naming the required columns missing and the headers found in
    the row, so that the user sees how their file is headed beside what is needed.
    ``example`` names a few columns for the message when no header is found.
    """
    aliases = _alias_table(tuple(columns))
    best = (0, 1)  # (matches, row number)
    for i, row in enumerate(rows[:search_rows]):
        keys = {aliases.get(header_key(cell)) for cell in row} - {None}
        if len(keys) > best[0]:
            best = (len(keys), i + 1)
        if len(keys) >= min_matches:
            break
    matches, row_number = best
    if matches == 0:
        return None, [
            HeaderProblem(
                1,
                "",
                _("没有找到表头行。请在前 %(n)d 行内保留“%(example)s……”等列名。") % {"n": search_rows, "example": example},
            )
        ]
    index: dict[str, int] = {}
    text: dict[str, str] = {}
    problems: list[HeaderProblem] = []
    found: list[str] = []
    for position, cell in enumerate(rows[row_number - 1]):
        raw = " ".join(str(cell).split()) if cell is not None else ""  # as written in the file
        if raw:
            found.append(raw)
        key = aliases.get(header_key(cell))
        if key is None:
            continue
        if key in index:
            problems.append(
                HeaderProblem(
                    row_number, raw, _("“%(this)s”列与“%(first)s”列是同一项，请删除其中一列。") % {"this": raw, "first": text[key]}
                )
            )
            continue
        index[key], text[key] = position, raw
    missing = [c.label for c in columns if c.required and c.key not in index]
    if missing:
        # A wrong header set is one error, whatever else is odd about the header.
        names = "、".join(missing)
        return None, [
            HeaderProblem(
                row_number,
                names,
                _(
                    "表头缺少必需的列：%(columns)s。第 %(row)d 行的表头是：%(found)s；必需的列是：%(needed)s。"
                    "请检查列名是否与模板一致（表头须在前 %(n)d 行内）。"
                )
                % {
                    "columns": names,
                    "row": row_number,
                    "found": "、".join(found[:60]),
                    "needed": "、".join(c.label for c in columns if c.required),
                    "n": search_rows,
                },
            )
        ]
    if problems:
        return None, problems
    return Header(row_number, index, text), []


_ALIAS_TABLES: dict[tuple[Column, ...], dict[str, str]] = {}


def _alias_table(columns: tuple[Column, ...]) -> dict[str, str]:
    table = _ALIAS_TABLES.get(columns)
    if table is None:
        table = {header_key(alias): c.key for c in columns for alias in (c.label, *c.aliases)}
        _ALIAS_TABLES[columns] = table
    return table
