"""Keyset pagination: pages never repeat or skip a record, even while records change.

A page is "the next ``page_size`` records after this one" in the queryset's order, which must be total
(the FilterSets end every order in ``id``). The cursor carries the ordering values of the record a page
starts after (or, going back, before), signed so that a client cannot make the server compare a date
column with a string. Editing, adding or removing other records never shifts a position the way an offset
does; a record whose own ordering value changes (its date, or updated_at under ``ordering=updated_at``)
moves to its new place, which is what a syncing client wants.

``count`` is exact up to COUNT_LIMIT; above it the count stops at the limit (``count_is_exact: false``),
found by counting a LIMITed subquery, so a page of a million matching records stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from proposals.numbers import parse_int

MAX_PAGE_SIZE = 500
COUNT_LIMIT = 1_000
_SALT = "npp_db.api.cursor"


@dataclass(frozen=True)
class Key:
    """One column of an order: its name, direction and where NULLs go (None: the column has no NULLs)."""

    name: str
    descending: bool
    nulls_last: bool | None = None

    def reversed(self) -> Key:
        return Key(self.name, not self.descending, None if self.nulls_last is None else not self.nulls_last)

    def order_by(self) -> OrderBy:
        if self.nulls_last is None:
            return F(self.name).desc() if self.descending else F(self.name).asc()
        nulls = {"nulls_last": True} if self.nulls_last else {"nulls_first": True}
        return F(self.name).desc(**nulls) if self.descending else F(self.name).asc(**nulls)

    def after(self, value: Any) -> Q:
        """Records strictly after ``value`` in this column's order."""
        if value is None:
            # After NULL: nothing when NULLs come last, every non-NULL value when they come first.
            return Q(**{f"{self.name}__isnull": False}) if self.nulls_last is False else Q(pk__in=[])
        condition = Q(**{f"{self.name}__{'lt' if self.descending else 'gt'}": value})
        if self.nulls_last:
            condition |= Q(**{f"{self.name}__isnull": True})
        return condition

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})

    @property
    def signature(self) -> str:
        nulls = {None: "", True: "~l", False: "~f"}[self.nulls_last]
        return f"{'-' if self.descending else ''}{self.name}{nulls}"


def ordering_keys(qs: QuerySet) -> list[Key]:
    """The order of a queryset as keys, ending in id (added when missing, so the order is total)."""
    model = qs.model
    ordering = list(qs.query.order_by) or list(model._meta.ordering)
    keys: list[Key] = []
    for item in ordering:
        if isinstance(item, str):
            descending = item.startswith("-")
            name = item.lstrip("-")
            key = Key(name, descending, _nullable(qs, name))
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            name = item.expression.name
            nulls_last = True if item.nulls_last else False if item.nulls_first else None
            if nulls_last is None and _nullable(qs, name):
                # The database's default: NULLs are largest on PostgreSQL, smallest on SQLite. Pin it.
                nulls_last = not item.descending
            key = Key(name, item.descending, nulls_last)
        else:
            raise TypeError(f"cannot paginate by {item!r}: order by field names or F() expressions")
        keys.append(Key("id", key.descending) if key.name == "pk" else key)
        if keys[-1].name == "id":
            break
    if not keys or keys[-1].name != "id":
        keys.append(Key("id", False))
    return keys


def _nullable(qs: QuerySet, name: str) -> bool | None:
    if name in qs.query.annotations:
        return None
    try:
        return True if qs.model._meta.get_field(name).null else None
    except FieldDoesNotExist:
        return None


def _field(qs: QuerySet, name: str):
    if name in qs.query.annotations:
        return qs.query.annotations[name].output_field
    return qs.model._meta.get_field(name)


def _encode_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def keyset_after(keys: list[Key], values: list[Any]) -> Q:
    """Records strictly after the row with these values, in the order the keys describe."""
    condition = Q(pk__in=[])
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        condition |= prefix & key.after(value)
        prefix &= key.equal(value)
    return condition


