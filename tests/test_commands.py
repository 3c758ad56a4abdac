"""Management commands, through call_command."""

from io import StringIO

import pytest
from django.core.management import call_command

from proposals.models import Proposal


def run(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_synthetic_creates_searchable_published_proposals_and_deletes_them(corpus):
    before = Proposal.objects.published().count()
    assert "created 40 synthetic proposals" in run("seed_synthetic", proposals=40, delegates=5, batch_size=15)
    assert Proposal.objects.published().count() == before + 40
    synthetic = Proposal.objects.filter(session="合成数据")
    assert all(p.search_tokens.strip() for p in synthetic)
    assert synthetic.filter(authorships__isnull=False).distinct().count() == 40
    run("seed_synthetic", delete=True)
    assert Proposal.objects.published().count() == before
