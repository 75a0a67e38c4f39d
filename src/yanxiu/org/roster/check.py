"""Checks of the parsed rows against the database (reads only): who is
already known, employed here or elsewhere, which groups and phones exist."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from yanxiu.org import scopes

from ..choices import GroupKind, Stage
from ..models import Employment, Group, Person, School
from ..services import phone_taken_message
from .read import _Row
from .report import _Collector

CHUNK = 500


@dataclass
class _Known:
    """What the database already holds about the people in the file."""

    persons: dict[str, Person]  # id_number -> person
    current: dict[int, Employment]  # person id -> current employment (school loaded)
    groups: dict[str, Group]  # name -> group of this school


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_known(school: School, rows: list[_Row]) -> _Known:
    numbers = [row.info.number for row in rows if row.info is not None]
    persons: dict[str, Person] = {}
    for chunk in _chunks(numbers):
        for person in Person.objects.filter(id_number__in=chunk):
            persons[person.id_number] = person
    current: dict[int, Employment] = {}
    person_ids = [p.pk for p in persons.values()]
    for chunk in _chunks(person_ids):
        for employment in Employment.objects.current().filter(person_id__in=chunk).select_related("school"):
            current[employment.person_id] = employment
    groups = {g.name: g for g in Group.objects.filter(school=school)}
    return _Known(persons=persons, current=current, groups=groups)


#: The 学段 a teacher's post may have at a school of each 学段: a 九年一贯制 school
#: has primary and junior posts, a 高中 (often a 完全中学) may have junior posts.
STAGES_OF_SCHOOL: dict[str, tuple[str, ...]] = {
    Stage.KINDERGARTEN: (Stage.KINDERGARTEN,),
    Stage.PRIMARY: (Stage.PRIMARY,),
    Stage.JUNIOR: (Stage.JUNIOR,),
    Stage.NINE_YEAR: (Stage.PRIMARY, Stage.JUNIOR, Stage.NINE_YEAR),
    Stage.SENIOR: (Stage.JUNIOR, Stage.SENIOR),
    Stage.VOCATIONAL: (Stage.VOCATIONAL,),
}


def stages_of_school(school: School) -> list[str]:
    """The 学段 values a roster row may name for ``school``."""
    return list(STAGES_OF_SCHOOL.get(school.stage, (school.stage,)))


def _group_list(known: _Known, kind: str) -> str:
    names = sorted(name for name, group in known.groups.items() if group.kind == kind)
    return "、".join(names) if names else _("（暂无）")


def _may_name_schools(actor):
    """Whether the report may say which other school employs an ID number: for the
    system (command line), superusers and region staff (bureau, centre) of that
    school's county; a school admin only learns it is registered elsewhere."""
    if actor is None:
        return lambda school: True
    s = scopes.scope_of(actor)
    return lambda school: s.superuser or school.county_id in s.region_counties


def _check_known(
    school: School, rows: list[_Row], known: _Known, errors: _Collector, *, create_groups: bool = False, actor=None
) -> None:
    may_name = _may_name_schools(actor)
    research_names = {row.research_group for row in rows if row.research_group}
    allowed_stages = stages_of_school(school)
    stage_labels = "、".join(str(Stage(s).label) for s in allowed_stages)
    for row in rows:
        if row.stage and row.stage not in allowed_stages:
            errors.add(
                row.row, "stage",
                _("学段“%(stage)s”不是本校的学段：%(school)s是%(school_stage)s，可填：%(allowed)s。")
                % {"stage": Stage(row.stage).label, "school": school.name, "school_stage": school.get_stage_display(),
                   "allowed": stage_labels},
            )
            row.failed = True
        if not create_groups:
            for key, kind, label in (("research_group", GroupKind.RESEARCH, _("教研组")), ("prep_group", GroupKind.PREPARATION, _("备课组"))):
                name = getattr(row, key)
                if name and name not in known.groups:
                    errors.add(
                        row.row, key,
                        _("本校没有名为“%(name)s”的%(kind)s。本校现有%(kind)s：%(existing)s。"
                          "请改成其中之一；确需新建，请勾选“新建表中缺少的教研组/备课组”（命令行：--create-groups）。")
                        % {"name": name, "kind": label, "existing": _group_list(known, kind)},
                    )
                    row.failed = True
        person = known.persons.get(row.info.number) if row.info is not None else None
        employment = known.current.get(person.pk) if person is not None else None
        if employment is not None and employment.school_id != school.pk:
            if may_name(employment.school):
                message = _("该身份证号已登记在“%(school)s”（在职），不能重复导入；如已调入本校，请由原学校或教育局办理调动。") % {
                    "school": employment.school.name}
            else:
                message = _("该身份证号已在其他学校登记（在职），不能重复导入；如已调入本校，请由原学校或教育局办理调动。")
            errors.add(row.row, "id_number", message)
            row.failed = True
        research = known.groups.get(row.research_group) if row.research_group else None
        if research is not None and research.kind != GroupKind.RESEARCH:
            errors.add(row.row, "research_group", _("“%(name)s”是本校的备课组，不是教研组。") % {"name": row.research_group})
            row.failed = True
        prep = known.groups.get(row.prep_group) if row.prep_group else None
        if prep is not None and prep.kind != GroupKind.PREPARATION:
            errors.add(row.row, "prep_group", _("“%(name)s”是本校的教研组，不是备课组。") % {"name": row.prep_group})
            row.failed = True
        elif prep is None and row.prep_group in research_names:
            errors.add(
                row.row,
                "prep_group",
                _("“%(name)s”在其他行填作教研组，教研组和备课组不能同名。") % {"name": row.prep_group},
            )
            row.failed = True
    _check_phones(rows, known, errors)


def _check_phones(rows: list[_Row], known: _Known, errors: _Collector) -> None:
    """A phone logs its owner in, so it belongs to one person: not two rows of
    the file, not someone else already in the system."""
    first: dict[str, int] = {}
    for row in rows:
        if not row.phone:
            continue
        if row.phone in first:
            errors.add(
                row.row,
                "phone",
                _("手机号与第 %(first)d 行相同，一个手机号只能登记给一人。") % {"first": first[row.phone]},
            )
            row.failed = True
        else:
            first[row.phone] = row.row
    owners: dict[str, int] = {}
    for chunk in _chunks(list(first)):
        owners.update(Person.objects.filter(phone__in=chunk).values_list("phone", "pk"))
    for row in rows:
        owner = owners.get(row.phone) if row.phone else None
        if owner is None:
            continue
        person = known.persons.get(row.info.number) if row.info is not None else None
        if person is None or person.pk != owner:
            errors.add(row.row, "phone", phone_taken_message())
            row.failed = True


def _current_here(row: _Row, known: _Known, school: School) -> Employment | None:
    person = known.persons.get(row.info.number) if row.info is not None else None
    employment = known.current.get(person.pk) if person is not None else None
    return employment if employment is not None and employment.school_id == school.pk else None
