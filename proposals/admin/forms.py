"""Admin forms: passages located in their article when the offsets are left blank."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from proposals.models import Quote, QuotePassage
from proposals.models.sources import quote_not_in_article_message
from proposals.normalise import normalise_article_text


class NormalisedTextField(forms.CharField):
    """A textarea's text in the stored normal form (proposals.normalise): a browser posts CRLF line
    endings, so without this an untouched textarea holding a newline would count as a change."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_article_text(value) if isinstance(value, str) else value


class NormalisedTextMixin:
    """For a ModelAdmin or an inline: every TextField's form field is a NormalisedTextField."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.TextField) and not db_field.choices:
            kwargs.setdefault("form_class", NormalisedTextField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]


class QuotePassageForm(forms.ModelForm):
    """Paste the passage; leave start and end blank and they are found in the article on save.

    QuotePassage.clean does this for a passage of a saved quote. When the quote is new (added on the same
    page) the model cannot see its article yet, so the form does the same check with the article chosen
    in the parent form.
    """

    class Meta:
        model = QuotePassage
        fields = ["order", "text", "start", "end"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left blank, a new passage goes after the others (PassageFormSet numbers it).
        self.fields["order"].required = False
        if self.instance.pk is None:
            self.initial["order"] = None

    def clean(self):
        cleaned = super().clean() or self.cleaned_data
        quote = cleaned.get("quote")  # the parent quote, set by the inline formset
        if not isinstance(quote, Quote) or quote.pk is not None or not quote.article_id:
            return cleaned
        text, start, end = cleaned.get("text"), cleaned.get("start"), cleaned.get("end")
        if not text:
            return cleaned
        article = quote.article
        if start is None or end is None:
            found = article.text.find(text)
            if found < 0:
                raise ValidationError({"text": quote_not_in_article_message(article, text)})
            cleaned["start"], cleaned["end"] = found, found + len(text)
        elif article.text[start:end] != text:
            raise ValidationError({"text": quote_not_in_article_message(article, text)})
        return cleaned


class QuoteInlineForm(forms.ModelForm):
    """A quote under a proposal, with a box to paste its first passage (passages are edited on the quote)."""

    passage = forms.CharField(
        label="粘贴原文",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="从文章逐字复制一段原文，保存时自动定位；更多段落在引文页面编辑。",
    )

    class Meta:
        model = Quote
        fields = ["article"]

    def clean(self):
        cleaned = super().clean() or self.cleaned_data
        text, article = cleaned.get("passage", "").strip(), cleaned.get("article")
        if text and article is not None and text not in article.text:
            self.add_error("passage", quote_not_in_article_message(article, text))
        cleaned["passage"] = text
        return cleaned

    def save(self, commit: bool = True) -> Quote:
        quote = super().save(commit=commit)
        text = self.cleaned_data.get("passage")
        if text:
            if commit:
                self._save_passage(quote, text)
            else:  # saved later by the formset: add the passage then
                original = self.save_m2m

                def save_m2m():
                    original()
                    self._save_passage(quote, text)

                self.save_m2m = save_m2m  # type: ignore[method-assign]  # as Django's own ModelForm.save does
        return quote

    @staticmethod
    def _save_passage(quote: Quote, text: str) -> None:
        last = quote.passages.order_by("-order").values_list("order", flat=True).first() or 0
        passage = QuotePassage(quote=quote, order=last + 1, text=text)
        passage.full_clean()
        passage.save()


class ConstrainedInlineFormSet(forms.BaseInlineFormSet):
    """Checks conditional unique constraints across the forms of one submission.

    Django checks each form against the database, and plain unique constraints across the formset, but a
    conditional constraint (one lead author; one membership per body and region) broken by two new rows of
    the same submission would only surface as an IntegrityError. `distinct` lists (fields, condition,
    message): the rows satisfying the condition must differ on those fields.
    """

    distinct: list[tuple[tuple[str, ...], dict, str]] = []

    def clean(self):
        super().clean()
        for fields, condition, message in self.distinct:
            seen = set()
            for form in self.forms:
                data = getattr(form, "cleaned_data", None)
                if not data or data.get("DELETE") or not form.has_changed() and form.instance.pk is None:
                    continue
                if any(data.get(field) != value for field, value in condition.items()):
                    continue
                key = tuple(data.get(field) for field in fields)
                if key in seen:
                    raise ValidationError(message)
                seen.add(key)


class AuthorshipFormSet(ConstrainedInlineFormSet):
    distinct = [((), {"role": "lead"}, "一条建言只能有一位领衔人。")]


class MembershipFormSet(ConstrainedInlineFormSet):
    distinct = [(("body", "region"), {}, "该人物在这一机构、地区已有身份。")]


class NewestRowsFormSet(forms.BaseInlineFormSet):
    """For a read-only inline listing a record's related rows: only the newest ``limit`` (a delegate or an
    article can have thousands at a million proposals; the changelist filtered by the record has them all)."""

    limit = 50

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = super().get_queryset().order_by("-pk")[: self.limit]
        return self._queryset


class PassageFormSet(forms.BaseInlineFormSet):
    """Numbers the passages whose order was left blank, after those already numbered."""

    def clean(self):
        super().clean()
        live = [
            f for f in self.forms if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")
        ]
        used = {f.cleaned_data["order"] for f in live if f.cleaned_data.get("order") is not None}
        if self.instance.pk is not None:
            used |= set(self.instance.passages.values_list("order", flat=True))
        following = max(used, default=0) + 1
        for form in live:
            if form.cleaned_data.get("order") is None and form.has_changed():
                form.cleaned_data["order"] = form.instance.order = following
                following += 1
