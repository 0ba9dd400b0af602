"""What a register's entry form is (enterprises.forms.EnterpriseForm, projects.forms.ProjectForm):
a model form made for the acting user, who decides which fields it offers. The add and edit
pages and each row of a bulk import use it. And the form that confirms or rejects a pending
change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django import forms
from django.utils.translation import gettext_lazy as _

from zjai.forms import VersionField

if TYPE_CHECKING:
    from accounts.models import User


class EntryFormClass(Protocol):
    def __call__(self, *args: Any, user: User | None = None, **kwargs: Any) -> forms.ModelForm: ...


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
