"""The bounded spreadsheet reader (yanxiu.core.sheets): hostile files are refused
before they are loaded, with a Chinese message; ordinary files read row by row."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl
import pytest

from yanxiu.core import sheets

_CT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
_WB = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WBRELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"""
HEADER = ["姓名", "性别", "身份证号", "学段", "学科", "职称", "学历", "编制", "参加工作年月"]


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def hand_made_xlsx(extra_rows: str = "", *, sheet_xml: str | None = None) -> bytes:
    """A minimal xlsx written by hand: the header row, then ``extra_rows``."""
    header = "".join(_inline(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADER))
    sheet = sheet_xml or (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1">{header}</row>{extra_rows}</sheetData></worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WBRELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


FAR_CELL = hand_made_xlsx('<row r="1048576">' + _inline("XFD1048576", "x") + "</row>")


def read_all(name: str, data: bytes) -> list[tuple[str, list[list[object]]]]:
    return [(sheet.name, list(sheet.rows)) for sheet in sheets.read_sheets(name, data)]


def refused(name: str, data: bytes) -> str:
    with pytest.raises(sheets.SheetError) as exc:
        read_all(name, data)
    return str(exc.value)


def test_the_far_cell_xlsx_is_refused_before_it_is_loaded():
    assert len(FAR_CELL) < 2000
    message = refused("far.xlsx", FAR_CELL)
    assert "工作表“花名册”" in message
    assert "1048576 行 × 16384 列" in message and "XFD1048576" in message
    assert "60000 行 × 200 列" in message


def test_a_far_cell_written_by_openpyxl_is_refused_too():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws["XFD1048576"] = "x"
    buffer = io.BytesIO()
    wb.save(buffer)
    assert "1048576 行 × 16384 列" in refused("far.xlsx", buffer.getvalue())


def test_an_outlier_within_the_ceilings_is_read_without_a_dense_grid_of_the_sheet():
    data = hand_made_xlsx('<row r="900">' + _inline("Z900", "备注") + "</row>")
    [(name, rows)] = read_all("r.xlsx", data)
    assert name == "花名册" and len(rows) == 900
    assert rows[0][: len(HEADER)] == HEADER and rows[899][25] == "备注"


def test_empty_formatted_cells_far_away_do_not_count():
    # Templates format whole rows: a self-closing cell holds no value.
    data = hand_made_xlsx('<row r="1048576"><c r="XFD1048576" s="1"/></row>')
    [(_name, rows)] = read_all("r.xlsx", data)
    assert rows == [HEADER]


def test_cells_without_a_reference_are_counted_by_position():
    cells = "".join(f"<c t=\"inlineStr\"><is><t>{i}</t></is></c>" for i in range(250))
    assert "1 行 × 250 列" in refused("r.xlsx", hand_made_xlsx(sheet_xml=(
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData><row>{cells}</row></sheetData></worksheet>"
    )))


def _bomb(*, lie: bool) -> bytes:
    """An xlsx whose sheet inflates to 20 MB (from about 20 KB); with ``lie`` its
    zip headers claim the sheet is 1,000 bytes."""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + " " * (20 * 1024 * 1024)
        + "</sheetData></worksheet>"
    )
    data = bytearray(hand_made_xlsx(sheet_xml=sheet))
    if lie:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
            info = z.getinfo("xl/worksheets/sheet1.xml")
        struct.pack_into("<L", data, info.header_offset + 22, 1000)  # local header: uncompressed size
        offset = 0
        while True:  # every central directory entry; patch the sheet's
            offset = data.find(b"PK\x01\x02", offset)
            if offset == -1:
                break
            name_length = struct.unpack_from("<H", data, offset + 28)[0]
            if data[offset + 46 : offset + 46 + name_length] == b"xl/worksheets/sheet1.xml":
                struct.pack_into("<L", data, offset + 24, 1000)
            offset += 4
    return bytes(data)


@pytest.mark.parametrize("lie", [False, True], ids=["honest-sizes", "lying-sizes"])
def test_a_zip_bomb_is_refused_before_it_is_inflated(lie):
    data = _bomb(lie=lie)
    assert len(data) < 100_000
    message = refused("bomb.xlsx", data)
    assert "压缩炸弹" in message and "200 倍" in message


@pytest.mark.parametrize("lie", [False, True], ids=["honest-sizes", "lying-sizes"])
def test_the_total_inflated_size_has_a_ceiling(settings, lie):
    settings.YANXIU_IMPORT_MAX_UNCOMPRESSED_MB = 5
    settings.YANXIU_IMPORT_MAX_RATIO = 100_000
    message = refused("bomb.xlsx", _bomb(lie=lie))
    assert "解压后超过 5 MB" in message


def test_an_ods_whose_repeats_reach_far_is_refused():
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="16383"/>'
        '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    assert "1048576 行 × 16384 列" in refused("far.ods", buffer.getvalue())


def test_an_ods_cell_repeated_over_a_huge_area_is_refused():
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
        '<office:body><office:spreadsheet><table:table table:name="表1">'
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="1000"/>'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("content.xml", content)
    message = refused("far.ods", buffer.getvalue())
    assert "工作表“表1”" in message and "1000000 行 × 1000 列" in message


def test_an_xls_with_a_far_cell_is_refused():
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("名单")
    for i, text in enumerate(HEADER):
        sheet.write(0, i, text)
    sheet.write(65535, 255, "x")
    buffer = io.BytesIO()
    book.save(buffer)
    message = refused("far.xls", buffer.getvalue())
    assert "工作表“名单”" in message and "65536 行 × 256 列" in message


