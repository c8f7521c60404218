"""Evidence reports: assessor-grade PDFs (WeasyPrint) and Excel workbooks (openpyxl).

One module per report builds a plain-data context (dataclasses and dicts, never ORM objects);
:mod:`app.reports.service` numbers, renders, checksums and stores what is issued;
:mod:`app.reports.jobs` runs large reports in the background. The blueprint lives in
:mod:`app.reports.views` (not imported here, to keep the package free of import cycles).
"""
