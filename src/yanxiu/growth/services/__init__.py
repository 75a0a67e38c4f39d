"""Every change to growth data goes through these functions; each checks
permission and content and writes its audit row in one transaction.

- :mod:`.tiers`: terms, the tier rule, tiers per school year, titles.
- :mod:`.templates`: task templates (adopt a preset, edit from the next period, retire).
- :mod:`.records`: records that count (submit, review, credit).
"""

from .records import record_resubmit, record_review, record_submit  # noqa: F401
from .templates import template_adopt, template_edit, template_retire  # noqa: F401
from .tiers import (  # noqa: F401
    tier_assign,
    tier_rule_set,
    tiers_recompute,
    terms_set,
    title_add,
    title_review,
)
