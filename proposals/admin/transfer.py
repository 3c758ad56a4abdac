"""Import and export buttons on the changelist (django-import-export; resources in proposals.resources):
export for whoever may view the records, import for whoever may add and change them."""

from __future__ import annotations

from import_export.admin import ImportExportMixin
from import_export.formats import base_formats


class TransferMixin(ImportExportMixin):
    formats = [base_formats.CSV, base_formats.XLSX]

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)
