"""The project form: the browser's add and edit pages and each row of a bulk import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from registers.forms import EntryForm
from zjai.forms import DateInput, VersionField
from zjai.roles import Role

from .models import Project
from .services import EDITABLE


class ProjectForm(EntryForm):
    # The register holds 100,000 enterprises: named by credit code, not picked from a list.
    enterprise = forms.ModelChoiceField(
        label=_("enterprise (credit code)"),
        queryset=Enterprise.objects.all(),
        to_field_name="credit_code",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 18}),
        help_text=_("The unified social credit code of the enterprise, if any."),
        error_messages={"invalid_choice": _("No enterprise has this credit code.")},
    )
    version = VersionField()
    reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        max_length=1000,
        help_text=_("Kept in the history; required for a correction and for a change dated back."),
    )

    class Meta:
        model = Project
        fields = EDITABLE
        widgets = {"start_date": DateInput(), "accepted_on": DateInput()}
        localized_fields = ["planned_investment", "completed_investment"]

    def __init__(self, *args, user=None, dated: bool | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Dating applies to an edit of an existing entry (an import's header reads it too).
        self.keep_dating(self.instance.pk is not None if dated is None else dated)
        # Only an administrator assigns the managing unit; anyone else's entries are their
        # unit's (the service sets it).
        if user is None or not user.has_role(Role.ADMIN):
            del self.fields["owner_unit"]
        if self.instance.pk and self.instance.enterprise_id and not self.is_bound:
            self.initial["enterprise"] = self.instance.enterprise.credit_code
