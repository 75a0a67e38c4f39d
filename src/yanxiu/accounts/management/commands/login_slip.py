"""``yanxiu login_slip LOGIN``: a one-time password for one account, printed once.

For the operator: the first admin of a school (nobody at the school can print
their slip yet) or bureau staff. Teachers get theirs from their school admin.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yanxiu.accounts import services
from yanxiu.accounts.backends import find_user


class Command(BaseCommand):
    help = "Issue a one-time password for one account (username or phone) and print it once."

    def add_arguments(self, parser):
        parser.add_argument("login", help="username or phone")

    def handle(self, *args, login, **options):
        user = find_user(login)
        if user is None:
            raise CommandError("没有这个账号。")
        slip = services.initial_password_issue_by_operator(user=user)
        self.stdout.write(f"账号 username: {slip.username}\n")
        self.stdout.write(f"一次性密码 one-time password: {slip.password}\n")
        self.stdout.write(f"有效期至 expires: {timezone.localtime(slip.expires_at):%Y-%m-%d %H:%M}\n")
