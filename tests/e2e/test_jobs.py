"""In the browser: a school admin's long export and large roster import run as background jobs. The page
shows the progress bar while the job waits, the database worker runs it, and the page (polling with htmx)
turns into the download link or the import report by itself."""

import contextlib
import io
import re
import threading

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook
from stdnum.cn import ric

from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def jobs_for_all(settings, tmp_path):
    """Every export and import counts as long here."""
    settings.YANXIU_JOB_DIR = tmp_path / "jobs"
    settings.YANXIU_EXPORT_INLINE_ROWS = 0
    settings.YANXIU_IMPORT_INLINE_KB = 0


@pytest.fixture
def own_connections():
    """The worker thread needs its own connection, as the real worker has. An in-memory SQLite
    database (a bare ``pytest`` run) locks whole tables between connections: scripts/test.sh
    runs the suite on a database file (``YANXIU_TEST_SQLITE_NAME``) and on PostgreSQL."""
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs a database file or PostgreSQL: set YANXIU_TEST_SQLITE_NAME (scripts/test.sh does)")


@contextlib.contextmanager
def running_worker():
    """``yanxiu db_worker``'s loop in a thread of this process, on its own database connection."""
    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(queue_names=["default"], interval=0.2, batch=False, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="e2e-worker", excluded_queue_names=[])

    def run():
        try:
            worker.run()
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        worker.running = False
        thread.join(timeout=15)


def test_a_long_staff_export_shows_its_progress_then_the_download(own_connections, new_page, roles, jobs_for_all, tmp_path):
    page = new_page()
    login(page, "schooladmin", next_url="/org/staff/")
    page.click("text=导出 Excel（脱敏）")
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    bar = page.locator("#job-status .progress-bar")
    expect(page.locator("#job-status .progress")).to_be_visible()
    expect(page.locator("#job-status")).to_contain_text("排队中")
    assert bar.evaluate("el => el.style.width") == "0%"  # set from data-progress (no style attribute)
    assert page.locator("#job-download").count() == 0
    with running_worker():
        link = page.locator("#job-download")
        expect(link).to_be_visible(timeout=20000)  # the page polled itself; no reload
    assert bar.evaluate("el => el.style.width") == "100%"
    expect(page.locator("#job-status")).to_contain_text("已完成")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert re.fullmatch(r"教师名册-\d{8}-\d{4}\.xlsx", download.suggested_filename), download.suggested_filename
    path = tmp_path / "staff.xlsx"
    download.save_as(path)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes())).get_sheet_by_index(0).to_python()
    column = rows[0].index("姓名")
    assert "张老师" in [row[column] for row in rows[1:]]
    assert roles.teacher.person.id_number not in str(rows)  # masked as on the page


def id_number(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def test_a_large_roster_is_checked_and_imported_in_the_background(own_connections, new_page, roles, school, jobs_for_all,
                                                                 tmp_path):
    from yanxiu.org.models import Person

    first, second = id_number("43012119880412002"), id_number("43012119920918001")
    path = tmp_path / "roster.csv"
    path.write_bytes("\r\n".join([
        "姓名,性别,身份证号,手机,学段,学科,职称,学历,编制,参加工作年月,教研组",
        f"刘丽,女,{first},13700000001,小学,语文,一级教师,本科,在编,2010.09,语文组",
        f"陈刚,男,{second},13700000002,小学,数学,二级教师,大专,临聘,2015-09,语文组",
    ]).encode("gbk"))
    page = new_page()
    login(page, "schooladmin", next_url=f"/org/schools/{school.pk}/roster/")
    page.set_input_files("input[name=file]", str(path))
    page.click("text=上传并预览")
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status .progress")).to_be_visible()
    with running_worker():
        expect(page.locator("#job-result")).to_be_visible(timeout=20000)
        expect(page.locator("#job-status")).to_contain_text("检查通过")
        page.click("#job-result")
        expect(page.locator("#roster-ok")).to_be_visible()
        page.click("#roster-confirm")
        page.wait_for_url(re.compile(r"/jobs/\d+/$"))
        expect(page.locator("#job-status")).to_contain_text("导入成功", timeout=20000)
    assert Person.objects.filter(id_number__in=[first, second]).count() == 2
    page.click("#job-result")
    expect(page.locator("body")).to_contain_text("刘丽")
