"""``yanxiu`` console script and ``python -m yanxiu``: Django's manage.py."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yanxiu.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0] if sys.argv[0].endswith("yanxiu") else "yanxiu", *sys.argv[1:]])


if __name__ == "__main__":
    main()
