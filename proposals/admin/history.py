"""The record's history page (django-simple-history): who changed what and when, field by field, with a
revert to any version (a confirmation page, then proposals.history.revert through save()) and, for
entries written by a merge, an undo of the whole merge."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from proposals import history, merging
from proposals.indexing import SEARCH_COLUMNS
from proposals.models.base import EditConflict

# Bookkeeping columns left out of the diffs (every save changes them).
NOISE = ["version", "updated_at", "created_at", *SEARCH_COLUMNS, "text_hash"]


def batch_id_of(record) -> str | None:
    reason = record.history_change_reason or ""
    if reason.endswith("]") and "[" in reason:
        return reason.rsplit("[", 1)[1][:-1]
    return None


class HistoryAdminMixin(SimpleHistoryAdmin):
    history_list_display = ["undo_merge"]
    object_history_list_template = "admin/proposals/object_history_list.html"

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=[f for f in NOISE if hasattr(current, f)]
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    @admin.display(description="撤销")
    def undo_merge(self, record):
        batch = batch_id_of(record)
        if not batch or not (record.history_change_reason or "").startswith(merging.MERGE_LABEL):
            return ""
        meta = self.model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_undo_merge", args=[batch])
        return format_html('<a href="{}">撤销这次合并</a>', url)

    def get_urls(self):
        meta = self.model._meta
        return [
            path(
                "undo-merge/<str:batch_id>/",
                self.admin_site.admin_view(self.undo_merge_view),
                name=f"{meta.app_label}_{meta.model_name}_undo_merge",
            ),
            *super().get_urls(),
        ]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Revert to one version: GET shows what would change, POST reverts (through save())."""
        model = self.model
        obj = get_object_or_404(model, pk=unquote(object_id))
        record = get_object_or_404(model.history.model, id=obj.pk, history_id=version_id)
        can_revert = self.has_change_permission(request, obj)
        if not (can_revert or self.has_view_permission(request, obj)):
            raise PermissionDenied
        meta = model._meta
        change_url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        if request.method == "POST":
            if not can_revert:
                raise PermissionDenied
            try:
                history.revert(record, user=request.user)
            except (ValidationError, EditConflict) as exc:
                text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"恢复失败：{text}", messages.ERROR)
            else:
                self.message_user(request, f"已恢复到 {record.history_date:%Y-%m-%d %H:%M:%S} 的版本。")
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"恢复“{obj}”到之前的版本",
            "opts": meta,
            "object": obj,
            "record": record,
            "rows": history.differences(record),
            "can_revert": can_revert,
            "change_url": change_url,
            "history_url": reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[obj.pk]),
        }
        return TemplateResponse(request, "admin/proposals/history_revert.html", context)

    def undo_merge_view(self, request, batch_id: str):
        """Undo a whole merge: GET lists the entries it wrote, POST undoes them."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        entries = history.batch_entries(batch_id)
        if not entries:
            raise PermissionDenied
        meta = self.model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        permission = f"{meta.app_label}.merge_{meta.model_name}"
        can_undo = request.user.has_perm(permission)
        if request.method == "POST":
            if not can_undo:
                raise PermissionDenied
            try:
                count = merging.merge_undo(batch_id=batch_id, user=request.user)
            except (ValidationError, EditConflict) as exc:
                text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"撤销失败：{text}", messages.ERROR)
            else:
                self.message_user(request, f"已撤销这次合并（{count} 条历史记录）。")
            return HttpResponseRedirect(changelist)
        context = {
            **self.admin_site.each_context(request),
            "title": "撤销合并",
            "opts": meta,
            "entries": [
                f"{e.history_date:%Y-%m-%d %H:%M:%S} {e.instance_type._meta.verbose_name} #{e.instance.pk}"
                f" {e.get_history_type_display()}"
                for e in entries
            ],
            "can_undo": can_undo,
            "changelist_url": changelist,
        }
        return TemplateResponse(request, "admin/proposals/undo_merge.html", context)
