"""Merging from the changelist: select two or more records, "merge", then a confirmation page shows what
each holds (all of it moves to the survivor) and lets the curator choose the survivor. Only users with the
model's merge permission see the action; the service checks it again."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse

from proposals.models.base import EditConflict

# The mixin's super() is a ModelAdmin: tell the type checker so.
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object


class MergeAdminMixin(_ModelAdmin):
    """For a ModelAdmin: ``merge_holdings(obj)`` says what a record holds, ``merge_service`` merges."""

    merge_holdings: Callable
    merge_service: Callable

    def has_merge_permission(self, request, obj=None) -> bool:
        meta = self.model._meta
        return request.user.has_perm(f"{meta.app_label}.merge_{meta.model_name}")

    @admin.action(description="合并所选记录（下一步确认并选择保留哪一条）", permissions=["merge"])
    def merge(self, request, queryset):
        records = sorted(queryset, key=lambda r: r.pk)
        if len(records) < 2:
            self.message_user(
                request, f"合并需要至少选择两条记录，当前选择了 {len(records)} 条。", messages.ERROR
            )
            return None
        if any(getattr(r, "merged_into_id", None) for r in records):
            self.message_user(request, "所选记录中有已被合并的记录：请选择仍然有效的记录。", messages.ERROR)
            return None
        chosen = request.POST.get("survivor")
        if request.POST.get("confirm") == "yes" and chosen:
            survivor = next((r for r in records if str(r.pk) == chosen), None)
            if survivor is None:
                self.message_user(request, "保留的记录必须是所选记录之一。", messages.ERROR)
                return None
            others = [r for r in records if r.pk != survivor.pk]
            try:
                type(self).merge_service(survivor=survivor, others=others, user=request.user)
            except PermissionDenied as exc:
                self.message_user(request, str(exc) or "没有合并的权限。", messages.ERROR)
                return None
            except (ValidationError, EditConflict) as exc:
                text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, text, messages.ERROR)
                return None
            names = "、".join(f"“{r}”（#{r.pk}）" for r in others)
            self.message_user(
                request,
                f"已将{names}合并到“{survivor}”（#{survivor.pk}）。可在其历史中撤销这次合并。",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"合并{self.model._meta.verbose_name}",
            "opts": self.model._meta,
            "records": [(r, type(self).merge_holdings(r)) for r in records],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "default_survivor": records[0].pk,
        }
        return TemplateResponse(request, "admin/proposals/merge_confirm.html", context)
