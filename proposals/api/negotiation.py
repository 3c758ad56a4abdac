"""Content negotiation where an unknown ``?format=`` is a 400 naming the parameter (DRF answers 404)."""

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            known = ", ".join(sorted({r.format for r in renderers}))
            raise ValidationError({"format": [f"未知的格式“{str(format)[:50]}”：可用 {known}。"]})
        return matching
