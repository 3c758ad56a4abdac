"""EXPLAIN (ANALYZE, BUFFERS) of the queries behind every filter and sort of the list, the API and the admin.

Each queryset is built by the code the pages use (the FilterSets, the admin's changelist), so that the plan
is the plan the reader's request runs.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from proposals.api.filters import ApiProposalFilterSet
from proposals.filters import ProposalFilterSet
from proposals.keyed_search import keys_in_search
from proposals.models import Delegate, Proposal
from proposals.recency import newest_query, read_as, walk_query


def _explain(qs) -> str:
    return qs.explain(analyze=True, buffers=True)


def query_plans(v: dict) -> list[dict]:
    site = [
        ("list, newest first", {}),
        ("list, oldest first", {"ordering": "date"}),
        ("list, common theme", {"theme": v["theme"]}),
        ("list, rare theme", {"theme": v["rare_theme"]}),
        ("list, theme + body + region", {"theme": v["theme"], "body": "npc", "region": v["region"]}),
        ("list, delegate", {"delegate": v["delegate"]}),
        ("list, year", {"year": 2024}),
        ("search, common word (relevance)", {"q": "人工智能"}),
        ("search, very common word (relevance)", {"q": "新质生产力"}),
        ("search, rare word (relevance)", {"q": "耐心资本"}),
        ("search, rare word, newest first", {"q": "耐心资本", "ordering": "-date"}),
        ("search, word in 1-2% of rows (relevance)", {"q": "氢能"}),
        (
            "search, word in 1-2% of rows + filters",
            {"q": "氢能", "theme": v["theme"], "body": "npc", "region": v["region"]},
        ),
        (
            "search, common word + filters",
            {"q": "人工智能", "theme": v["theme"], "body": "npc", "region": v["region"]},
        ),
    ]
    plans = []
    for label, data in site:
        filterset = ProposalFilterSet(data, queryset=Proposal.objects.published())
        filterset.is_valid()
        qs = filterset.qs
        unbounded = getattr(qs.query, "unbounded", None)
        if unbounded is not None:  # ranked by relevance: the newest matches are read first, then ranked
            limit = qs.query.rank_limit
            candidates, reading = newest_query(unbounded, limit)  # as proposals.recency reads them
            with read_as(reading, candidates.db):
                plan = _explain(walk_query(candidates) if reading.walk else candidates)
            under = (
                " (newest-first walk)"
                if reading.walk
                else f" (date horizon {reading.horizon})"
                if reading.horizon
                else ""
            )
            if not reading.walk and keys_in_search(unbounded) is not unbounded:
                under += " (filters in the search's tsquery)"
            plans.append({"label": f"site {label}: newest {limit} matches{under}", "plan": plan})
            qs = qs if qs.query.candidate_ids else None
        if qs is not None:
            plans.append({"label": f"site {label}: page", "plan": _explain(qs[:20])})
        counted = unbounded if unbounded is not None else filterset.qs
        counted = keys_in_search(counted)  # as proposals.counts.bounded_count counts
        plans.append({"label": f"site {label}: count", "plan": _explain(counted.order_by().values("pk"))})
    for label, data in [
        ("sync (updated_at)", {"ordering": "updated_at", "updated_after": "2020-01-01T00:00:00Z"})
    ]:
        filterset = ApiProposalFilterSet(data, queryset=Proposal.objects.all())
        filterset.is_valid()
        plans.append({"label": f"API {label}: page", "plan": _explain(filterset.qs[:21])})
    plans.extend(_admin_plans())
    return plans


def _admin_plans() -> list[dict]:
    user = get_user_model().objects.filter(is_superuser=True).first()
    out = []
    for model, params in [
        (Proposal, {}),
        (Proposal, {"q": "人工智能"}),
        (Proposal, {"kind__exact": "proposal", "year__exact": "2024"}),
        (Delegate, {}),
        (Delegate, {"q": "王"}),
    ]:
        request = RequestFactory().get("/", params)
        request.user = user
        model_admin = admin.site._registry[model]
        changelist = model_admin.get_changelist_instance(request)
        label = f"admin {model._meta.model_name} {params or ''}"
        out.append(
            {"label": f"{label}: page", "plan": _explain(changelist.queryset[: model_admin.list_per_page])}
        )
    return out
