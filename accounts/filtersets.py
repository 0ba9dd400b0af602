"""Filtersets of the accounts app: API tokens."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import ApiToken


class ApiTokenFilterSet(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="user__username", label=_("user name"))
    active = django_filters.BooleanFilter(
        field_name="revoked_at", lookup_expr="isnull", label=_("not revoked")
    )

    class Meta:
        model = ApiToken
        fields = ["user", "active"]
