"""The curation admin: every model registered, with filters, search across relations, inlines and actions.

One module per subject, as in proposals.models; importing them registers the ModelAdmins.
"""

from proposals.admin import people, places, proposals, sources  # noqa: F401
