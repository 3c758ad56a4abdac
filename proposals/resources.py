"""CSV/XLSX import and export of delegates and proposals (django-import-export).

Imports write through ``full_clean()`` and ``save()`` (versions, sync, history hold), never the review
state (exported read-only: it moves only through proposals.workflow), never derived columns. An import
with any invalid row writes nothing: the whole file is one transaction, rolled back on any error or
validation error, and the preview lists each row's errors.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from proposals.models import Delegate, Proposal, Theme


class CuratedResource(resources.ModelResource):
    def import_data(self, dataset, **kwargs):
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)


class DelegateResource(CuratedResource):
    status = fields.Field(attribute="status", column_name="status", readonly=True)
    aliases = fields.Field(column_name="aliases", readonly=True)

    class Meta:
        model = Delegate
        fields = ["id", "name", "note", "status", "aliases"]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def dehydrate_aliases(self, delegate: Delegate) -> str:
        return "、".join(alias.name for alias in delegate.aliases.all())


class ProposalResource(CuratedResource):
    status = fields.Field(attribute="status", column_name="status", readonly=True)
    text = fields.Field(attribute="text", column_name="text", readonly=True)
    themes = fields.Field(
        attribute="themes",
        column_name="themes",
        widget=widgets.ManyToManyWidget(Theme, separator=" ", field="slug"),
    )

    class Meta:
        model = Proposal
        fields = ["id", "title", "kind", "year", "date", "session", "summary", "themes", "status", "text"]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
