"""CSV/XLSX export and import of delegates and proposals: a preview with per-row errors; an import with any
invalid row writes nothing; imports go through full_clean()/save() and never set the review state."""

from __future__ import annotations

import io

import openpyxl
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from proposals.models import Delegate, Proposal, ReviewStatus, Theme
from proposals.resources import DelegateResource, ProposalResource
from tests.curation_helpers import admin_url

pytest_plugins = ["tests.curation_users"]

HEADERS = ["id", "title", "kind", "year", "date", "session", "summary", "themes", "status"]


def _csv(rows: list[list]) -> bytes:
    dataset = tablib.Dataset(*rows, headers=HEADERS)
    return dataset.export("csv").encode("utf-8")


def test_export_csv_and_xlsx(corpus):
    csv = DelegateResource().export().export("csv")
    first = Delegate.objects.order_by("pk").first()
    assert first.name in csv and "aliases" in csv.splitlines()[0]
    xlsx = ProposalResource().export().export("xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet.max_row == Proposal.objects.count() + 1
    assert [c.value for c in sheet[1]][:3] == ["id", "title", "kind"]


def test_admin_export_page_and_download(alice_client, corpus):
    url = admin_url(Delegate, "export")
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(
        url,
        {"format": "0", "export_items": [], "resource": "0"}
        | {f"delegateresource_{name}": "on" for name in ["id", "name", "note", "status", "aliases"]},
    )
    assert response.status_code == 200
    assert "csv" in response["Content-Type"]
    assert Delegate.objects.order_by("pk").first().name in response.content.decode("utf-8")


def test_import_with_one_bad_row_writes_nothing(alice_client, corpus):
    existing = Proposal.objects.published().first()
    theme = Theme.objects.first()
    count = Proposal.objects.count()
    data = _csv(
        [
            [existing.pk, "改过的标题", existing.kind, existing.year, "", "", "", theme.slug, "draft"],
            ["", "一条新的建言", "suggestion", 2024, "", "", "", theme.slug, ""],
            ["", "年份不对的建言", "suggestion", 1800, "", "", "", "", ""],
        ]
    )
    response = alice_client.post(
        admin_url(Proposal, "import"),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("p.csv", data, "text/csv")},
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    invalid = result.invalid_rows
    assert [row.number for row in invalid] == [3]
    assert "年份" in str(invalid[0].error_dict) or "1949" in str(invalid[0].error_dict)
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    existing.refresh_from_db()
    assert existing.title != "改过的标题"
    assert Proposal.objects.count() == count


def test_resource_import_rolls_back_on_a_bad_row(corpus):
    count = Proposal.objects.count()
    dataset = tablib.Dataset(
        ["", "好的一行", "suggestion", 2024, "", "", "", "", ""],
        ["", "", "suggestion", 2024, "", "", "", "", ""],  # no title
        headers=HEADERS,
    )
    result = ProposalResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert Proposal.objects.count() == count


def test_import_confirmed_saves_through_the_model(alice, alice_client, corpus):
    existing = Proposal.objects.published().first()
    version = existing.version
    data = _csv(
        [
            [
                existing.pk,
                "导入改过的标题",
                existing.kind,
                existing.year,
                existing.date or "",
                existing.session,
                existing.summary,
                " ".join(existing.themes.values_list("slug", flat=True)),
                "withdrawn",
            ],
            ["", "导入的新建言", "suggestion", 2024, "", "", "", "", "published"],
        ]
    )
    preview = alice_client.post(
        admin_url(Proposal, "import"),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("p.csv", data, "text/csv")},
    )
    confirm = preview.context["confirm_form"]
    assert confirm is not None, preview.context["result"].invalid_rows
    response = alice_client.post(admin_url(Proposal, "process_import"), confirm.initial, follow=True)
    assert response.status_code == 200
    existing.refresh_from_db()
    assert existing.title == "导入改过的标题"
    assert existing.status == ReviewStatus.PUBLISHED  # the state column is read-only
    assert existing.version > version
    assert existing.history.latest().history_user == alice
    new = Proposal.objects.get(title="导入的新建言")
    assert new.status == ReviewStatus.DRAFT
    call_command("check_integrity")