class KeysetPagination(BasePagination):
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    max_page_size = MAX_PAGE_SIZE
    count_limit = COUNT_LIMIT

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return cast(int, api_settings.PAGE_SIZE)
        size = parse_int(raw, minimum=1, maximum=self.max_page_size)
        if size is None:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"应为 1 到 {self.max_page_size} 之间的整数，而不是“{raw[:50]}”。"
                    ]
                }
            )
        return size

    def _decode_cursor(self, request, qs: QuerySet, keys: list[Key]) -> tuple[bool, list[Any]] | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        error = ValidationError(
            {self.cursor_query_param: ["无效的游标：请使用上一页响应中的 next/previous 链接。"]}
        )
        try:
            payload = signing.Signer(salt=_SALT).unsign_object(raw)
        except (signing.BadSignature, ValueError, UnicodeError):
            raise error from None
        if not isinstance(payload, dict) or payload.get("o") != [k.signature for k in keys]:
            raise error  # made for another ordering
        values = payload.get("v")
        if not isinstance(values, list) or len(values) != len(keys):
            raise error
        try:
            values = [
                None if v is None else _field(qs, k.name).to_python(v)
                for k, v in zip(keys, values, strict=True)
            ]
        except (DjangoValidationError, TypeError, ValueError):
            raise error from None
        return bool(payload.get("r")), values

    @staticmethod
    def _encode_cursor(keys: list[Key], values: list[Any], *, reverse: bool) -> str:
        payload: dict[str, Any] = {"o": [k.signature for k in keys], "v": [_encode_value(v) for v in values]}
        if reverse:
            payload["r"] = 1
        # A plain Signer, not signing.dumps: its timestamp would make the same page's links (and so its
        # ETag) change from one second to the next.
        return signing.Signer(salt=_SALT).sign_object(payload, compress=True)

    @staticmethod
    def _values(keys: list[Key], row) -> list[Any]:
        return [getattr(row, k.name) for k in keys]

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        if "page" in request.query_params:  # a page-number client would loop on page 1 for ever
            raise ValidationError(
                {
                    "page": [
                        "本接口不按页码分页，不支持 page 参数：请跟随响应中的 next 链接"
                        f"（其中的 {self.cursor_query_param} 参数标明下一页的位置）。"
                    ]
                }
            )
        self.page_size = self.get_page_size(request)
        keys = ordering_keys(queryset)
        cursor = self._decode_cursor(request, queryset, keys)
        self.count, self.count_is_exact = self._count(queryset)

        reverse, values = cursor if cursor else (False, None)
        walk_keys = [k.reversed() for k in keys] if reverse else keys
        qs = queryset.order_by(*(k.order_by() for k in walk_keys))
        if values is not None:
            qs = qs.filter(keyset_after(walk_keys, values))
        rows = list(qs[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
            has_next, has_previous = values is not None, more
        else:
            has_next, has_previous = more, values is not None
        self.next_cursor = self.previous_cursor = None
        if has_next:
            # An empty page reached backwards (the records before went away): forward resumes at the cursor.
            position = self._values(keys, rows[-1]) if rows else values or []
            self.next_cursor = self._encode_cursor(keys, position, reverse=False)
        if has_previous:
            position = self._values(keys, rows[0]) if rows else values or []
            self.previous_cursor = self._encode_cursor(keys, position, reverse=True)
        return rows

    def _count(self, queryset) -> tuple[int, bool]:
        from proposals.counts import bounded_count

        # Exact up to the limit, else the limit (count_is_exact false): a count of at most limit + 1 rows,
        # skipped when the planner expects many times the limit.
        count, exact = bounded_count(queryset, self.count_limit, estimated=False)
        return (count, True) if exact else (self.count_limit, False)

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_next_link(self) -> str | None:
        return self._link(self.next_cursor)

    def get_previous_link(self) -> str | None:
        return self._link(self.previous_cursor)

    def get_paginated_response(self, data) -> Response:
        next_link, previous_link = self.get_next_link(), self.get_previous_link()
        response = Response(
            {
                "count": self.count,
                "count_is_exact": self.count_is_exact,
                "page_size": self.page_size,
                "next": next_link,
                "previous": previous_link,
                "results": data,
            }
        )
        links = [f'<{u}>; rel="{rel}"' for u, rel in ((next_link, "next"), (previous_link, "prev")) if u]
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["count", "count_is_exact", "page_size", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "minimum": 0,
                    "description": f"Matching records; exact up to {COUNT_LIMIT}, above that capped at {COUNT_LIMIT}.",
                },
                "count_is_exact": {"type": "boolean", "description": "false when `count` was capped."},
                "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "Follow to the next page.",
                },
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a previous response's `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Records per page (default {api_settings.PAGE_SIZE}, at most {MAX_PAGE_SIZE}; more is a 400).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
