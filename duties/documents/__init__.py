"""Reminder letters (发函提醒), progress notices (通报) and final results (按单考核, 表彰): what they say and the
Word documents made of them. Every figure comes from duties.assessment and every rank from
duties.ranking — nothing is scored here.

- Letters (letters.py): `candidates(scheme, cutoff)` lists the units with occurrences overdue on the cut-off day;
  `issue_letters(scheme, units, cutoff=, days=, user=)` writes one numbered letter per unit (统战提醒〔2026〕3号)
  with the overdue items and a deadline `days` working days after the day of issue (duties.workdays), stores
  the .docx on the letter and notifies the unit's users.
- Notices (notices.py): `notice_content(scheme, occurrence)` lays out the units ranked by progress and score
  within their unit type (duties.ranking), the lagging units with their missing items and the units that did
  everything due; `issue_notice` stores it (统战通报〔2026〕1号) with its .docx.
- Results (results.py): the final results — computed, ranked and stored by duties.ranking (`compute_results`,
  `finalise`) — as a Word document (`results_docx`) and the Excel export's columns.
- common.py: the Word templates and the placeholders each may use, dates and percentages as the documents
  write them, the issuing organ.

Scope: these are the county's documents about every unit a scheme assesses, made by those who manage them (the
views require "manage" on ReminderLetter, Notice or FinalResult). So they read, on purpose, every assessed unit's
submissions (Submission.objects.of_assessed_units), letters and results — not the records of the manager's scope;
what each reader then sees of them goes through `visible_to`.

The documents are rendered from what the letter or notice stored (its snapshot), so a download always gives
what was sent. The templates are duties/word_templates/*.docx, built by word_templates/build_templates.py;
`PLACEHOLDERS` lists what each may use.
"""
