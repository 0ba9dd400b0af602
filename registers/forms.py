"""What a register's entry form is (enterprises.forms.EnterpriseForm, projects.forms.ProjectForm):
a model form made for the acting user, who decides which fields it offers. The add and edit
pages and each row of a bulk import use it. And the form that confirms or rejects a pending
change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django import forms
from django.utils.translation import gettext_lazy as _

from zjai.forms import DateInput, PromptChoicesMixin, VersionField

from .choices import EditKind

if TYPE_CHECKING:
    from accounts.models import User


class EntryFormClass(Protocol):
    def __call__(self, *args: Any, user: User | None = None, **kwargs: Any) -> EntryForm: ...


class DecisionForm(forms.Form):
    """Confirm or reject a pending change (or an import's batch); a rejection says why."""

    comment = forms.CharField(
        label=_("comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history; required when you reject."),
    )
    version = VersionField(required=True)

    def __init__(self, *args: Any, decision: str | None = None, **kwargs: Any) -> None:
        self.decision = decision
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.is_bound and self.decision not in ("confirm", "reject"):
            raise forms.ValidationError(_("Choose to confirm or to reject."))
        if self.decision == "reject" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say why you reject it."))
        return cleaned


# The form fields of an edit that date it (registers.services.history.Dating), not the entry's.
DATING_FIELDS = ("edit_kind", "effective_from")


class DatingFields(forms.Form):
    """How an edit of an existing entry's counted fields is dated: a change from a day, or a
    correction of a value that was always wrong. Offered on an existing entry's edit form and
    read by an import's rows that change an entry; a new entry's form has neither (`dated`)."""

    edit_kind = forms.ChoiceField(
        label=_("change or correction"),
        choices=EditKind.choices,
        initial=EditKind.CHANGE,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "A change: the value changed on the day below, and reports of earlier days keep "
            "the old one. A correction: the old value was always wrong; it is replaced wherever "
            "it held, and reports made before keep what they said."
        ),
    )
    effective_from = forms.DateField(
        label=_("takes effect on"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "For a change: the day the new values hold from. Empty: today. An earlier day "
            "needs a reason; a later one is not allowed. Leave it empty for a correction."
        ),
    )

    def keep_dating(self, dated: bool) -> None:
        """Drop the dating fields from a form that adds an entry."""
        if not dated:
            for name in DATING_FIELDS:
                self.fields.pop(name, None)

    def clean_edit_kind(self) -> str:
        return self.cleaned_data.get("edit_kind") or EditKind.CHANGE

    def dating(self) -> dict[str, Any]:
        """The update service's keywords for the dating, once the form is valid."""
        return {name: self.cleaned_data[name] for name in DATING_FIELDS if name in self.fields}


class EntryForm(PromptChoicesMixin, DatingFields, forms.ModelForm):
    """The base of a register's entry form: its model's fields, and the dating of an edit."""
