"""The publications list's filter (the API's; the staff page filters by plan the same way)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Publication


class PublicationFilterSet(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="plan__code", label=_("plan code"))

    class Meta:
        model = Publication
        fields = ["plan"]
