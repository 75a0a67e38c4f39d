"""Benchmark: importing a 10,000-row roster against a plain bulk insert.

    python bench/roster_import.py [--rows N] [--repeat N]

Uses a throwaway SQLite database in a temporary directory unless
YANXIU_DATABASE_URL is set. Measures, best of N runs each, on the same
database and cleaned between runs:

(a) the full import: ``yanxiu.org.roster.import_roster`` on an .xlsx written
    with openpyxl (reading, validation, accounts, people, employments, group
    memberships, audit);
(b) the baseline: ``bulk_create`` of the same Person and Employment rows from
    data parsed beforehand, without validation, accounts or history;
(c) for information, the import with per-row history rows for created people
    and employments (``roster.HISTORY_ON_CREATE``, on by default) against
    without (they are copied by the database, see core.history).

The last line is ``RESULT roster_import ratio=X target=3 pass=true|false``
with ratio = (a) / (b).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 3.0


def setup_django(tmpdir: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yanxiu.settings.test")
    os.environ.setdefault("YANXIU_VAR_DIR", tmpdir)
    os.environ.setdefault("YANXIU_DATABASE_URL", f"sqlite:///{Path(tmpdir) / 'bench.sqlite3'}")
    os.environ.setdefault("YANXIU_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_rows(count: int) -> list[dict]:
    from stdnum.cn import ric

    rng = random.Random(20250901)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞宇浩然子涵欣怡思远博文俊杰晨曦雨婷"
    subjects = ["语文", "数学", "英语", "科学", "音乐", "体育", "美术", "信息技术", "道德与法治", "心理健康"]
    titles = ["未评", "三级教师", "二级教师", "一级教师", "高级教师", "小学高级", "中学一级"]
    educations = ["大专", "本科", "大学本科", "硕士研究生"]
    types = ["在编", "在编", "在编", "临聘"]
    tiers = ["", "新任教师", "青年教师", "成熟教师", "骨干教师"]
    rows = []
    base = dt.date(1965, 1, 1)
    for i in range(count):
        birth = base + dt.timedelta(days=i % 12000)
        male = rng.random() < 0.4
        seq = (i // 12000) * 10 + rng.randrange(0, 5) * 2 + (1 if male else 0)
        body = f"430121{birth:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        subject = subjects[i % len(subjects)]
        since = dt.date(birth.year + 22, 9, 1)
        rows.append(
            {
                "name": rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2)))),
                "gender": "男" if male else "女",
                "id_number": number,
                "phone": f"139{i:08d}",
                "stage": "小学",
                "subject": subject,
                "title": rng.choice(titles),
                "education": rng.choice(educations),
                "employment_type": rng.choice(types),
                "teaching_since": f"{since:%Y.%m}",
                "research_group": f"{subject}组",
                "tier": rng.choice(tiers),
            }
        )
    return rows


def write_xlsx(rows: list[dict]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(["长沙县实验小学教职工花名册"])
    sheet.append(["序号", "姓名", "性别", "身份证号", "手机", "学段", "学科", "职称", "学历", "编制", "参加工作年月", "教研组", "梯队"])
    for n, r in enumerate(rows, start=1):
        sheet.append(
            [
                n, r["name"], r["gender"], r["id_number"], r["phone"], r["stage"], r["subject"], r["title"],
                r["education"], r["employment_type"], r["teaching_since"], r["research_group"], r["tier"],
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parsed_for_baseline(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Person and Employment field values, as the import would store them."""
    from stdnum.cn import ric

    persons, employments = [], []
    for r in rows:
        number = r["id_number"]
        persons.append(
            {
                "name": r["name"],
                "gender": "M" if r["gender"] == "男" else "F",
                "birth_date": ric.get_birth_date(number),
                "id_number": number,
                "phone": r["phone"],
            }
        )
        year, month = r["teaching_since"].split(".")
        employments.append(
            {
                "stage": "primary",
                "subject": r["subject"],
                "title": "first",
                "education": "bachelor",
                "employment_type": "established",
                "teaching_since": dt.date(int(year), int(month), 1),
                "tier": "",
            }
        )
    return persons, employments