def test_an_ordinary_xls_is_read_row_by_row():
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("名单")
    for i, text in enumerate(HEADER):
        sheet.write(2, i + 1, text)
    buffer = io.BytesIO()
    book.save(buffer)
    [(name, rows)] = read_all("r.xls", buffer.getvalue())
    assert name == "名单" and len(rows) == 3 and rows[2] == ["", *HEADER]


def test_row_and_column_ceilings_come_from_settings(settings):
    settings.YANXIU_IMPORT_MAX_ROWS = 5
    settings.YANXIU_IMPORT_MAX_COLUMNS = 8
    rows = "".join(f'<row r="{n}">{_inline(f"A{n}", "x")}</row>' for n in range(2, 8))
    message = refused("r.xlsx", hand_made_xlsx(rows))
    assert "7 行 × 9 列" in message and "5 行 × 8 列" in message
    assert sheets.limits().max_rows == 5


def test_the_file_size_is_bounded(settings):
    settings.YANXIU_IMPORT_MAX_MB = 1
    message = refused("r.csv", b"a," * (600 * 1024))
    assert "文件过大" in message and "1 MB" in message


def test_csv_lines_rows_and_columns_are_bounded(settings):
    assert "第 2 行过长" in refused("r.csv", ("姓名\n" + "x" * 200_000 + "\n").encode())
    assert "200 列" in refused("r.csv", ("," * 500 + "\n").encode())
    settings.YANXIU_IMPORT_MAX_ROWS = 3
    assert "3 行" in refused("r.csv", "a\nb\nc\nd\n".encode())


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-8"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(encoding):
    text = "姓名,学科\n张伟,语文\n"
    [(_name, rows)] = read_all("r.csv", text.encode(encoding))
    assert rows == [["姓名", "学科"], ["张伟", "语文"]]


@pytest.mark.parametrize(
    "name, data, phrase",
    [
        ("r.pdf", b"%PDF-", "不支持的文件类型"),
        ("r.xlsx", b"", "文件是空的"),
        ("r.xlsx", b"not a zip at all", "无法读取"),
        ("r.xls", b"not an ole file", "无法读取"),
        ("r.ods", hand_made_xlsx(), "content.xml"),
    ],
)
def test_unreadable_files_get_a_chinese_reason(name, data, phrase):
    assert phrase in refused(name, data)


@pytest.mark.parametrize(
    "far",
    [
        '<x:c r="XFD1048576" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c>',  # a namespace prefix
        '<x:c s="0" t="inlineStr" r="XFD1048576"><x:is><x:t>x</x:t></x:is></x:c>',  # the reference last
    ],
)
def test_the_far_cell_is_found_whatever_the_writer_s_style(far):
    sheet = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c></x:row>'
        f'<x:row r="1048576">{far}</x:row></x:sheetData></x:worksheet>'
    )
    assert "1048576 行 × 16384 列" in refused("far.xlsx", hand_made_xlsx(sheet_xml=sheet))


def test_the_area_of_a_sheet_is_bounded_as_well(settings):
    # Within the row and column ceilings, but a grid of 60000 x 200 cells: refused by area.
    message = refused("r.xlsx", hand_made_xlsx('<row r="60000">' + _inline("GR60000", "x") + "</row>"))
    assert "60000 行 × 200 列" in message and "12000000 个单元格" in message and "3000000 个单元格" in message
    settings.YANXIU_IMPORT_MAX_CELLS = 20_000_000
    [(_name, rows)] = read_all("r.xlsx", hand_made_xlsx('<row r="200">' + _inline("GR200", "x") + "</row>"))
    assert len(rows) == 200 and rows[199][199] == "x"


def test_a_reference_beyond_any_sheet_is_refused_not_misread():
    data = hand_made_xlsx('<row r="99999999">' + _inline("A99999999", "x") + "</row>")
    assert "位置无效的单元格" in refused("r.xlsx", data)


def test_a_far_part_the_workbook_does_not_point_to_is_scanned_too():
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(hand_made_xlsx())) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            z.writestr(info.filename, source.read(info.filename))
        z.writestr(
            "xl/worksheets/sheet9.xml",
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            f'<row r="1048576">{_inline("XFD1048576", "x")}</row></sheetData></worksheet>',
        )
    message = refused("r.xlsx", buffer.getvalue())
    assert "xl/worksheets/sheet9.xml" in message and "1048576 行 × 16384 列" in message


def test_a_zip_with_two_parts_of_the_same_name_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(hand_made_xlsx())) as source, zipfile.ZipFile(buffer, "w") as z:
        for info in source.infolist():
            z.writestr(info.filename, source.read(info.filename))
        with pytest.warns(UserWarning):
            z.writestr("xl/worksheets/sheet1.xml", FAR_CELL)
    assert "重名" in refused("r.xlsx", buffer.getvalue())


def test_every_sheet_of_an_xls_is_measured():
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    book.add_sheet("名单").write(0, 0, "姓名")
    book.add_sheet("附表").write(65535, 3, "x")
    buffer = io.BytesIO()
    book.save(buffer)
    message = refused("r.xls", buffer.getvalue())
    assert "工作表“附表”" in message and "65536 行 × 4 列" in message


def test_an_upload_is_checked_for_type_and_size_before_it_is_read(settings):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yanxiu.core import sheets

    sheets.check_upload(SimpleUploadedFile("名册.XLSX", b"x"))
    with pytest.raises(ValidationError, match="不支持的文件类型"):
        sheets.check_upload(SimpleUploadedFile("名册.exe", b"x"))
    settings.YANXIU_IMPORT_MAX_MB = 1
    with pytest.raises(ValidationError, match="超过 1 MB"):
        sheets.check_upload(SimpleUploadedFile("名册.csv", b"x" * (1024 * 1024 + 1)))
