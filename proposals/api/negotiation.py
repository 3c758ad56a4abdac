"""Content negotiation where ``?format=`` wins: an unknown one is a 400 naming the parameter (DRF answers
404), and a known one is used whatever the Accept header says (DRF answers 406 when they disagree, e.g. a
client library that always sends ``Accept: application/json`` asking for ``?format=csv``)."""

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        format = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if format:
            renderer = self.filter_renderers(renderers, format)[0]
            return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)

    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            known = ", ".join(sorted({r.format for r in renderers}))
            raise ValidationError({"format": [f"未知的格式“{str(format)[:50]}”：可用 {known}。"]})
        return matching
