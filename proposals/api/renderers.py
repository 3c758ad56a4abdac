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

from proposals import exports
from proposals.exports import FORMULA_START

BOM = "\ufeff"
SEPARATOR = "; "


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
    if isinstance(value, (dict, Mapping)) and path[0] in value:  # dict first: no ABC check for most
        return _leaves(value[path[0]], path[1:])
    return []


def cell(value: Any) -> str:
    """A cell of the flat formats: booleans as JSON writes them, the rest as the site's exports write it (a
    text a spreadsheet would read as a formula behind a quote: ``exports.FORMULA_START``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return exports.cell(value)


def flatten(row: Mapping, columns: list[str]) -> list[str]:
    return Flattener(columns)(row)


class Flattener:
    """The cells of a row for these columns, walking the row once (not once per column): column ``a.b.c``
    holds the leaves ``_leaves`` finds, in the same order (lists expanded at any depth, ``None`` left
    out), joined by ``SEPARATOR``. A bulk file has millions of rows."""

    def __init__(self, columns: list[str]):
        self.size = len(columns)
        # A tree of the columns' keys: key -> [column index or -1, subtree].
        self.tree: dict[str, list] = {}
        for index, column in enumerate(columns):
            node = self.tree
            *parents, last = column.split(".")
            for key in parents:
                node = node.setdefault(key, [-1, {}])[1]
            node.setdefault(last, [-1, {}])[0] = index

    def __call__(self, row: Any) -> list[str]:
        if type(row) is not dict:  # a list of records, a Mapping that is not a dict: the general walk
            leaves: list[list[Any]] = [[] for _ in range(self.size)]
            for item in _expanded([row]):
                if isinstance(item, (dict, Mapping)):
                    _collect(item, self.tree, leaves)
            return [_joined(values) for values in leaves]
        # A record (a dict; DRF's ReturnDict is one): a top-level text or number, most cells, directly.
        cells = [""] * self.size
        nested: list[list[Any]] | None = None
        for key, (index, subtree) in self.tree.items():
            value: Any = row.get(key)
            kind = type(value)
            if not subtree and index >= 0:
                if kind is str:
                    cells[index] = f"'{value}" if value.startswith(FORMULA_START) else value
                    continue
                if kind is int:
                    cells[index] = str(value)
                    continue
            if value is None:
                continue
            if nested is None:
                nested = [[] for _ in range(self.size)]
            _collect_value(value, index, subtree, nested)
        if nested is not None:
            for column, values in enumerate(nested):
                if values:
                    cells[column] = _joined(values)
        return cells


def _collect(mapping: Mapping, tree: dict[str, list], leaves: list[list[Any]]) -> None:
    for key, (index, subtree) in tree.items():
        if key in mapping:
            _collect_value(mapping[key], index, subtree, leaves)


def _collect_value(value: Any, index: int, subtree: dict[str, list], leaves: list[list[Any]]) -> None:
    for item in _expanded(value) if isinstance(value, list) else (value,):
        if item is None:
            continue
        if index >= 0:
            leaves[index].append(item)
        if subtree and isinstance(item, (dict, Mapping)):
            _collect(item, subtree, leaves)


def _expanded(values: list[Any]) -> list[Any]:
    """The values with the items of lists (at any depth) in their place."""
    out: list[Any] = []
    for value in values:
        if isinstance(value, list):
            out.extend(_expanded(value))
        else:
            out.append(value)
    return out


def _joined(values: list[Any]) -> str:
    if len(values) == 1:
        value = values[0]
        if type(value) is str:
            return f"'{value}" if value.startswith(FORMULA_START) else value
        if type(value) is int:
            return str(value)
    return SEPARATOR.join([cell(v) for v in values])


def write_csv(stream: IO[str], columns: list[str], rows: Iterable[Mapping], *, bom: bool = True) -> int:
    """Write a header and the rows; return how many rows."""
    if bom:
        stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    cells = Flattener(columns)
    count = 0
    for row in rows:
        writer.writerow(cells(row))
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
