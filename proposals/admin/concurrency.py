"""Two curators, one record: the second save of a stale form is refused, with what changed meanwhile.

The change form carries a signed edit token: the record's version and a snapshot of what the form shows
(the record's fields and every inline row with its own version), taken when the form was rendered. On
save, the snapshot is taken again (the row locked for the rest of the transaction on PostgreSQL); if
anything differs, the form is shown again with the curator's input kept and a list of what changed. The
version checked in the UPDATE itself (proposals.models.base.Versioned) closes the remaining window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect

from proposals.admin.forms import NormalisedTextMixin
from proposals.models.base import EditConflict

TOKEN_FIELD = "_edit_token"
SALT = "proposals.admin.edit-token"
MISSING = "（无）"


def _display(obj: models.Model, field: models.Field) -> str:
    if field.many_to_many:
        return "、".join(sorted(str(r) for r in getattr(obj, field.name).all())) or MISSING
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")()) or MISSING
    if field.is_relation:
        related = getattr(obj, field.name)
        return str(related) if related is not None else MISSING
    value = getattr(obj, field.attname)
    return MISSING if value in (None, "") else str(value)


def snapshot(model_admin, request, obj: models.Model) -> dict[str, Any]:
    """What the change form of obj shows: its editable fields and its inline rows (with versions)."""
    meta = obj._meta
    fields = {
        str(f.verbose_name): _display(obj, f)
        for f in [*meta.concrete_fields, *meta.many_to_many]
        if f.editable and not f.primary_key
    }
    inlines: dict[str, dict[str, list]] = {}
    for inline in model_admin.get_inline_instances(request, obj):
        if read_only(inline, request, obj):
            continue  # rows listed for reference (links): this form cannot write them
        fk = next(f.name for f in inline.model._meta.fields if f.is_relation and f.related_model is type(obj))
        # The inline's own queryset names what its rows' labels read (one query, not one per row).
        rows = inline.get_queryset(request).filter(**{fk: obj}).order_by("pk")
        inlines[str(inline.model._meta.verbose_name)] = {
            str(row.pk): [getattr(row, "version", 0), str(row)] for row in rows
        }
    return {"v": getattr(obj, "version", 0), "fields": fields, "inlines": inlines}


def read_only(inline, request, obj: models.Model) -> bool:
    """An inline whose rows the form only shows: no field to edit, no row to add or delete."""
    fields = set(inline.get_fields(request, obj))
    return (
        fields <= set(inline.get_readonly_fields(request, obj))
        and not inline.has_add_permission(request, obj)
        and not (inline.can_delete and inline.has_delete_permission(request, obj))
    )


def make_token(model_admin, request, obj: models.Model) -> str:
    return signing.dumps(snapshot(model_admin, request, obj), salt=SALT, compress=True)


def differences(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What changed between two snapshots, in Chinese, one line per change."""
    lines = [
        f"{name}：{_change(value, now['fields'].get(name, MISSING))}"
        for name, value in before["fields"].items()
        if now["fields"].get(name, MISSING) != value
    ]
    for name, rows in now["inlines"].items():
        old_rows = before["inlines"].get(name, {})
        for pk, (version, text) in rows.items():
            if pk not in old_rows:
                lines.append(f"{name}：新增“{_short(text)}”")
            elif old_rows[pk][0] != version:
                lines.append(f"{name}：修改了{_change(old_rows[pk][1], text)}")
        lines += [f"{name}：删除了“{_short(text)}”" for pk, (_, text) in old_rows.items() if pk not in rows]
    if not lines and before["v"] != now["v"]:
        lines.append("记录已被保存过（内容看起来相同，例如状态被改回）")
    return lines


def _short(text: str, size: int = 60) -> str:
    return _window(text, 0, size)


def _change(old: str, new: str, size: int = 60) -> str:
    """“old” → “new”, long texts cut to ``size`` characters from a little before where they first differ (a
    summary changed at its end would read the same in its first 60 characters on both sides)."""
    first = next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new))
    )
    begin = max(0, first - size // 3) if max(len(old), len(new)) > size else 0
    return f"“{_window(old, begin, size)}” → “{_window(new, begin, size)}”"


def _window(text: str, begin: int, size: int) -> str:
    return f"{'…' if begin else ''}{text[begin : begin + size]}{'…' if begin + size < len(text) else ''}"


# The mixin's super() is a ModelAdmin: tell the type checker so.
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object


UNCHANGED = "_npp_unchanged_save"  # request attribute: this change form was posted without a change


class EditGuardMixin(NormalisedTextMixin, _ModelAdmin):
    """For a ModelAdmin: change forms carry an edit token and refuse a stale save (see the module).

    A change form posted without any change (the form and every inline formset unchanged) saves nothing:
    no version or updated_at bump, no history row, no admin log entry, nothing for sync to pick up.
    """

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # decided in save_related, once the inline formsets are known
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change and not form.has_changed():
            if not any(formset.has_changed() for formset in formsets):
                setattr(request, UNCHANGED, True)
                return
            super().save_model(request, form.instance, form, change)  # an inline changed: the parent too
        super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, UNCHANGED, False):
            return []  # the formsets were not saved: they have no new, changed or deleted objects
        return super().construct_change_message(request, form, formsets, add)

    def log_change(self, request, obj, message):
        if getattr(request, UNCHANGED, False):
            return None
        return super().log_change(request, obj, message)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return form
        model_admin = self

        class GuardedForm(form):  # type: ignore[valid-type, misc]  # the form class built above
            def clean(self):
                cleaned = super().clean()
                model_admin.check_edit_token(request, self.instance, self.data.get(TOKEN_FIELD))
                return cleaned

        GuardedForm.__name__ = form.__name__
        return GuardedForm

    def check_edit_token(self, request, obj: models.Model, token: str | None) -> None:
        try:
            before = signing.loads(token or "", salt=SALT)
        except signing.BadSignature:
            raise ValidationError(
                "表单缺少有效的编辑标记（页面可能已过期）：请重新打开这条记录再修改。"
            ) from None
        current = type(obj)._base_manager.select_for_update().get(pk=obj.pk)  # locked until the save ends
        now = snapshot(self, request, current)
        if before == now:
            obj.version = now["v"]  # type: ignore[attr-defined]  # every guarded model has one
            return
        changes = differences(before, now)
        raise ValidationError(
            ["保存被拒绝：您打开这个页面之后，别人修改了这条记录。您填写的内容仍在下面，请核对后再次保存。"]
            + [f"· {line}" for line in changes]
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            fresh = type(obj)._base_manager.get(pk=obj.pk)  # not the posted values of a refused form
            context["edit_token"] = make_token(self, request, fresh)
            context["edit_token_field"] = TOKEN_FIELD
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict as conflict:  # saved by someone else between the check and the UPDATE
            self.message_user(request, f"{conflict} 请重新打开后再修改。", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
