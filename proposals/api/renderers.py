"""CSV for spreadsheets: one row per record, nested values flattened into dotted columns.

The columns come from the serializer, so every page of an endpoint has the same header, even an empty one.
A list inside a record (a proposal's delegates) becomes one cell with the values joined by "; ". The file
starts with a UTF-8 byte order mark so that Excel reads the Chinese text as UTF-8. A text cell that a
spreadsheet would run as a formula (=, +, -, @) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import IO, Any

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

BOM = "\ufeff"
SEPARATOR = "; "
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def serializer_columns(serializer: serializers.Serializer, prefix: str = "") -> list[str]:
    """Dotted column names for the fields of a serializer, nested serializers expanded."""
    columns: list[str] = []
    for name, field in serializer.fields.items():
        inner = field.child if isinstance(field, serializers.ListSerializer) else field
        if isinstance(inner, serializers.Serializer):
            columns.extend(serializer_columns(inner, f"{prefix}{name}."))
        else:
            columns.append(f"{prefix}{name}")
    return columns


def data_columns(rows: Iterable[Any]) -> list[str]:
    """Dotted column names found in the data itself (for responses without a serializer)."""
    seen: dict[str, None] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(inner, f"{prefix}{key}.")
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for item in value:
                walk(item, prefix)
        else:
            seen.setdefault(prefix[:-1], None)

    for row in rows:
        walk(row if isinstance(row, Mapping) else {"value": row}, "")
    return list(seen)


def _leaves(value: Any, path: list[str]) -> list[Any]:
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item, path)]
    if not path:
        return [] if value is None else [value]
    if isinstance(value, Mapping) and path[0] in value:
        return _leaves(value[path[0]], path[1:])
    return []


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return f"'{text}" if isinstance(value, str) and text.startswith(_FORMULA_START) else text


def flatten(row: Mapping, columns: list[str]) -> list[str]:
    return _flatten(row, [column.split(".") for column in columns])


def _flatten(row: Mapping, paths: list[list[str]]) -> list[str]:
    return [SEPARATOR.join([_cell(v) for v in _leaves(row, path)]) for path in paths]


def write_csv(stream: IO[str], columns: list[str], rows: Iterable[Mapping], *, bom: bool = True) -> int:
    """Write a header and the rows; return how many rows."""
    if bom:
        stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    paths = [column.split(".") for column in columns]
    count = 0
    for row in rows:
        writer.writerow(_flatten(row, paths))
        count += 1
    return count


class CSVRenderer(BaseRenderer):
    """``?format=csv``: the records of a page (or one record) as CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        renderer_context = renderer_context or {}
        view = renderer_context.get("view")
        if isinstance(data, Mapping) and isinstance(data.get("results"), list):
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        elif data is None:
            rows = []
        else:
            rows = [data]
        columns = None
        if (
            view is not None
            and hasattr(view, "get_serializer_class")
            and getattr(view, "serializer_class", None)
        ):
            columns = serializer_columns(view.get_serializer_class()())
        if not columns:
            columns = data_columns(rows)
        response = renderer_context.get("response")
        if response is not None and view is not None and getattr(view, "basename", None):
            response["Content-Disposition"] = f'attachment; filename="npp_db-{view.basename}s.csv"'
        stream = io.StringIO()
        write_csv(stream, columns, rows)
        return stream.getvalue().encode("utf-8")
