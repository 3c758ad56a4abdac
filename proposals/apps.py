from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "代表委员建言"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from proposals import cache_signals, history, signals  # noqa: F401
