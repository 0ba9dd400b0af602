"""Filtersets of the notifications app: a user's notices."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import NotificationKind
from .models import Notification


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("unread")
    )
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices, label=_("kind"))

    class Meta:
        model = Notification
        fields = ["unread", "kind"]
