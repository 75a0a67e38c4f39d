"""Every change to growth data goes through these functions; each checks
permission and content and writes its audit row in one transaction.

- :mod:`.tiers`: terms, the tier rule, tiers per school year, titles.
- :mod:`.templates`: task templates (adopt a preset, edit from the next period, retire).
- :mod:`.records`: records that count (submit, review, credit).
- :mod:`.mentors`: mentor pairs, their activities, summaries and assessment (credit for both sides).
- :mod:`.plans`: development plans and term goals.
- :mod:`.years`: the year-end assessment of a growth record and the school's sign-off.

The importer of past records is :mod:`yanxiu.growth.importing`.
"""

from .mentors import activity_confirm, activity_log, pair_assess, pair_cancel, pair_create, summary_submit  # noqa: F401
from .plans import goal_outcome, goal_review, goal_submit, plan_review, plan_submit  # noqa: F401
from .records import record_resubmit, record_review, record_submit  # noqa: F401
from .templates import template_adopt, template_create, template_edit, template_retire  # noqa: F401
from .tiers import (  # noqa: F401
    tier_assign,
    tier_rule_set,
    tiers_recompute,
    terms_set,
    title_add,
    title_review,
)
from .years import year_review_write, year_sign_off  # noqa: F401
