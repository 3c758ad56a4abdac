"""Django's JSON serialisation with times kept to the microsecond (settings.SERIALIZATION_MODULES).

Django's own JSON encoder cuts datetimes to milliseconds, so a dumpdata/loaddata round trip (our backup and
restore, proposals.backup) would change every timestamp and the order of history entries written within
the same millisecond. Deserialising is Django's: it reads both forms.
"""

from __future__ import annotations

import datetime

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder


class Encoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self) -> None:
        super()._init_options()  # type: ignore[misc]  # not in the stubs
        self.json_kwargs["cls"] = Encoder


Deserializer = django_json.Deserializer
