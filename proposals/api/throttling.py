"""Throttling of anonymous readers (everyone: the API has no accounts)."""

from typing import cast

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from npp_db.throttling import WindowCounterThrottle


class AnonThrottle(WindowCounterThrottle, AnonRateThrottle):
    """AnonRateThrottle (per client address, anonymous readers) counted by ``WindowCounterThrottle``, that
    reads its rate when a request comes, not when the module is imported.

    DRF copies DEFAULT_THROTTLE_RATES into a class attribute at import time, so a changed setting (a test,
    a reloaded configuration) would be ignored.
    """

    def get_rate(self) -> str | None:
        return cast(str | None, api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or ""))
