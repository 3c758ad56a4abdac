"""What the API says about each record. Read-only: every field is computed from prefetched data, so a page
costs the same number of queries whatever its length (the viewsets choose the prefetches)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from proposals.models import (
    Article,
    AuthorRole,
    Delegate,
    Membership,
    Organisation,
    Position,
    Proposal,
    Region,
    ReviewStatus,
    Theme,
)

MERGED = "merged"
PUBLISHED_STATUSES = [ReviewStatus.PUBLISHED.value]
TOMBSTONE_STATUSES = [s for s in ReviewStatus.values if s != ReviewStatus.PUBLISHED] + [MERGED]


def site_url(request, name: str, arg, fallback: str) -> str:
    """The public page of a record (absolute when there is a request), even before the site defines it."""
    try:
        path = reverse(name, args=[arg])
    except NoReverseMatch:
        path = fallback
    return request.build_absolute_uri(path) if request is not None else path


@extend_schema_field({"type": "string", "format": "uri"})
class SiteUrlField(serializers.Field):
    """The record's page on the public site."""

    def __init__(self, view_name: str, pattern: str, lookup: str = "pk", **kwargs):
        self.view_name, self.pattern, self.lookup = view_name, pattern, lookup
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj) -> str:
        value = getattr(obj, self.lookup)
        return site_url(self.context.get("request"), self.view_name, value, self.pattern.format(value))


# --- small nested shapes -------------------------------------------------------------------------------


class RegionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "slug", "name", "level"]


class ThemeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["slug", "name"]


class ArticleRefSerializer(serializers.ModelSerializer):
    date = serializers.DateField(
        source="published_on", allow_null=True, help_text="Publication date, if known."
    )

    class Meta:
        model = Article
        fields = ["id", "title", "outlet", "date"]


def is_visible(record) -> bool:
    """Published, and (a delegate) not merged into another record."""
    return record.status == ReviewStatus.PUBLISHED and not getattr(record, "merged_into_id", None)


class VisibleAuthorshipList(serializers.ListSerializer):
    """A proposal's authors, leaving out delegates without a public record (unpublished or merged)."""

    def to_representation(self, data):
        items = data.all() if hasattr(data, "all") else data
        return super().to_representation([a for a in items if is_visible(a.delegate)])


class ProposalDelegateSerializer(serializers.Serializer):
    """A delegate as an author of a proposal."""

    id = serializers.IntegerField(source="delegate_id")
    name = serializers.CharField(source="delegate.name")
    role = serializers.ChoiceField(choices=AuthorRole.choices, help_text="lead (领衔) or cosigner (联名).")

    class Meta:
        list_serializer_class = VisibleAuthorshipList


class PassageSerializer(serializers.Serializer):
    """One verbatim passage: exactly the article's text from ``start`` to ``end`` (Python string offsets,
    in characters, of the text served by /api/v1/articles/<id>/)."""

    text = serializers.CharField(help_text="The words, verbatim.")
    start = serializers.IntegerField(help_text="Offset of the first character in the article's text.")
    end = serializers.IntegerField(help_text="Offset after the last character.")


class SourceSerializer(serializers.Serializer):
    """An article the proposal is reported in, and the delegate's words in it, verbatim with offsets."""

    article = ArticleRefSerializer()
    passages = PassageSerializer(
        many=True,
        help_text="The verbatim passages in reading order: several when the layout split a sentence.",
    )
    quote = serializers.CharField(
        source="text",
        help_text="The passages for reading: “……” marks where the article has other words between two.",
    )


class MembershipSerializer(serializers.ModelSerializer):
    body = serializers.CharField(help_text="Body code: npc, cppcc, provincial-cppcc, …")
    region = RegionRefSerializer(
        allow_null=True, help_text="Region or NPC delegation; null for national CPPCC."
    )
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # a field named like Field.label

    class Meta:
        model = Membership
        fields = ["body", "region", "sector", "role", "term", "label"]


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]


class PositionSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer()

    class Meta:
        model = Position
        fields = ["organisation", "title"]


# --- records ---------------------------------------------------------------------------------------------


class TombstoneSerializer(serializers.Serializer):
    """A record that is no longer published (withdrawn, unpublished, merged): a syncing client deletes it.

    Only lists filtered by ``updated_after`` return tombstones.
    """

    id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=TOMBSTONE_STATUSES,
        help_text="Why the record is gone: draft/in_review (unpublished), withdrawn, or merged (delegates).",
    )
    updated_at = serializers.DateTimeField()
    merged_into = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text="Delegates only: the record a merged delegate now lives in.",
    )

    def to_representation(self, instance) -> dict:
        merged_into = getattr(instance, "merged_into_id", None)
        data = {
            "id": instance.pk,
            "status": MERGED if merged_into else instance.status,
            "updated_at": serializers.DateTimeField().to_representation(instance.updated_at),
        }
        if hasattr(instance, "merged_into_id"):
            data["merged_into"] = merged_into
        return data


class PublishedStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=PUBLISHED_STATUSES, read_only=True, **kwargs)


if TYPE_CHECKING:
    _Serializer = serializers.Serializer
else:
    _Serializer = object


class TombstoneMixin(_Serializer):
    """Serialise an unpublished record as a tombstone (a list only contains one under updated_after)."""

    def to_representation(self, instance):
        if not is_visible(instance):
            return TombstoneSerializer(instance).data
        return super().to_representation(instance)


class ProposalSerializer(TombstoneMixin, serializers.ModelSerializer):
    status = PublishedStatusField()
    delegates = ProposalDelegateSerializer(
        source="authorships", many=True, help_text="Lead first, then co-signers."
    )
    themes = ThemeRefSerializer(many=True)
    sources = SourceSerializer(source="quotes", many=True)
    url = SiteUrlField(
        "proposal-detail", "/proposals/{}/", help_text="The proposal's page on the public site."
    )

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "summary",
            "text",
            "kind",
            "year",
            "date",
            "session",
            "status",
            "updated_at",
            "delegates",
            "themes",
            "sources",
            "url",
        ]


class DelegateSerializer(TombstoneMixin, serializers.ModelSerializer):
    status = PublishedStatusField()
    memberships = MembershipSerializer(many=True)
    positions = PositionSerializer(many=True)
    proposal_count = serializers.IntegerField(help_text="Published proposals the delegate signed.")
    url = SiteUrlField(
        "delegate-detail", "/delegates/{}/", help_text="The delegate's page on the public site."
    )

    class Meta:
        model = Delegate
        fields = ["id", "name", "status", "updated_at", "memberships", "positions", "proposal_count", "url"]


class ThemeSerializer(serializers.ModelSerializer):
    proposal_count = serializers.IntegerField(help_text="Published proposals on the theme.")
    url = SiteUrlField("theme-detail", "/themes/{}/", lookup="slug")

    class Meta:
        model = Theme
        fields = ["id", "slug", "name", "description", "updated_at", "proposal_count", "url"]


class RegionSerializer(serializers.ModelSerializer):
    parent = RegionRefSerializer(allow_null=True)
    full_name = serializers.CharField(read_only=True)
    proposal_count = serializers.IntegerField(
        help_text="Published proposals by delegates with a membership in the region or a region inside it."
    )
    url = SiteUrlField("region-detail", "/regions/{}/", lookup="slug")

    class Meta:
        model = Region
        fields = [
            "id",
            "slug",
            "name",
            "full_name",
            "level",
            "code",
            "parent",
            "updated_at",
            "proposal_count",
            "url",
        ]


class OrganisationSerializer(serializers.ModelSerializer):
    region = RegionRefSerializer(allow_null=True)
    parent = OrganisationRefSerializer(allow_null=True)
    proposal_count = serializers.IntegerField(
        help_text="Published proposals by delegates who hold a position in the organisation."
    )
    url = SiteUrlField("organisation-detail", "/organisations/{}/")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "region",
            "parent",
            "updated_at",
            "proposal_count",
            "url",
        ]


class ArticleDetailSerializer(serializers.ModelSerializer):
    date = serializers.DateField(source="published_on", allow_null=True)
    source_url = serializers.CharField(source="url", help_text="The article on its outlet's site, if known.")
    proposal_count = serializers.IntegerField(help_text="Published proposals quoted from the article.")
    text = serializers.CharField(
        help_text="The full text, in the normal form the passages' offsets refer to (newlines are \\n)."
    )
    url = SiteUrlField("article-detail", "/articles/{}/")

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "outlet",
            "date",
            "source_url",
            "updated_at",
            "proposal_count",
            "text",
            "url",
        ]


class ArticleSerializer(serializers.ModelSerializer):
    date = serializers.DateField(source="published_on", allow_null=True)
    source_url = serializers.CharField(source="url", help_text="The article on its outlet's site, if known.")
    proposal_count = serializers.IntegerField(help_text="Published proposals quoted from the article.")
    url = SiteUrlField("article-detail", "/articles/{}/")

    class Meta:
        model = Article
        fields = ["id", "title", "outlet", "date", "source_url", "updated_at", "proposal_count", "url"]
