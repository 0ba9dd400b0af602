"""The Django admin's part in the audit trail: the "reason for the change" field, the form that
carries the version a page was read at, and a read-only admin for what changes only through a
service or a file.

An admin that changes data calls the owning app's services (which check the rules, audit and
recompute); the audit app only offers the pieces every such admin shows.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from zjai.exceptions import ConflictError

REASON_FIELD = "audit_reason"


def reason_field(*, required: bool) -> forms.CharField:
    """The "reason for the change" of an admin form, kept as the event's reason."""
    return forms.CharField(
        label=_("reason for the change"),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit trail with the change."),
    )


class ReadOnlyAdminMixin:
    """Shown, never changed: no add, change or delete (a forged POST gets 403)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionedAdminForm(forms.ModelForm):
    """A change form that sends back the version its page was read at, so a change made
    meanwhile is a form error rather than an overwrite (the service checks it again under its
    lock), and the reason kept with the change."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    audit_reason = reason_field(required=False)
    conflict_message = _("This was changed by someone else. Reload it and try again.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version if self.instance.pk else None

    def clean(self):
        data = super().clean()
        seen = data.get("seen_version")
        if self.instance.pk and seen is not None:
            current = (
                type(self.instance)
                .objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current != seen:
                raise ValidationError(self.conflict_message)
        return data


class ServiceAdminMixin:
    """An admin whose saves call services: a refusal the service finds under its lock (changed
    meanwhile, or a rule the form cannot see) is said on the same page; nothing was written."""

    @staticmethod
    def changes_of(form: forms.ModelForm, editable: Iterable[str]) -> dict[str, Any]:
        """The editable fields the form changed, for the service. Compared with the values the
        page was built from: a form field may report a change where the value is the same
        ({} posted back as "{}")."""
        allowed = set(editable)
        data = form.cleaned_data
        return {
            name: data[name]
            for name in form.changed_data
            if name in allowed and data[name] != form.initial.get(name)
        }

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
        except (ConflictError, ValidationError) as exc:
            text = str(exc) if isinstance(exc, ConflictError) else "; ".join(exc.messages)
            self.message_user(request, text, messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.path)