def clean() -> None:
    from django.db import connection

    from yanxiu.accounts.models import User
    from yanxiu.core.models import AuditEvent
    from yanxiu.org.models import Employment, Group, Person

    models = [
        Employment.groups.through,
        Employment.history.model,
        Employment,
        Person.history.model,
        Person,
        Group.history.model,
        Group,
        AuditEvent,
        User,
    ]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'DELETE FROM "{model._meta.db_table}"')


def measure(repeat: int, runs: dict[str, object]) -> dict[str, tuple[float, float]]:
    """Best (wall, CPU) seconds of each run; the runs are interleaved so that
    all of them see the same machine load."""
    best = {name: (float("inf"), float("inf")) for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            clean()
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    clean()
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="yanxiu-bench-") as tmpdir:
        setup_django(tmpdir)
        from django.db import transaction

        from yanxiu.org import roster
        from yanxiu.org.models import Employment, Person, Region, School

        province, _ = Region.objects.get_or_create(code="430000", defaults={"name": "湖南省", "level": "province"})
        city, _ = Region.objects.get_or_create(code="430100", defaults={"name": "长沙市", "level": "city", "parent": province})
        county, _ = Region.objects.get_or_create(code="430121", defaults={"name": "长沙县", "level": "county", "parent": city})
        school, _ = School.objects.get_or_create(
            code="4301219999", defaults={"name": "基准测试小学", "stage": "primary", "county": county}
        )

        rows = make_rows(args.rows)
        data = write_xlsx(rows)
        person_values, employment_values = parsed_for_baseline(rows)
        print(f"rows={args.rows} xlsx={len(data) / 1024:.0f} KiB database={os.environ['YANXIU_DATABASE_URL'].split(':')[0]}")

        def full_import() -> None:
            report = roster.import_roster(actor=None, school=school, file_name="roster.xlsx", data=data, create_groups=True)
            if not report.ok or report.created != args.rows:
                raise SystemExit(f"import failed: {report.errors[:5]}")

        def baseline() -> None:
            today = dt.date.today()
            with transaction.atomic():
                persons = Person.objects.bulk_create([Person(**v) for v in person_values], batch_size=roster.BATCH_SIZE)
                Employment.objects.bulk_create(
                    [
                        Employment(person_id=p.pk, school_id=school.pk, start_date=today, **v)
                        for p, v in zip(persons, employment_values, strict=True)
                    ],
                    batch_size=roster.BATCH_SIZE,
                )

        def other_import() -> None:
            roster.HISTORY_ON_CREATE = not default
            try:
                full_import()
            finally:
                roster.HISTORY_ON_CREATE = default

        default = roster.HISTORY_ON_CREATE
        best = measure(args.repeat, {"import": full_import, "baseline": baseline, "other": other_import})
        (t_import, c_import), (t_base, c_base), (t_other, _c) = best["import"], best["baseline"], best["other"]
        t_with, t_without = (t_import, t_other) if default else (t_other, t_import)

        ratio = t_import / t_base
        print(f"(a) import:                        {t_import:.3f} s  ({args.rows / t_import:,.0f} rows/s; CPU {c_import:.3f} s)")
        print(f"(b) baseline bulk_create:          {t_base:.3f} s  (CPU {c_base:.3f} s)")
        print(
            f"(c) import with history on create: {t_with:.3f} s, without: {t_without:.3f} s"
            f" (history adds {100 * (t_with / t_without - 1):.0f}%; HISTORY_ON_CREATE={default})"
        )
        print(f"wall-clock ratio {ratio:.2f}, CPU-time ratio {c_import / c_base:.2f} (best of {args.repeat}, interleaved)")
        print(f"RESULT roster_import ratio={ratio:.2f} target={TARGET:g} pass={'true' if ratio <= TARGET else 'false'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
