"""Writing a checked roster: accounts, people, employments and group
memberships in bulk, inside the caller's transaction.

Called only when the whole file passed :mod:`.read` and :mod:`.check`; the
caller (:func:`yanxiu.org.roster.import_roster`) holds the transaction and
records the audit event.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from yanxiu.accounts.models import User
from yanxiu.core import audit, history
from yanxiu.core.events import Event

from ..choices import GroupKind, Position
from ..models import Employment, Group, Person, School
from .check import _chunks, _Known
from .read import _Row

BATCH_SIZE = 1000
CHANGE_REASON = "花名册导入"

_EMPLOYMENT_FIELDS = ("stage", "subject", "title", "education", "employment_type", "teaching_since")


def _insert_plain(model: type, attnames: list[str], values: list[tuple[Any, ...]]) -> None:
    """INSERT rows whose values are already database values (ints, strings, bools,
    datetimes): ``COPY`` on PostgreSQL, ``executemany`` (a prepared statement
    run in C) elsewhere. Used for the membership links and the accounts, where
    ``bulk_create`` would spend most of its time preparing 10,000 x N values that
    need no preparing."""
    if not values:
        return
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(model._meta.get_field(name).column) for name in attnames)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(attnames))})"
        for chunk in _chunks(values, BATCH_SIZE):
            cursor.executemany(sql, list(chunk))


def _insert_accounts(entries: list[tuple[str, str]]) -> dict[str, int]:
    """Create accounts from (username, display name) pairs; returns username -> id.

    Every account gets ``must_change_password`` and an unusable password (as
    ``set_unusable_password`` would set it); every other column gets the value
    a new ``User()`` has, prepared for the database once for all rows.
    """
    if not entries:
        return {}
    prototype = User(must_change_password=True, date_joined=timezone.now())
    varying = ("username", "display_name", "password")
    fields = [f for f in User._meta.concrete_fields if not f.primary_key and f.attname not in varying]
    constants = tuple(f.get_db_prep_save(f.pre_save(prototype, True), connection) for f in fields)
    _insert_plain(
        User,
        [*varying, *(f.attname for f in fields)],
        [(username, name[:60], _unusable_password(), *constants) for username, name in entries],
    )
    table = connection.ops.quote_name(User._meta.db_table)
    username_column = connection.ops.quote_name(User._meta.get_field("username").column)
    id_column = connection.ops.quote_name(User._meta.pk.column)
    ids: dict[str, int] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks([username for username, _name in entries], 900):
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {username_column}, {id_column} FROM {table} WHERE {username_column} IN ({placeholders})",
                list(chunk),
            )
            ids.update(cursor.fetchall())
    return ids


def _unusable_password() -> str:
    """What ``make_password(None)`` stores (the prefix and a random suffix), but
    from ``secrets.token_urlsafe``: about fifty times faster than get_random_string
    character by character, which matters for 10,000 accounts."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(UNUSABLE_PASSWORD_SUFFIX_LENGTH)[:UNUSABLE_PASSWORD_SUFFIX_LENGTH]


def _existing_usernames(names: Iterable[str]) -> set[str]:
    """Which of ``names`` are taken. Plain SQL: for 10,000 names the ORM spends
    more time compiling the IN parameters than the database spends answering."""
    wanted = sorted(set(names))
    table = connection.ops.quote_name(User._meta.db_table)
    column = connection.ops.quote_name(User._meta.get_field("username").column)
    found: set[str] = set()
    with connection.cursor() as cursor:
        for chunk in _chunks(wanted, 900):
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} IN ({placeholders})", list(chunk))
            found.update(name for (name,) in cursor.fetchall())
    return found


def _allocate_usernames(rows: list[_Row], draw: Callable[[int], list[str]]) -> dict[int, str]:
    """Username per row: ``t`` + 7 random characters (accounts.otp), carrying no
    digits of the ID number or phone; a name already taken is drawn again."""
    result: dict[int, str] = {}
    pending = [row.row for row in rows]
    while pending:
        names = draw(len(pending))
        taken = _existing_usernames(names) | set(result.values())
        retry: list[int] = []
        for row_number, name in zip(pending, names, strict=True):
            if name in taken:
                retry.append(row_number)
            else:
                taken.add(name)
                result[row_number] = name
        pending = retry
    return result


