"""RSS and Atom feeds of newly published proposals (Django's syndication framework).

One feed, narrowed like the proposal list: overall (``/feeds/``, which takes the list's own parameters, so
``/feeds/?q=人工智能&theme=…`` follows a search), and per theme, delegate and region. Newest publication first.
Every page announces its feed with ``<link rel="alternate">`` (``feed_links``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import F
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from proposals.filters import ProposalFilterSet, is_record_id
from proposals.models import Delegate, Proposal, Region, Theme

ITEMS = 50


@dataclass
class Selection:
    title: str
    link: str
    params: QueryDict


def _params(**values) -> QueryDict:
    params = QueryDict(mutable=True)
    for key, value in values.items():
        params[key] = str(value)
    return params


def selection_for(request, kind: str = "", key: str = "") -> Selection:
    if kind and kind not in ("theme", "delegate", "region"):
        raise Http404("没有这种订阅")
    if kind == "delegate" and not is_record_id(key):
        raise Http404("没有这位代表委员")
    if kind == "theme":
        theme = get_object_or_404(Theme, slug=key)
        return Selection(f"主题：{theme.name}", theme.get_absolute_url(), _params(theme=theme.slug))
    if kind == "delegate":
        delegate = get_object_or_404(Delegate.objects.published(), pk=key)
        return Selection(delegate.name, reverse("delegate-detail", args=[delegate.pk]), _params(delegate=key))
    if kind == "region":
        region = get_object_or_404(Region, slug=key)
        return Selection(region.full_name, reverse("region-detail", args=[region.slug]), _params(region=key))
    params = request.GET.copy()
    for name in ("page", "page_size", "ordering", "format"):
        params.pop(name, None)
    q = params.get("q", "").strip()
    title = f"检索“{q}”" if q else ("筛选结果" if params else "全部建言")
    link = reverse("proposal-list") + (f"?{params.urlencode()}" if params else "")
    return Selection(title, link, params)


class ProposalFeed(Feed):
    description_template = None

    def get_object(self, request, kind: str = "", key: str = ""):
        return selection_for(request, kind, key)

    def title(self, obj: Selection) -> str:
        return f"{obj.title} · npp_db 代表委员建言数据库"

    def link(self, obj: Selection) -> str:
        return obj.link

    def description(self, obj: Selection) -> str:
        return f"{obj.title}：新发布的代表委员建言（数据以 CC BY 4.0 发布）。"

    def items(self, obj: Selection):
        filterset = ProposalFilterSet(obj.params, queryset=Proposal.objects.published())
        if not filterset.is_valid():
            raise Http404("无效的筛选条件")
        return filterset.qs.order_by(F("first_published_at").desc(nulls_last=True), "-id").prefetch_related(
            "authorships__delegate", "themes"
        )[:ITEMS]

    def item_title(self, item: Proposal) -> str:
        names = "、".join(a.delegate.name for a in item.authorships.all())
        return f"{names}：{item.title}" if names else item.title

    def item_description(self, item: Proposal) -> str:
        return item.summary or item.text[:300]

    def item_link(self, item: Proposal) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Proposal):
        return item.first_published_at or item.updated_at

    def item_updateddate(self, item: Proposal):
        return item.updated_at

    def item_categories(self, item: Proposal):
        return [t.name for t in item.themes.all()]


class AtomProposalFeed(ProposalFeed):
    feed_type = Atom1Feed
    subtitle = ProposalFeed.description


def feed_links(kind: str = "", key: str = "", query: str = "") -> list[tuple[str, str, str]]:
    """(type, title, url) of the RSS and Atom feeds for a page."""
    if kind:
        rss, atom = reverse("feed", args=[kind, key]), reverse("feed-atom", args=[kind, key])
    else:
        suffix = f"?{query}" if query else ""
        rss, atom = reverse("feed-all") + suffix, reverse("feed-all-atom") + suffix
    return [("application/rss+xml", "RSS", rss), ("application/atom+xml", "Atom", atom)]


def list_tools(kind: str = "", key: str = "", query: str = "") -> dict:
    """What a list page offers beside its rows: the CSV of every row and its feeds (template context)."""
    params = {"theme": "theme", "delegate": "delegate", "region": "region"}
    csv_query = f"{params[kind]}={key}" if kind in params else query
    csv_url = reverse("proposals-csv") + (f"?{csv_query}" if csv_query else "")
    return {"csv_url": csv_url, "feeds": feed_links(kind, key, query)}


def list_query(request) -> str:
    """The list's parameters without paging and presentation (what a CSV and a feed follow)."""
    params = request.GET.copy()
    for name in ("page", "page_size", "format"):
        params.pop(name, None)
    return params.urlencode()
