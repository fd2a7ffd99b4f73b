"""The parts of the ledger import (people.importers.LedgerImporter, on core.importing.framework): the cells of a
row (cells.py), the shape of a checked row (rows.py), matching the county and the ID lookup (match.py), the plan
and its update modes (plan.py) and the bulk writer (write.py)."""
