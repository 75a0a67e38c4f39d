"""Material uploads: real documents, photos and video pass; anything else is refused by name, size and content."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from yanxiu.core import uploads

from .conftest import mp4, pdf, photo, xls, xlsx


def message(exc) -> str:
    return " ".join(exc.value.messages)


@pytest.mark.parametrize(
    "make",
    [lambda: photo("合影.jpg"), lambda: photo("IMG_1.PNG", "PNG"), lambda: photo("x.webp", "WEBP"), pdf, xlsx, xls, mp4,
     lambda: mp4("实录.mov")],
)
def test_real_files_are_accepted(make):
    uploads.check_material(make(), field="file", label="资料文件")


def test_an_office_open_xml_file_is_accepted_under_each_office_name():
    data = xlsx().read()
    for name in ("课件.pptx", "教案.docx", "记录.xlsx"):
        uploads.check_material(SimpleUploadedFile(name, data), field="file", label="资料文件")


def test_unsupported_formats_are_refused_naming_the_field_and_the_file():
    with pytest.raises(ValidationError) as exc:
        uploads.check_material(SimpleUploadedFile("page.html", b"<html></html>"), field="file", label="资料文件")
    assert exc.value.message_dict["file"] == [
        "资料文件“page.html”的格式不支持：请上传 PDF、Word、PowerPoint、Excel 文档，JPG、PNG、WebP 图片或 MP4、MOV 视频。"
    ]
    with pytest.raises(ValidationError, match="格式不支持"):
        uploads.check_material(SimpleUploadedFile("setup.exe", b"MZ\x90\x00"), field="file", label="资料文件")


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("讲稿.pdf", b"<script>alert(1)</script>", "PDF"),
        ("课件.pptx", b"MZ\x90\x00" + b"\x00" * 40, "PPTX"),
        ("实录.mp4", b"<html><body>not a video</body></html>", "MP4"),
        ("旧课件.ppt", b"PK\x03\x04" + b"\x00" * 40, "PPT"),
        ("合影.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "JPG"),
    ],
)
def test_renamed_files_are_refused_by_content(name, data, kind):
    with pytest.raises(ValidationError) as exc:
        uploads.check_material(SimpleUploadedFile(name, data), field="file", label="资料文件")
    assert message(exc) == f"资料文件“{name}”的内容不是有效的{kind}文件，请重新选择。"


def test_a_plain_zip_renamed_docx_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("run.js", "alert(1)")
    with pytest.raises(ValidationError, match="不是有效的DOCX"):
        uploads.check_material(SimpleUploadedFile("教案.docx", buffer.getvalue()), field="file", label="资料文件")


def test_empty_files_are_refused():
    with pytest.raises(ValidationError, match="不是有效的MP4"):
        uploads.check_material(SimpleUploadedFile("a.mp4", b""), field="file", label="资料文件")


def test_size_limits_come_from_settings_one_for_video_one_for_the_rest(settings):
    settings.YANXIU_MAX_MATERIAL_MB = 1
    settings.YANXIU_MAX_MATERIAL_VIDEO_MB = 2
    big_pdf = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        uploads.check_material(big_pdf, field="file", label="资料文件")
    assert message(exc) == "资料文件“big.pdf”超过 1 MB，请压缩或拆分后重新上传。"
    video = mp4()
    video_data = video.read() + b"\x00" * (1024 * 1024 + 10)
    uploads.check_material(SimpleUploadedFile("long.mp4", video_data), field="file", label="资料文件")
    with pytest.raises(ValidationError, match="超过 2 MB"):
        uploads.check_material(SimpleUploadedFile("longer.mp4", video_data + b"\x00" * (1024 * 1024)), field="file", label="资料文件")


def test_default_limits_are_200_mb_for_video_and_50_mb_otherwise():
    assert uploads.max_material_bytes("mp4") == uploads.max_material_bytes("mov") == 200 * 1024 * 1024
    assert uploads.max_material_bytes("pdf") == uploads.max_material_bytes("docx") == 50 * 1024 * 1024


class Stored:
    """A stored FieldFile stand-in: a name and an open()."""

    def __init__(self, name: str, data: bytes = b"x"):
        self.name, self.data = name, data

    def open(self, mode="rb"):
        import io

        return io.BytesIO(self.data)


@pytest.mark.parametrize(
    ("name", "content_type", "inline", "sandbox"),
    [
        ("archive/1/a.jpg", "image/jpeg", True, True),
        ("archive/1/a.webp", "image/webp", True, True),
        ("archive/1/a.pdf", "application/pdf", True, False),
        ("archive/1/a.mp4", "video/mp4", True, True),
        ("archive/1/a.mov", "video/quicktime", True, True),
        ("archive/1/a.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", False, True),
        ("archive/1/a.doc", "application/msword", False, True),
        ("archive/1/a.html", "application/octet-stream", False, True),
    ],
)
def test_materials_are_served_with_their_checked_type(name, content_type, inline, sandbox):
    response = uploads.material_response(Stored(name), download_name="讲稿")
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline" if inline else "attachment")
    assert ("Content-Security-Policy" in response) is sandbox
    if sandbox:
        assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_download_name_keeps_the_title_and_the_checked_extension():
    response = uploads.material_response(Stored("archive/1/0123abcd.pptx"), download_name="第一讲 课件")
    assert "%E7%AC%AC%E4%B8%80%E8%AE%B2" in response["Content-Disposition"] and ".pptx" in response["Content-Disposition"]
    odd = uploads.material_response(Stored("archive/1/x.svg"), download_name="图")
    assert "x.svg" not in odd["Content-Disposition"] and ".bin" in odd["Content-Disposition"]
