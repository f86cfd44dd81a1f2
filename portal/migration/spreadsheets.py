"""Reading product rows from an uploaded CSV or XLSX file, and writing the template to fill in.

Rows come back as (row number as the person sees it in their spreadsheet, {column: text}); a file
that cannot be read, is too big or lacks required columns is refused as a whole.
"""

from __future__ import annotations

import csv
import io

from portal.core.errors import ApplicationError

from .product_data import COLUMN_HELP, COLUMNS, EXAMPLE, REQUIRED

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_rows(upload) -> list[tuple[int, dict]]:
    """The product rows of an uploaded ``.csv`` or ``.xlsx`` file (an UploadedFile or anything with
    ``name`` and ``read``)."""
    name = (getattr(upload, "name", "") or "").lower()
    content = upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ApplicationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.", field="file")
    if name.endswith(".xlsx"):
        table = _xlsx_table(content)
    elif name.endswith(".csv"):
        table = _csv_table(content)
    else:
        raise ApplicationError("Upload a .csv or .xlsx file (download the template to start from).", field="file")
    return _rows(table)


def _csv_table(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError("The CSV file is not UTF-8 text; save it as “CSV UTF-8”.", field="file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_table(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ApplicationError("The file is not an Excel workbook (.xlsx) that can be read.", field="file")
    table = []
    for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2):
        table.append(["" if value is None else str(value) for value in row])
    return table


def _rows(table: list[list[str]]) -> list[tuple[int, dict]]:
    if not table:
        raise ApplicationError("The file is empty.", field="file")
    header = [str(cell).strip().lower().replace(" ", "_") for cell in table[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ApplicationError(f"The first row must name the columns; missing: {', '.join(missing)} "
                               "(download the template).", field="file")
    unknown = [column for column in header if column and column not in COLUMNS]
    if unknown:
        raise ApplicationError(f"Unknown columns: {', '.join(unknown[:5])} (the template names them all).",
                               field="file")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(str(cell).strip() for cell in cells):
            continue  # blank lines between rows
        rows.append((number, {column: cells[i] if i < len(cells) else "" for i, column in enumerate(header)
                              if column}))
        if len(rows) > MAX_ROWS:
            raise ApplicationError(f"At most {MAX_ROWS} products per file.", field="file")
    return rows


def csv_template() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerow(EXAMPLE)
    return out.getvalue()


def xlsx_template() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Products"
    sheet.append(COLUMNS)
    sheet.append([EXAMPLE[column] for column in COLUMNS])
    help_sheet = book.create_sheet("How to fill it in")
    help_sheet.append(["column", "required", "values"])
    for column in COLUMNS:
        help_sheet.append([column, "yes" if column in REQUIRED else "no", COLUMN_HELP.get(column, "text")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
