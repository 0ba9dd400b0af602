"""The forms of the inbox pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import InboxOrder, NotificationKind


def kinds_or_all() -> list[tuple[str, str]]:
    return [("", _("all kinds")), *NotificationKind.choices]


class InboxFilterForm(forms.Form):
    """The inbox's filters: unread only, one kind, and the order."""

    unread = forms.BooleanField(label=_("unread only"), required=False)
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=kinds_or_all)
    order = forms.ChoiceField(label=_("order"), required=False, choices=InboxOrder.choices)


class EmailSettingsForm(forms.Form):
    """One checkbox per kind: e-mail me these notices too."""

    email_kinds = forms.MultipleChoiceField(
        label=_("Send me an e-mail for"),
        required=False,
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every notice is in your inbox; ticked kinds also come by e-mail."),
    )
