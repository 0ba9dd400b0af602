"""The enterprise form: the browser's add and edit pages and each row of a bulk import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registers.forms import EntryForm
from zjai.forms import DateInput, VersionField
from zjai.roles import Role

from .models import Enterprise
from .services import EDITABLE


class EnterpriseForm(EntryForm):
    version = VersionField()
    reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        max_length=1000,
        help_text=_(
            "Kept in the history; required when revoking a recognition, for a correction and "
            "for a change dated back."
        ),
    )

    class Meta:
        model = Enterprise
        fields = EDITABLE
        widgets = {"recognised_on": DateInput(), "revoked_on": DateInput()}

    def __init__(self, *args, user=None, dated: bool | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Dating applies to an edit of an existing entry (an import's header reads it too).
        self.keep_dating(self.instance.pk is not None if dated is None else dated)
        # Only an administrator assigns the managing unit; anyone else's entries are their
        # unit's (the service sets it).
        if user is None or not user.has_role(Role.ADMIN):
            del self.fields["owner_unit"]
        self.fields["credit_code"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "maxlength": 18}
        )

    def clean_credit_code(self):
        value = self.cleaned_data.get("credit_code")
        return (value or "").strip().upper() or None
