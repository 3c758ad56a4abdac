"""Post an admin change form the way a browser does: every field with the value the page shows, the
inline formsets' management forms, and the edit token the page carries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from proposals.admin.concurrency import TOKEN_FIELD


def _post_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [_post_value(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _form_fields(form) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is False:
            continue  # an unticked checkbox is not posted
        data[form.add_prefix(name)] = "on" if value is True else _post_value(value)
    return data


def change_form_data(client, url: str) -> dict[str, Any]:
    """GET the change page and return what submitting it unchanged would post."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    context = response.context
    data: dict[str, Any] = {TOKEN_FIELD: context["edit_token"]}
    data |= _form_fields(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data |= _form_fields(formset.management_form)
        for form in formset.forms:
            data |= _form_fields(form)
    return data
