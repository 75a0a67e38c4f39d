"""Shared fixtures: a small county, people in every role, and a browser.

Under CI=true a skipped test is a failure: the suite must really run on
PostgreSQL and in the browser there, not quietly skip.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from stdnum.cn import ric

DEMO_PASSWORD = "Yx-test-2026!"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English leaves
    English active on the thread, as it would for the next request served."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(autouse=True)
def _ledger_heads(settings, tmp_path):
    """Signed ledger heads written by one test stay in that test (never var/ledger-heads)."""
    settings.YANXIU_LEDGER_HEAD_DIR = tmp_path / "ledger-heads"


# --- CI: skipped means failed -------------------------------------------------

_skipped: list[str] = []


def _database_vendor() -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else "sqlite"


def pytest_collection_modifyitems(config, items):
    """Tests for one database run only in that database's pass of the suite.

    The suite runs twice (SQLite, then PostgreSQL); a test marked
    ``postgres_only`` or ``sqlite_only`` is deselected in the other pass
    rather than skipped, so that under CI a skip always means something is missing.
    A test that uses no database, and a browser test, runs in the SQLite pass only.
    """
    vendor = _database_vendor()
    keep, drop = [], []
    for item in items:
        if (vendor != "postgresql" and item.get_closest_marker("postgres_only")) or (
            vendor != "sqlite" and item.get_closest_marker("sqlite_only")
        ):
            drop.append(item)
        elif vendor == "postgresql" and not item.get_closest_marker("postgres_only") and (
            not _uses_database(item) or "live_server" in getattr(item, "fixturenames", ())
        ):
            # Touches no database (parsers, documents, the layering, subprocesses on their own SQLite
            # file): the SQLite pass has run it, a second run on PostgreSQL would test nothing more.
            # A browser flow runs once too, on SQLite, the database the product is served with; the
            # services and views it drives run on PostgreSQL in their own tests.
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


_DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                                "live_server"})


def _uses_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or not _DATABASE_FIXTURES.isdisjoint(
        getattr(item, "fixturenames", ()))


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI", "").lower() == "true" and _skipped:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"CI=true: {len(_skipped)} skipped test(s) count as failures:", red=True)
            for nodeid in _skipped[:50]:
                reporter.write_line(f"  {nodeid}", red=True)
        session.exitstatus = 1


# --- Helpers ------------------------------------------------------------------


def make_id_number(serial: int, *, birth: dt.date = dt.date(1985, 6, 15), male: bool = True, place: str = "430121") -> str:
    """A valid 18-digit ID number, unique per serial (0..499)."""
    seq = (serial * 2 + (1 if male else 0)) % 1000
    body = f"{place}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function expects a placeholder check digit


@pytest.fixture
def county(db):
    from yanxiu.org.models import Region

    province = Region.objects.create(code="430000", name="湖南省", level="province")
    city = Region.objects.create(code="430100", name="长沙市", level="city", parent=province)
    return Region.objects.create(code="430121", name="长沙县", level="county", parent=city)


@pytest.fixture
def other_county(county):
    from yanxiu.org.models import Region

    return Region.objects.create(code="430181", name="浏阳市", level="county", parent=county.parent)


@pytest.fixture
def school(county):
    from yanxiu.org.models import School

    return School.objects.create(code="4301210001", name="长沙县星沙第一小学", county=county, stage="primary")


@pytest.fixture
def school_b(county):
    from yanxiu.org.models import School

    return School.objects.create(code="4301210002", name="长沙县榔梨中学", county=county, stage="junior")


@pytest.fixture
def far_school(other_county):
    from yanxiu.org.models import School

    return School.objects.create(code="4301810001", name="浏阳市第一中学", county=other_county, stage="senior")


@pytest.fixture
def group(school):
    from yanxiu.org.models import Group

    return Group.objects.create(school=school, name="语文组", kind="research", subject="语文")


class People:
    """Factory for people with accounts, in roles."""

    def __init__(self):
        self.serial = 0

    def teacher(self, school, *, name=None, username=None, groups=(), male=True, phone=None, birth=dt.date(1985, 6, 15), **fields):
        from yanxiu.accounts.models import User
        from yanxiu.org.models import Employment, Person

        self.serial += 1
        n = self.serial
        user = User.objects.create_user(username=username or f"t{n}", password=DEMO_PASSWORD, display_name=name or f"教师{n}")
        person = Person.objects.create(
            name=name or f"教师{n}",
            gender="M" if male else "F",
            birth_date=birth,
            id_number=make_id_number(n, birth=birth, male=male),
            phone=phone or f"138{n:08d}",
            user=user,
        )
        employment = Employment.objects.create(
            person=person,
            school=school,
            start_date=dt.date(2020, 9, 1),
            stage=fields.pop("stage", school.stage),
            subject=fields.pop("subject", "语文"),
            education=fields.pop("education", "bachelor"),
            teaching_since=fields.pop("teaching_since", dt.date(2008, 9, 1)),
            **fields,
        )
        if groups:
            employment.groups.set(groups)
        return user

    def role(self, role, *, username, region=None, school=None, group=None, person_school=None):
        from yanxiu.accounts.models import RoleAssignment, User

        if person_school is not None:
            user = self.teacher(person_school, username=username)
        else:
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD, display_name=username)
        RoleAssignment.objects.create(user=user, role=role, region=region, school=school, group=group)
        return user


@pytest.fixture
def people(db):
    return People()


@pytest.fixture
def roles(people, county, school, school_b, far_school, group):
    """One user per role around ``school`` (plus a teacher at school_b and one far away)."""
    from types import SimpleNamespace

    leader = people.role("group_leader", username="leader", group=group, person_school=school)
    leader.person.employments.get().groups.add(group)
    member = people.teacher(school, username="member", groups=[group], name="组员")
    return SimpleNamespace(
        bureau=people.role("bureau_admin", username="bureau", region=county),
        centre=people.role("centre_staff", username="centre", region=county),
        school_admin=people.role("school_admin", username="schooladmin", school=school, person_school=school),
        other_admin=people.role("school_admin", username="otheradmin", school=school_b, person_school=school_b),
        far_bureau=people.role("bureau_admin", username="farbureau", region=far_school.county),
        leader=leader,
        member=member,
        teacher=people.teacher(school, username="teacher", name="张老师"),
        other_teacher=people.teacher(school_b, username="otherteacher", name="李老师"),
        presenter=people.role("presenter", username="presenter"),
    )


# --- Browser --------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page()`` opens a page in a fresh browser context (its own cookies)."""
    contexts = []

    def factory(*, mobile: bool = False):
        options = {"locale": "zh-CN", "base_url": live_server.url}
        if mobile:
            options.update(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        context = browser.new_context(**options)
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


def open_phone_menu(page):
    """Open the navbar's menu on a phone and wait until it has finished sliding open: a tap while it
    still moves can land on the link below the one aimed at."""
    page.click("button.navbar-toggler")
    page.locator("#nav.collapse.show").wait_for(state="visible")


def login(page, username: str, password: str = DEMO_PASSWORD, next_url: str = "/"):
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
