"""Duty lists and assessment (职责清单, 据单督查, 按单考核).

- Scheme (考核细则): one a year (or several), owned by the county, covering units by type and/or by name.
- Indicator: a two-level tree — categories (parent None, no scoring) and items under them. An item has points,
  a scoring method, required evidence, a frequency and deadline, an applicability (共性/个性) and optionally an
  automatic rule over a registered figure (core.metrics).
- Submission: a unit's evidence for one item and one occurrence (period_key); its review steps are
  SubmissionStep rows, its files SubmissionAttachment, its links to existing records SubmissionLink.
- ReminderLetter (发函提醒), Notice (通报), FinalResult (a unit's result for a scheme, with commendation).
- Holiday / CalendarYear: the working-day calendar (see duties.workdays).

Permissions: the county-level models carry the custom action "manage" (管理), granted to county staff only;
Submission carries "review" (审核) besides view/add/change/export. See accounts/roles.py.
"""

from .calendar import CalendarYear, Holiday
from .documents import FinalResult, Notice, ReminderLetter
from .indicators import Indicator
from .schemes import Scheme, replace_year_in_title, shift_year
from .submissions import Submission, SubmissionAttachment, SubmissionLink, SubmissionStep

__all__ = [
    "CalendarYear", "FinalResult", "Holiday", "Indicator", "Notice", "ReminderLetter", "Scheme", "Submission",
    "SubmissionAttachment", "SubmissionLink", "SubmissionStep", "replace_year_in_title", "shift_year",
]
