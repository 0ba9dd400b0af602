"""Publications in the Django admin: shown, never changed. A publication is written only by
publishing.services (publish, withdraw), which check the rules and audit the act."""

from django.contrib import admin

from audit.admin_mixins import ReadOnlyAdminMixin

from .models import Publication


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["plan", "number", "as_of", "digest", "published_at", "withdrawn_at"]
    list_filter = ["plan"]
    list_select_related = ["plan"]
    search_fields = ["digest", "plan__code"]
    ordering = ["-published_at"]
    # The content is long JSON the public pages show; the admin shows what names the edition.
    exclude = ["content"]
