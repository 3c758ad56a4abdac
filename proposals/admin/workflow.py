"""Review states in the admin: a bulk action and a change-form button per transition, shown only to those
allowed to make it (and refused by proposals.workflow when posted anyway); counts per state and the
"my drafts" / "waiting for review" queues on the changelist. ``status`` is never a form field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from proposals import workflow
from proposals.counts import bounded_count, display
from proposals.models import ReviewStatus

STATE_FIELDS = ["status", "status_changed_by", "status_changed_at"]


class StatusCountFilter(admin.SimpleListFilter):
    """The review states, each with how many records are in it: counted from the status index up to the
    count limit, the planner's estimate above it ("约 98万"), so a million published rows are not read."""

    title = "审核状态"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        records = model_admin.model._default_manager.order_by()
        return [
            (value, f"{label}（{display(*bounded_count(records.filter(status=value)))}）")
            for value, label in ReviewStatus.choices
        ]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        return queryset.filter(status=self.value()) if self.value() else queryset


class QueueFilter(admin.SimpleListFilter):
    """The two queues of a working day: my drafts (drafts I wrote a version of) and those waiting for review."""

    title = "工作队列"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("mine", "我的草稿"), ("review", "待审核")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "review":
            return queryset.filter(status=ReviewStatus.IN_REVIEW)
        if self.value() == "mine":
            history = queryset.model.history.model
            mine = history.objects.filter(id=OuterRef("pk"), history_user_id=request.user.pk)
            return queryset.filter(Exists(mine), status=ReviewStatus.DRAFT)
        return queryset


def _make_action(name: str):
    step = workflow.TRANSITIONS[name]

    def action(model_admin, request, queryset):
        try:
            count = workflow_transition(model_admin.model, queryset, name, request.user)
        except PermissionDenied as exc:
            model_admin.message_user(request, str(exc), messages.ERROR)
            return
        unit = getattr(model_admin, "count_unit", "条")
        skipped = len(queryset) - count
        note = f"（{skipped} 条不在可{step.label}的状态，未变更）" if skipped else ""
        model_admin.message_user(
            request,
            f"已{step.label} {count} {unit}{model_admin.model._meta.verbose_name}。{note}",
            messages.SUCCESS,
        )

    action.__name__ = name
    return admin.action(description=f"{step.label}所选记录", permissions=[step.needs])(action)


def workflow_transition(model, objects, name: str, user) -> int:
    from proposals.history import acting

    with acting(user, workflow.TRANSITIONS[name].label):
        return workflow.transition(model=model, pks=[o.pk for o in objects], name=name, user=user)


# The mixin's super() is a ModelAdmin: tell the type checker so.
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object


class ReviewedAdminMixin(_ModelAdmin):
    """For the ModelAdmin of a Reviewed model (proposal, delegate)."""

    change_form_template = "admin/proposals/reviewed_change_form.html"

    def _get_base_actions(self):
        """The transitions join the other actions; Django then keeps those the user has permission for."""
        actions = list(super()._get_base_actions())  # type: ignore[misc]  # private, not in the stubs
        for name in workflow.TRANSITIONS:
            func = _make_action(name)
            actions.append((func, name, func.short_description))
        return actions

    def has_publish_permission(self, request, obj=None) -> bool:
        meta = self.model._meta
        return request.user.has_perm(f"{meta.app_label}.publish_{meta.model_name}")

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *STATE_FIELDS]

    def get_urls(self):
        meta = self.model._meta
        name = f"{meta.app_label}_{meta.model_name}_transition"
        return [
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name=name,
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id: str, name: str):
        """The change form's buttons post here: one transition of one record."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if name not in workflow.TRANSITIONS:
            raise PermissionDenied
        obj = get_object_or_404(self.model, pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        step = workflow.TRANSITIONS[name]
        try:
            count = workflow_transition(self.model, [obj], name, request.user)
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            if count:
                self.message_user(request, f"已{step.label}。", messages.SUCCESS)
            else:
                self.message_user(request, f"当前状态不能“{step.label}”。", messages.WARNING)
        meta = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            meta = self.model._meta
            context["transitions"] = [
                (
                    step.label,
                    reverse(f"admin:{meta.app_label}_{meta.model_name}_transition", args=[obj.pk, step.name]),
                )
                for step in workflow.available(request.user, self.model)
                if obj.status in step.sources
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)
