"""Every change to routine data goes through these functions; each checks
permission and content and writes its audit row in one transaction.

- :mod:`.checks`: kinds of routine check (the seeds' presets), checks with a finding per teacher, feedback.
- :mod:`.preps`: collective preparations with attendance and plan, each teacher's 二次备课.
- :mod:`.quality`: the school's lines and targets of quality monitoring (the seed's preset).
- :mod:`.students`: teaching assignments (任课) and student files (学困生档案) with plan and notes.
- :mod:`.competitions`: competitions, their scoring sheet, panel and entries, judges' scores, publication
  (awards into the teachers' growth records and the ledger).
- :mod:`.commendations`: 先进教研组, 先进个人 and 通报批评.

The importer of exam scores is :mod:`yanxiu.routine.importing`.
"""

from .checks import check_kind_save, check_kinds_ensure, check_record, finding_feedback  # noqa: F401
from .commendations import commendation_record  # noqa: F401
from .competitions import (  # noqa: F401
    competition_create,
    competition_publish,
    entry_add,
    entry_remove,
    items_set,
    judge_add,
    judge_remove,
    score_submit,
)
from .preps import prep_record, prep_update, second_prep_save  # noqa: F401
from .quality import quality_preset_apply, quality_settings_set, quality_target_delete, quality_target_set  # noqa: F401
from .students import student_file_plan, student_files_open, student_note_add, teaching_set  # noqa: F401