def _ensure_groups(*, actor, school: School, rows: list[_Row], known: _Known) -> list[str]:
    """Create the groups the file names and the school does not have yet.

    A new group's subject is the subject of its members when they all teach
    the same one (语文组), else blank (综合组); a new 备课组 belongs to the
    教研组 named beside it in its first row.
    """
    subjects: dict[str, set[str]] = {}
    first_row: dict[str, _Row] = {}
    for row in rows:
        for name in (row.research_group, row.prep_group):
            if name:
                subjects.setdefault(name, set()).add(row.subject)
                first_row.setdefault(name, row)
    history_user = actor if getattr(actor, "pk", None) else None
    created: list[str] = []
    for kind in (GroupKind.RESEARCH, GroupKind.PREPARATION):
        for name, row in first_row.items():
            if name in known.groups or (name == row.research_group) != (kind == GroupKind.RESEARCH):
                continue
            group = Group(
                school=school,
                name=name,
                kind=kind,
                subject=next(iter(subjects[name])) if len(subjects[name]) == 1 else "",
                parent=known.groups.get(row.research_group) if kind == GroupKind.PREPARATION and row.research_group else None,
            )
            group._history_user = history_user  # read by simple_history
            group.save()
            known.groups[name] = group
            created.append(name)
            audit.record(actor=actor, event=Event.GROUP_CREATE, target=group, school=school, name=name, via="roster.import")
    return created


def write_rows(
    *,
    actor,
    school: School,
    rows: list[_Row],
    known: _Known,
    history_on_create: bool,
    draw_usernames: Callable[[int], list[str]],
) -> tuple[int, int, int, list[str]]:
    """Write the validated rows. Returns (created, updated, unchanged, groups created).

    ``history_on_create``: whether created people and employments get their
    history rows; ``draw_usernames(n)`` gives n candidate account names.
    """
    writer = _Writer(actor=actor, school=school, known=known, history_on_create=history_on_create)
    groups_created = _ensure_groups(actor=actor, school=school, rows=rows, known=known)
    new_rows, update_rows = writer.split(rows)
    user_id_by_row = writer.create_accounts(new_rows, draw_usernames)
    changed_person_ids = writer.save_people(new_rows, update_rows, user_id_by_row)
    new_employments = writer.create_employments(new_rows)
    changed_rows = writer.update_employments(update_rows)
    changed_rows |= {row.row for row, _e in update_rows if known.persons[row.info.number].pk in changed_person_ids}  # type: ignore[union-attr]
    changed_rows |= _write_memberships(new_rows=new_rows, new_employments=new_employments, update_rows=update_rows, known=known)
    updated = len({row.row for row, _e in update_rows} & changed_rows)
    return len(new_rows), updated, len(update_rows) - updated, groups_created


