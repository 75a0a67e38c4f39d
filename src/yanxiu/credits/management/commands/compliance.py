import json

from django.core.management.base import BaseCommand, CommandError

from yanxiu.org.models import Employment, School
from yanxiu.credits.compliance import compliance_rows


class Command(BaseCommand):
    help = (
        "Compliance of every current teacher for a school year (or its policy cycle with --cycle). "
        "With --json prints JSON lines: one object per teacher with id_number, name, school, total, by_kind, "
        "by_category, shortfall, status, reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="school year start, e.g. 2025 for 2025-2026")
        parser.add_argument("--school", help="10-digit school code")
        parser.add_argument("--cycle", action="store_true", help="the multi-year cycle containing the year")
        parser.add_argument("--json", action="store_true", help="JSON lines, one teacher per line")

    def handle(self, *args, **options):
        employments = Employment.objects.all()
        if options["school"]:
            school = School.objects.filter(code=options["school"]).first()
            if school is None:
                raise CommandError(f"no school with code {options['school']}")
            employments = employments.filter(school=school)
        rows = compliance_rows(employments, options["year"], cycle=options["cycle"])
        for row in rows:
            if options["json"]:
                self.stdout.write(json.dumps(row.as_json(), ensure_ascii=False))
            else:
                self.stdout.write(f"{row.school_code} {row.name} {row.total} {row.status_label} {row.reason}")
