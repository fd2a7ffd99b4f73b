"""Column attributes shared by the django-tables2 tables of every app."""

# Columns a phone does not have room for: shown from the md breakpoint (768px) up.
SECONDARY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
# Long text that may wrap on a desk screen, so the phone column stays in view.
WRAPPING = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell text-wrap"}}
