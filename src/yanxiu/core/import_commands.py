"""What the import commands (``import_roster``, ``import_growth``, ``import_scores``) print alike."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _


def write_refusal(stdout, report, *, school_name: str, format_error: Callable[[object], str]) -> None:
    """A refused file: the count of its problems, then each one on its own line (``format_error``)."""
    stdout.write(_("%(school)s：共 %(rows)d 行，发现 %(count)d 处问题，未写入任何数据。请修改后重新导入：") % {
        "school": school_name, "rows": report.rows, "count": len(report.errors)})
    for error in report.errors:
        stdout.write(format_error(error))
