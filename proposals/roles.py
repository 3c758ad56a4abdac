"""The two roles of the curation team, as Django groups (made by migration 0007_curation; ``ensure_groups``
makes them again where a database was flushed, e.g. by tests or a restore of an old backup).

- curator: view, add and change every curated model; submit for review. No delete, no publish, no merge.
- editor: everything a curator may, plus delete, publish / unpublish / withdraw, and merge.
"""

from __future__ import annotations

from django.apps import apps as global_apps

CURATED = [
    "article",
    "authorship",
    "delegate",
    "delegatealias",
    "membership",
    "organisation",
    "position",
    "proposal",
    "quote",
    "quotepassage",
    "region",
    "theme",
]
EDITOR_EXTRA = ["publish_proposal", "publish_delegate", "merge_delegate", "merge_organisation"]
CURATOR_CODES = [f"{action}_{model}" for model in CURATED for action in ("view", "add", "change")]
EDITOR_CODES = CURATOR_CODES + [f"delete_{model}" for model in CURATED] + EDITOR_EXTRA
ROLES = {"curator": CURATOR_CODES, "editor": EDITOR_CODES}


def ensure_groups(apps=global_apps) -> None:
    """Create the groups (if missing) and give them exactly their permissions."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    app_config = apps.get_app_config("proposals")
    if apps is not global_apps:  # a migration's state: permissions are otherwise made after migrate
        app_config.models_module = True
    create_contenttypes(app_config, apps=apps, verbosity=0)
    create_permissions(app_config, apps=apps, verbosity=0)
    if apps is not global_apps:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="proposals")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = list(ours.filter(codename__in=codes))
        missing = set(codes) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"permissions missing for group {name}: {sorted(missing)}")
        group.permissions.set(permissions)
