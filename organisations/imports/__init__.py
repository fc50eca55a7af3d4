"""Reading a member import file (CSV or XLSX) into checked rows, in steps:

- reading.py: the file as a table of cell texts (encodings, separators, Excel);
- columns.py: which column holds which field (Dutch and English names, the coordinator's
  mapping of the others);
- rows.py: every row checked, every problem with its line number (the header is line 1);
- matching.py: roles and teams as the organisation knows them.

organisations.services.member_import plans and performs the import."""

from .columns import (
    FIELDS,
    IGNORE,
    REQUIRED,
    Column,
    automatic_mapping,
    check_mapping,
    columns_of,
    header_row,
)
from .matching import check_against_organisation, find_role, find_team
from .problems import Problem
from .reading import MAX_BYTES, MAX_ROWS, read_table, read_upload
from .rows import ImportRow, ParsedFile, full_name, parse_table, parse_upload

# The header row of the template and of the format description.
TEMPLATE_HEADER = ["e-mail", "naam", "team", "rol", "coördinator", "startdatum"]

__all__ = [
    "FIELDS",
    "IGNORE",
    "MAX_BYTES",
    "MAX_ROWS",
    "REQUIRED",
    "TEMPLATE_HEADER",
    "Column",
    "ImportRow",
    "ParsedFile",
    "Problem",
    "automatic_mapping",
    "check_against_organisation",
    "check_mapping",
    "columns_of",
    "find_role",
    "find_team",
    "full_name",
    "header_row",
    "parse_table",
    "parse_upload",
    "read_table",
    "read_upload",
]
