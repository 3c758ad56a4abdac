"""What every page shares: pagination from ``page`` / ``page_size`` and filter forms that never fail."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page

from proposals.counts import EstimatedPaginator
from proposals.numbers import parse_int

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE_NUMBER = 10**9 - 1


@dataclass
class Paged:
    page: Page
    page_size: int
    notices: list[str] = field(default_factory=list)

    @property
    def objects(self):
        return self.page.object_list


def _positive_int(raw: str | None) -> int | None:
    return parse_int(raw, minimum=1, maximum=MAX_PAGE_NUMBER)


def paginate(request, queryset, default_size: int = DEFAULT_PAGE_SIZE) -> Paged:
    """One page of the queryset: a bounded COUNT (exact up to COUNT_EXACT_LIMIT, estimated above it) and a
    LIMIT/OFFSET query. Bad numbers give a notice, not an error."""
    notices: list[str] = []
    raw_size = request.GET.get("page_size")
    size = _positive_int(raw_size) if raw_size else default_size
    if size is None:
        notices.append(f"每页条数“{raw_size}”无效，已按每页 {default_size} 条显示。")
        size = default_size
    elif size > MAX_PAGE_SIZE:
        notices.append(f"每页最多 {MAX_PAGE_SIZE} 条，已按 {MAX_PAGE_SIZE} 条显示。")
        size = MAX_PAGE_SIZE
    paginator = EstimatedPaginator(queryset, size)
    raw_page = request.GET.get("page")
    number = _positive_int(raw_page) if raw_page else 1
    if number is None:
        notices.append(f"页码“{raw_page}”无效，已显示第 1 页。")
        number = 1
    elif number > paginator.num_pages:
        notices.append(f"没有第 {number} 页（共 {paginator.num_pages} 页），已显示最后一页。")
        number = paginator.num_pages
    return Paged(paginator.page(number), size, notices)


def bind_filterset(filterset_class, data, queryset):
    """A validated filterset and the messages of the values it had to drop.

    Invalid values (an unknown theme, a non-numeric id, a bad date) are reported and left out; the other
    filters still apply, so the reader sees a useful page and what to correct.
    """
    filterset = filterset_class(data, queryset=queryset)
    if filterset.is_valid():
        return filterset, []
    errors: list[str] = []
    cleaned = data.copy()
    for name, messages in filterset.form.errors.items():
        label = filterset.form.fields[name].label if name in filterset.form.fields else "筛选条件"
        errors.extend(f"{label}：{message}" for message in messages)
        cleaned.pop(name, None)
    filterset = filterset_class(cleaned, queryset=queryset)
    filterset.is_valid()
    return filterset, errors
