"""The admin of notifications: administrators manage the units' webhooks (saved through
notifications.services, audited) and see every delivery with its state and last error. Nobody's
inbox is shown here: a notice is its recipient's alone (notifications.rules)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import ReadOnlyAdminMixin, ServiceAdminMixin

from . import rules, services
from .models import UnitWebhook, WebhookDelivery


class UnitWebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("address"), max_length=500, assume_scheme="https")
    # Never shown again once saved; left empty on a change, the secret stays as it is.
    secret = forms.CharField(
        label=_("secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Shared with the receiver to check the signature. Empty: unchanged."),
    )

    class Meta:
        model = UnitWebhook
        fields = ["unit", "url", "secret", "active"]

    def clean_secret(self):
        secret = self.cleaned_data.get("secret", "")
        if not secret and not self.instance.pk:
            raise forms.ValidationError(_("A new webhook needs a secret."))
        return secret


@admin.register(UnitWebhook)
class UnitWebhookAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = UnitWebhookForm
    list_display = ("unit", "url", "active", "created_at")
    list_filter = ("active", "unit")
    list_select_related = ("unit",)

    def has_module_permission(self, request):
        return rules.may_manage_webhooks(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.may_manage_webhooks(request.user)

    def has_add_permission(self, request):
        return rules.may_manage_webhooks(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.may_manage_webhooks(request.user)

    def has_delete_permission(self, request, obj=None):
        return rules.may_manage_webhooks(request.user)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            hook = services.create_webhook(
                unit=data["unit"],
                url=data["url"],
                secret=data["secret"],
                active=data["active"],
                acting_user=request.user,
            )
            obj.pk = hook.pk
            return
        changes = {name: data[name] for name in ("unit", "url", "active")}
        if data["secret"]:
            changes["secret"] = data["secret"]
        saved = services.update_webhook(obj, acting_user=request.user, **changes)
        obj.version = saved.version

    def delete_model(self, request, obj):
        services.delete_webhook(obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for hook in queryset:
            services.delete_webhook(hook, acting_user=request.user)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What was relayed where, and what went wrong: filter by state to see the failures."""

    list_display = (
        "key",
        "webhook",
        "state",
        "attempts",
        "last_status",
        "last_error",
        "created_at",
        "delivered_at",
    )
    list_filter = ("state", "webhook__unit")
    list_select_related = ("webhook",)
    search_fields = ("key", "last_error")

    def has_module_permission(self, request):
        return rules.may_manage_webhooks(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.may_manage_webhooks(request.user)
