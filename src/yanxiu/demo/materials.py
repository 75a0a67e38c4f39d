"""Demo materials: real small files filed with the demo school's past sessions.

Each of the latest past sessions of the first demo school (长沙县星沙第一小学) gets,
through :func:`yanxiu.archive.services.material_add` (checked and audited like an
upload from the session page):

- the presenter's slides as a PDF (landscape pages drawn with WeasyPrint and the
  bundled font),
- a photo of the activity (a PNG drawn with Pillow),
- the activity record (活动记录) as a Word .docx.

So the school's resource library (资源库) and its yearly zip have something to
open. Deterministic: the files depend only on the sessions.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.utils import timezone

SESSIONS = 6


def slides_pdf(title: str, presenter: str, day: str, points: list[str]) -> bytes:
    from yanxiu.credits.pdf import font_face_css

    pages = [
        f"<section class='cover'><h1>{escape(title)}</h1><p>{escape(presenter)} · {escape(day)}</p></section>",
        "<section><h2>研讨要点</h2><ul>" + "".join(f"<li>{escape(p)}</li>" for p in points) + "</ul></section>",
        "<section><h2>课后任务</h2><ol><li>整理本次研讨记录，上传至活动资料。</li>"
        "<li>结合本组教学实际，写一篇不少于 300 字的研修反思。</li><li>下次活动前完成一节课的试教。</li></ol></section>",
    ]
    html = (
        "<html><head><meta charset='utf-8'><style>"
        + font_face_css()
        + "@page { size: 254mm 142.9mm; margin: 14mm; } section { page-break-after: always; } section:last-child { page-break-after: auto; }"
        " .cover { text-align: center; padding-top: 28mm; } h1 { color: #0d6efd; font-size: 24pt; } h2 { color: #0d6efd; font-size: 18pt; }"
        " li { font-size: 14pt; margin: 4mm 0; } p { font-size: 12pt; color: #555; }"
        "</style></head><body>" + "".join(pages) + "</body></html>"
    )
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def photo_png(title: str, day: str, seed: int) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    from yanxiu.credits.pdf import FONT_PATH

    width, height = 960, 540
    image = Image.new("RGB", (width, height), (236, 241, 236))
    draw = ImageDraw.Draw(image)
    # A classroom seen from the back: the board, the screen, rows of desks.
    draw.rectangle((60, 50, 900, 290), fill=(38, 70, 52))
    draw.rectangle((600, 70, 880, 230), fill=(245, 245, 250))
    for row in range(3):
        for col in range(6):
            x, y = 70 + col * 140 + (seed * 7 + row * 20) % 30, 330 + row * 65
            draw.rounded_rectangle((x, y, x + 110, y + 40), radius=6, fill=(181, 136, 99))
            draw.ellipse((x + 35, y - 34, x + 75, y + 6), fill=(40 + (col * 30 + seed * 11) % 60, 40, 45))
    try:
        font = ImageFont.truetype(str(FONT_PATH), 34)
        small = ImageFont.truetype(str(FONT_PATH), 22)
    except OSError:
        font = small = ImageFont.load_default()
    draw.text((90, 80), title[:14], fill=(250, 250, 250), font=font)
    draw.text((90, 140), title[14:30], fill=(250, 250, 250), font=font)
    draw.text((90, 240), day, fill=(220, 220, 220), font=small)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def record_docx(title: str, lines: list[str]) -> bytes:
    """A minimal Word document (WordprocessingML) that Word, WPS and LibreOffice open."""
    paragraphs = [f"<w:p><w:pPr><w:jc w:val='center'/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val='32'/></w:rPr><w:t>{escape(title)}</w:t></w:r></w:p>"]
    paragraphs += [f"<w:p><w:r><w:t xml:space='preserve'>{escape(line)}</w:t></w:r></w:p>" for line in lines]
    document = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>"
        "<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'><w:body>"
        + "".join(paragraphs)
        + "<w:sectPr><w:pgSz w:w='11906' w:h='16838'/></w:sectPr></w:body></w:document>"
    )
    content_types = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>"
        "<Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'>"
        "<Default Extension='rels' ContentType='application/vnd.openxmlformats-package.relationships+xml'/>"
        "<Default Extension='xml' ContentType='application/xml'/>"
        "<Override PartName='/word/document.xml' "
        "ContentType='application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'/></Types>"
    )
    rels = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>"
        "<Relationships xmlns='http://schemas.openxmlformats.org/package/2006/relationships'>"
        "<Relationship Id='rId1' Type='http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument' "
        "Target='word/document.xml'/></Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("[Content_Types].xml", content_types), ("_rels/.rels", rels), ("word/document.xml", document)):
            info = zipfile.ZipInfo(name, date_time=(2026, 9, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buffer.getvalue()


def _points(session) -> list[str]:
    text = (session.content or "").replace("\n", "。")
    points = [p.strip() for p in text.replace("；", "。").split("。") if p.strip()][:4]
    return points or ["课标要求与教材分析", "课堂观察：学生的学习表现", "改进建议与下一步安排"]


def seed_materials(*, sessions: int = SESSIONS, log: Callable[[str], None] | None = None) -> int:
    """File slides, a photo and a record with the latest past sessions of the first demo school; returns the count."""
    from yanxiu.accounts.models import User
    from yanxiu.archive.models import Material, MaterialKind
    from yanxiu.archive.services import material_add
    from . import county
    from yanxiu.org.models import School
    from yanxiu.training.models import Session

    school = School.objects.filter(county__code=county.COUNTY[0]).order_by("code").first()
    admin = User.objects.filter(username="school").first()
    if school is None or admin is None:
        return 0
    past = list(
        Session.objects.filter(project__owner_school=school, status=Session.Status.PUBLISHED, ends_at__lt=timezone.now())
        .select_related("presenter").order_by("-starts_at", "-pk")[:sessions]
    )
    count = 0
    for index, session in enumerate(past):
        if Material.objects.filter(session=session).exists():
            continue
        day = f"{timezone.localtime(session.starts_at):%Y-%m-%d}"
        presenter = session.presenter.name if session.presenter_id else (session.presenter_name or "")
        files = [
            (MaterialKind.SLIDES, f"{session.title}（课件）", "slides.pdf", slides_pdf(session.title, presenter, day, _points(session))),
            (MaterialKind.PHOTO, f"{session.title}（活动照片）", "photo.png", photo_png(session.title, day, index)),
            (MaterialKind.RECORD, f"{session.title}（活动记录）", "record.docx", record_docx(
                f"{session.title} 活动记录",
                [f"时间：{day}", f"地点：{session.place}", f"主讲人：{presenter}", "研讨过程："] + _points(session)
                + ["小结：本次活动按计划完成，参与教师围绕主题充分交流，形成了可推广的做法。"],
            )),
        ]
        for kind, title, name, data in files:
            material_add(actor=admin, session=session, title=title[:120], kind=kind, file=ContentFile(data, name=name))
            count += 1
    if log:
        log(f"资源库：{len(past)} 次活动的课件、照片和活动记录共 {count} 份。")
    return count
