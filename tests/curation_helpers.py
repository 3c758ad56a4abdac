"""Helpers of the curation tests."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse


def admin_url(model, action: str = "changelist", *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]
