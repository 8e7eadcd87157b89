"""Read back the CSV files the admin writes for spreadsheets (see events/admin.py)."""

from __future__ import annotations

import csv
import io
import re

QUOTED = r'"(?:[^"]|"")*"'  # one field in quotes ("" for a quote); may hold ; and newlines
ROW = rf"(?:{QUOTED}(?:;{QUOTED})*)?"  # a row of quoted fields, or an empty row


def read_csv(response) -> list[list[str]]:
    """The rows of a CSV response, after checking its format: UTF-8 with a BOM, ";"
    between fields, every field in quotes, rows ending in CRLF."""
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff"), "no BOM: Excel would read the accents wrong"
    body = raw.removeprefix("\ufeff")
    assert re.fullmatch(rf"(?:{ROW}\r\n)+", body), f"a field without quotes: {body!r}"
    return list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))