class _Writer:
    """The steps of :func:`write_rows`, sharing the school, what is known and who writes."""

    def __init__(self, *, actor, school: School, known: _Known, history_on_create: bool) -> None:
        self.school, self.known, self.history_on_create = school, known, history_on_create
        self.history_user = actor if getattr(actor, "pk", None) else None
        self.today = timezone.localdate()

    def bulk_create(self, objs: list[Any], model: type) -> None:
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        if self.history_on_create:
            history.record_created(model, [obj.pk for obj in objs], user=self.history_user, reason=CHANGE_REASON)

    def bulk_update(self, objs: list[Any], model: type, fields: list[str]) -> None:
        bulk_update_with_history(
            objs, model, fields, batch_size=BATCH_SIZE, default_user=self.history_user, default_change_reason=CHANGE_REASON
        )

    def split(self, rows: list[_Row]) -> tuple[list[_Row], list[tuple[_Row, Employment]]]:
        """The rows that start an employment at this school, and those that update a current one."""
        new_rows: list[_Row] = []
        update_rows: list[tuple[_Row, Employment]] = []
        for row in rows:
            person = self.known.persons.get(row.info.number)  # type: ignore[union-attr]
            employment = self.known.current.get(person.pk) if person is not None else None
            if employment is not None:
                update_rows.append((row, employment))
            else:
                new_rows.append(row)
        return new_rows, update_rows

    def create_accounts(self, new_rows: list[_Row], draw: Callable[[int], list[str]]) -> dict[int, int]:
        """One account per person that has none yet. Returns row number -> account id."""
        need_account = [
            row for row in new_rows if (p := self.known.persons.get(row.info.number)) is None or p.user_id is None  # type: ignore[union-attr]
        ]
        usernames = _allocate_usernames(need_account, draw)
        account_ids = _insert_accounts([(usernames[row.row], row.name) for row in need_account])
        return {row.row: account_ids[usernames[row.row]] for row in need_account}

    def save_people(
        self, new_rows: list[_Row], update_rows: list[tuple[_Row, Employment]], user_id_by_row: dict[int, int]
    ) -> set[int]:
        """New people in bulk; known ones get the name/phone of the file and an account if
        missing. Returns the ids of the known people that changed."""
        known = self.known
        new_persons: list[Person] = []
        changed_persons: list[Person] = []
        persons_new_user: list[Person] = []
        for row in new_rows:
            info = row.info
            assert info is not None
            person = known.persons.get(info.number)
            user_id = user_id_by_row.get(row.row)
            if person is None:
                person = Person(
                    name=row.name,
                    gender=info.gender,
                    birth_date=info.birth_date,
                    id_number=info.number,
                    phone=row.phone,
                    user_id=user_id,
                )
                new_persons.append(person)
                known.persons[info.number] = person
            else:
                person.name, person.phone = row.name, row.phone or person.phone
                if user_id is not None:
                    person.user_id = user_id
                    persons_new_user.append(person)
                changed_persons.append(person)
        for row, _employment in update_rows:
            person = known.persons[row.info.number]  # type: ignore[union-attr]
            if person.name != row.name or (row.phone and person.phone != row.phone):
                person.name, person.phone = row.name, row.phone or person.phone
                changed_persons.append(person)
        if new_persons:
            self.bulk_create(new_persons, Person)
        if changed_persons:
            if persons_new_user:
                Person.objects.bulk_update(persons_new_user, ["user"], batch_size=BATCH_SIZE)
            self.bulk_update(changed_persons, Person, ["name", "phone"])
        return {p.pk for p in changed_persons}

    def create_employments(self, new_rows: list[_Row]) -> list[Employment]:
        """The employments the new rows start, in the order of the rows."""
        new_employments: list[Employment] = []
        for row in new_rows:
            person = self.known.persons[row.info.number]  # type: ignore[union-attr]
            new_employments.append(
                Employment(
                    person_id=person.pk,
                    school_id=self.school.pk,
                    start_date=row.start_date or self.today,
                    stage=row.stage,
                    subject=row.subject,
                    position=row.position or Position.TEACHER,
                    title=row.title,
                    education=row.education,
                    employment_type=row.employment_type,
                    teaching_since=row.teaching_since,
                    tier=row.tier or "",
                )
            )
        if new_employments:
            self.bulk_create(new_employments, Employment)
        return new_employments

    def update_employments(self, update_rows: list[tuple[_Row, Employment]]) -> set[int]:
        """Current employments take the values of their row (岗位, 梯队 and 到校日期
        only when given). Returns the numbers of the rows that changed something."""
        changed_employments: list[Employment] = []
        changed_rows: set[int] = set()
        update_fields = set(_EMPLOYMENT_FIELDS)
        for row, employment in update_rows:
            values = {key: getattr(row, key) for key in _EMPLOYMENT_FIELDS}
            for key in ("position", "tier", "start_date"):
                if getattr(row, key):
                    values[key] = getattr(row, key)
                    update_fields.add(key)
            if any(getattr(employment, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(employment, key, value)
                changed_employments.append(employment)
                changed_rows.add(row.row)
        if changed_employments:
            self.bulk_update(changed_employments, Employment, sorted(update_fields))
        return changed_rows


def _write_memberships(
    *,
    new_rows: list[_Row],
    new_employments: list[Employment],
    update_rows: list[tuple[_Row, Employment]],
    known: _Known,
) -> set[int]:
    """Group memberships named in the file: new employments join them; for known
    employments a named group replaces the membership of the same kind."""
    Through = Employment.groups.through
    links: list[tuple[int, int]] = []
    for row, employment in zip(new_rows, new_employments, strict=True):
        for name in (row.research_group, row.prep_group):
            if name:
                links.append((employment.pk, known.groups[name].pk))
    changed: set[int] = set()
    named = [(row, e) for row, e in update_rows if row.research_group or row.prep_group]
    if named:
        existing: dict[int, set[int]] = {}
        ids = [e.pk for _r, e in named]
        for chunk in _chunks(ids):
            for employment_id, group_id in Through.objects.filter(employment_id__in=chunk).values_list(
                "employment_id", "group_id"
            ):
                existing.setdefault(employment_id, set()).add(group_id)
        kind_of = {g.pk: g.kind for g in known.groups.values()}
        remove: list[tuple[int, int]] = []
        for row, employment in named:
            have = existing.get(employment.pk, set())
            for kind, name in ((GroupKind.RESEARCH, row.research_group), (GroupKind.PREPARATION, row.prep_group)):
                if not name:
                    continue
                target = known.groups[name].pk
                for group_id in have:
                    if group_id != target and kind_of.get(group_id) == kind:
                        remove.append((employment.pk, group_id))
                        changed.add(row.row)
                if target not in have:
                    links.append((employment.pk, target))
                    changed.add(row.row)
        by_group: dict[int, list[int]] = {}
        for employment_id, group_id in remove:
            by_group.setdefault(group_id, []).append(employment_id)
        for group_id, employment_ids in by_group.items():
            for chunk in _chunks(employment_ids):
                Through.objects.filter(group_id=group_id, employment_id__in=chunk).delete()
    _insert_plain(Through, ["employment_id", "group_id"], links)
    return changed
