"""The CSV download of a proposal list: the same parameters as the list, every matching row."""

from __future__ import annotations

from django.http import HttpResponse

from proposals.exports import PROPOSAL_HEADER, csv_response, proposal_rows
from proposals.filters import ProposalFilterSet
from proposals.models import Proposal


def proposals_csv(request):
    filterset = ProposalFilterSet(request.GET, queryset=Proposal.objects.published())
    if not filterset.is_valid():
        messages = [f"{name}：{'；'.join(errors)}" for name, errors in filterset.form.errors.items()]
        return HttpResponse(
            "筛选条件无效：" + " ".join(messages), status=400, content_type="text/plain; charset=utf-8"
        )
    base = request.build_absolute_uri("/").rstrip("/")
    return csv_response(
        "npp_db-proposals.csv",
        PROPOSAL_HEADER,
        filterset.qs.with_related(),
        lambda chunk: proposal_rows(chunk, base),
    )
