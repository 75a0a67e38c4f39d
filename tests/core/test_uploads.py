"""Evidence uploads: real photos and PDFs pass, anything else is refused by name and content."""

import io
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from weasyprint import HTML

from yanxiu.core import uploads


def photo(fmt: str, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def message(exc) -> str:
    return " ".join(exc.value.messages)


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "病假条.jpg"), ("JPEG", "IMG_0001.JPEG"), ("PNG", "scan.png"), ("WEBP", "x.webp")])
def test_photos_written_by_pillow_are_accepted(fmt, name):
    uploads.check_evidence(photo(fmt, name), field="attachment", label="证明材料")


def test_a_pdf_written_by_weasyprint_is_accepted():
    pdf = SimpleUploadedFile("诊断证明.pdf", HTML(string="<p>诊断证明</p>").write_pdf())
    uploads.check_evidence(pdf, field="attachment", label="证明材料")


def test_a_web_page_is_refused_by_name_and_when_renamed_by_content():
    page = b"<html><script>alert(1)</script></html>"
    with pytest.raises(ValidationError) as exc:
        uploads.check_evidence(SimpleUploadedFile("note.html", page), field="attachment", label="证明材料")
    assert exc.value.message_dict["attachment"] == ["证明材料“note.html”的格式不支持：请上传 JPG、PNG、WebP 图片或 PDF 文件。"]
    with pytest.raises(ValidationError) as exc:
        uploads.check_evidence(SimpleUploadedFile("note.jpg", page), field="attachment", label="证明材料")
    assert "note.jpg" in message(exc) and "不是有效的JPG文件" in message(exc)
    with pytest.raises(ValidationError, match="不是有效的PNG"):
        uploads.check_evidence(photo("JPEG", "scan.png"), field="file", label="证书扫描件")


def test_empty_and_oversized_files_are_refused(settings):
    with pytest.raises(ValidationError, match="不是有效的PDF"):
        uploads.check_evidence(SimpleUploadedFile("a.pdf", b""), field="file", label="证书扫描件")
    settings.YANXIU_MAX_EVIDENCE_MB = 1
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        uploads.check_evidence(big, field="file", label="证书扫描件")
    assert message(exc) == "证书扫描件“big.pdf”超过 1 MB，请压缩或拍照后重新上传。"


class Stored:
    """A stored FieldFile stand-in: a name and an open()."""

    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data

    def open(self, mode="rb"):
        return io.BytesIO(self.data)


def test_photos_are_served_inline_in_a_sandbox_and_anything_else_as_a_download():
    response = uploads.evidence_response(Stored("training/leave/2026/11/ab_note.png", b"\x89PNG\r\n\x1a\n"), download_name="leave-7")
    assert response["Content-Type"] == "image/png" and response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Disposition"] == "inline; filename=\"leave-7.png\"; filename*=UTF-8''leave-7.png"
    response = uploads.evidence_response(Stored("training/leave/2026/11/ab_note.html", b"<script>"), download_name="leave-8")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;") and response["Content-Security-Policy"] == "sandbox"
    pdf = uploads.evidence_response(Stored("c.pdf", b"%PDF-1.4"), download_name="证书扫描件-省级/培训\x00", fallback="claim-1")
    assert pdf["Content-Disposition"] == "inline; filename=\"claim-1.pdf\"; filename*=UTF-8''" + quote("证书扫描件-省级_培训_.pdf")
    assert pdf["Content-Type"] == "application/pdf" and "Content-Security-Policy" not in pdf
