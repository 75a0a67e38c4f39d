"""The roster template a school downloads before an import (教职工花名册模板.xlsx).

One header row with the columns the import reads (:data:`yanxiu.org.roster.COLUMNS`),
one example row to overwrite, and dropdown lists for the cells with a fixed set of
values: 性别, the school's own 学段, 学科, 职称, 学历, 编制, 岗位, 梯队 and the school's
教研组/备课组. The lists live on a hidden sheet (a list typed into the rule itself is
limited to 255 characters). The ID number column is formatted as text, so that
Excel keeps all 18 digits.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from yanxiu.core import xlsx

from .choices import SUBJECTS, Education, EmploymentType, Gender, GroupKind, Position, Stage, Tier, Title
from .models import Group, School
from .roster import COLUMNS, stages_of_school

#: Rows of the template that carry the dropdowns (a roster beyond this is rare;
#: the import itself reads any number of rows).
TEMPLATE_ROWS = 2000
LIST_SHEET = "选项"


def _example(school: School, research: list[str], prep: list[str]) -> dict[str, str]:
    stage = stages_of_school(school)[0]
    return {
        "name": _("张老师（示例，请改写或删除本行）"),
        "gender": str(Gender.FEMALE.label),
        "id_number": "43012119850615002X",
        "phone": "13900000000",
        "birth_date": "1985-06-15",
        "stage": str(Stage(stage).label),
        "subject": "语文",
        "title": str(Title.FIRST.label),
        "education": str(Education.BACHELOR.label),
        "employment_type": str(EmploymentType.ESTABLISHED.label),
        "teaching_since": "2008-09",
        "research_group": research[0] if research else "",
        "prep_group": prep[0] if prep else "",
        "position": str(Position.TEACHER.label),
        "tier": "",
        "start_date": "2015-09-01",
    }


def build_template(school: School) -> bytes:
    import io

    groups = list(Group.objects.filter(school=school).order_by("name").values_list("name", "kind"))
    research = [name for name, kind in groups if kind == GroupKind.RESEARCH]
    prep = [name for name, kind in groups if kind == GroupKind.PREPARATION]
    lists: dict[str, list[str]] = {
        "gender": [str(label) for label in Gender.labels],
        "stage": [str(Stage(s).label) for s in stages_of_school(school)],
        "subject": list(SUBJECTS),
        "title": [str(label) for label in Title.labels],
        "education": [str(label) for label in Education.labels],
        "employment_type": [str(label) for label in EmploymentType.labels],
        "position": [str(label) for label in Position.labels],
        "tier": [str(label) for label in Tier.labels],
        "research_group": research,
        "prep_group": prep,
    }

    wb = xlsx.workbook()
    ws = wb.active
    ws.title = _("花名册")
    options = wb.create_sheet(LIST_SHEET)
    options.sheet_state = "hidden"

    # Required columns in red; the header text stays exactly what the import reads.
    bold, required, fill = Font(bold=True), Font(bold=True, color="C00000"), PatternFill("solid", fgColor="DDEBF7")
    example = _example(school, research, prep)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        head = ws.cell(row=1, column=index, value=column.label)
        head.font, head.fill, head.alignment = (required if column.required else bold), fill, Alignment(horizontal="center")
        xlsx.cell(ws, row=2, column=index, value=example.get(column.key, ""))
        ws.column_dimensions[letter].width = max(10, len(column.label) * 2 + 4)
        if column.key == "id_number":
            ws.column_dimensions[letter].width = 22
            for row in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=row, column=index).number_format = "@"
        values = lists.get(column.key)
        if not values:
            continue
        position = list(lists).index(column.key) + 1
        list_column = get_column_letter(position)
        options.cell(row=1, column=position, value=column.label)
        for n, value in enumerate(values, start=2):
            xlsx.cell(options, row=n, column=position, value=value)
        rule = DataValidation(
            type="list",
            formula1=f"='{LIST_SHEET}'!${list_column}$2:${list_column}${len(values) + 1}",
            allow_blank=not column.required,
            showErrorMessage=column.key not in {"research_group", "prep_group"},
            errorTitle=column.label,
            error=_("请从下拉列表中选择。"),
            promptTitle=column.label,
            prompt=_("请从下拉列表中选择。"),
        )
        rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        ws.add_data_validation(rule)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet(_("填写说明"))
    for line in (
        _("红色表头的列必须填写：%(columns)s。列的顺序可以调整，表头文字请勿修改。")
        % {"columns": "、".join(c.label for c in COLUMNS if c.required)},
        _("身份证号一列已设为“文本”格式，请直接填写 18 位号码。"),
        _("参加工作年月填“2008-09”或“2008.09”；日期填“2015-09-01”。"),
        _("学段只能填本校的学段：%(stages)s。") % {"stages": "、".join(lists["stage"])},
        _("教研组、备课组请填本校已有的组：%(groups)s。表中填写本校没有的组时，导入时须勾选“新建表中缺少的教研组/备课组”。")
        % {"groups": "、".join(research + prep) or _("（暂无）")},
        _("第 2 行是示例，导入前请改写或删除。"),
    ):
        xlsx.append(notes, [line])
    notes.column_dimensions["A"].width = 100
    return xlsx.to_bytes(wb)
