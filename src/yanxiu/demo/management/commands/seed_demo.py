"""``yanxiu seed_demo``: load the demonstration county (see :mod:`yanxiu.demo.county`)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from yanxiu.core.db import refresh_planner_statistics
from yanxiu.demo import county


class Command(BaseCommand):
    HEARTBEAT = 15  # seconds without output before a "still working" line
    help = (
        "生成演示数据：湖南省长沙市长沙县的片区、学校、教研组/备课组、教师及演示账号（密码 yanxiu123）。"
        "同一 --seed 总是生成相同的数据；演示数据已存在时不做任何修改。"
        "批量写入不产生历史记录和操作记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--teachers", type=int, default=county.DEFAULT_TEACHERS,
            help=f"教师人数（默认 {county.DEFAULT_TEACHERS}；学校数按每校约 {county.TEACHERS_PER_SCHOOL} 人随之增加）",
        )
        parser.add_argument("--seed", type=int, default=county.DEFAULT_SEED, help="随机种子（默认 1）")
        parser.add_argument(
            "--no-activity", action="store_true",
            help="只生成组织数据，不生成研修活动（政策、项目、活动、考勤、反思、学时台账）、成长档案（梯队、任务模板、成长记录、师徒结对、发展规划）和教学常规（常规检查、集体备课、质量监测、教学比武、表彰）",
        )

    def handle(self, *args, teachers: int, seed: int, no_activity: bool = False, **options):
        verbosity = options["verbosity"]
        if county.demo_exists():
            self.stdout.write(self.style.WARNING("演示数据已存在（长沙县 430121），未做修改。"))
            self._print_logins()
            return
        if teachers < county.MIN_FIRST_SCHOOL:
            raise CommandError(f"--teachers 至少为 {county.MIN_FIRST_SCHOOL}。")

        started = time.monotonic()
        data = county.generate(teachers=teachers, seed=seed)
        if verbosity >= 1:
            self.stdout.write(
                f"已生成：{len(data.clusters)} 个片区，{len(data.schools)} 所学校，"
                f"{len(data.groups)} 个教研组/备课组，{len(data.teachers)} 名教师"
                f"（{time.monotonic() - started:.1f} 秒）。正在写入数据库……"
            )
        last = [-1]

        def progress(done: int, total: int) -> None:
            # Every tenth of the way (every step at -v2), so a long build never looks stuck.
            tenth = done * 10 // max(total, 1)
            if verbosity >= 2 or (verbosity >= 1 and tenth > last[0]):
                last[0] = tenth
                self.stdout.write(f"  {done * 100 // total}%（{time.monotonic() - started:.0f} 秒）")

        # One transaction for the whole county: a build stopped halfway (Ctrl-C, a crash) leaves
        # nothing behind, so the next run builds it all instead of finding a county without activity.
        try:
            with transaction.atomic():
                county.load(data, progress=progress)
                refresh_planner_statistics()
                self.stdout.write(f"组织数据已写入，用时 {time.monotonic() - started:.1f} 秒。")
                if not no_activity:
                    self._seed_activity(seed, verbosity)
        except DatabaseError as exc:
            raise CommandError(f"写入演示数据失败：{exc}。请在空数据库上运行（先执行 yanxiu migrate）。") from exc
        self.stdout.write(self.style.SUCCESS(f"演示数据已写入，用时 {time.monotonic() - started:.1f} 秒。"))
        self._print_logins()

    def _seed_activity(self, seed: int, verbosity: int) -> None:
        from yanxiu.demo import activity as demo_activity

        import threading

        started = time.monotonic()
        last = [started]
        if verbosity >= 1:
            self.stdout.write("正在生成一学年的研修活动（首次约一两分钟）……")

        def log(message: str) -> None:
            last[0] = time.monotonic()
            self.stdout.write(f"  {message}（{last[0] - started:.0f} 秒）")

        # A step can run for a minute or more: say so every HEARTBEAT seconds of silence.
        stop = threading.Event()

        def heartbeat() -> None:
            while not stop.wait(1):
                if time.monotonic() - last[0] >= self.HEARTBEAT:
                    log("……仍在生成，请稍候")

        beat = threading.Thread(target=heartbeat, daemon=True)
        if verbosity >= 1:
            beat.start()
        try:
            summary = demo_activity.seed_activity(seed=seed, log=log if verbosity >= 1 else None)
            refresh_planner_statistics()  # each step queries what the steps before it bulk-wrote
            # The resource library: slides, photos and records filed with the latest sessions.
            from yanxiu.demo import materials as demo_materials

            demo_materials.seed_materials(log=log if verbosity >= 1 else None)
            # Tiers, task lists, a term of growth records, mentor pairs and plans.
            from yanxiu.demo import growth as demo_growth

            growth = demo_growth.seed_growth(seed=seed, log=log if verbosity >= 1 else None)
            refresh_planner_statistics()
            # A term of routine checks and collective preparation, exams, a competition, commendations.
            from yanxiu.demo import routine as demo_routine

            routine = demo_routine.seed_routine(seed=seed, log=log if verbosity >= 1 else None)
            refresh_planner_statistics()
            # Document settings and two notices, the year-end summaries, the evaluation sheet.
            from yanxiu.demo import reports as demo_reports

            reports = demo_reports.seed_reports(log=log if verbosity >= 1 else None)
        finally:
            stop.set()
            if beat.is_alive():
                beat.join()
        if verbosity >= 1:
            for line in demo_activity.describe(summary) + demo_growth.describe(growth) + demo_routine.describe(routine) \
                    + demo_reports.describe(reports):
                self.stdout.write(line)

    def _print_logins(self) -> None:
        rows = county.login_rows()
        self.stdout.write("演示账号 (demo logins)：")
        self.stdout.write(county.format_table(("账号 username", "密码 password", "角色 role", "范围 scope"), rows))
        self.stdout.write("教师也可用手机号登录，密码同为 yanxiu123。")
