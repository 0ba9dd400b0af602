"""The admin of targets: a target's definition and units change through targets.services;
figures and progress are only shown (figures change through the workflow, progress is
computed)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import (
    REASON_FIELD,
    ReadOnlyAdminMixin,
    ServiceAdminMixin,
    VersionedAdminForm,
    reason_field,
)

from . import rules, services
from .models import Measurement, Progress, Target, TargetUnit, TargetVerdict

# What the plan file says, shown without being offered for change (services.update_target
# refuses the same fields), and what only the system keeps (version, dirty mark).
TARGET_READ_ONLY = tuple(
    field.name
    for field in Target._meta.get_fields()
    if getattr(field, "editable", False)
    and not field.auto_created
    and field.name not in services.TARGET_EDITABLE
    and field.name != "units"  # shown as the inline below
)


class TargetAdminForm(VersionedAdminForm):
    """The target's editable fields, the version the page was read at and the reason, which a
    change to a target needs."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    audit_reason = reason_field(required=True)
    conflict_message = _("This target was changed by someone else. Reload it and try again.")

    def clean(self):
        data = super().clean()
        # Both or neither (the model's constraint), said on the field that is missing.
        value, day = data.get("admin_baseline_value"), data.get("admin_baseline_date")
        if value is not None and day is None:
            self.add_error("admin_baseline_date", _("Give the date the baseline describes."))
        if day is not None and value is None:
            self.add_error("admin_baseline_value", _("Give the baseline's value."))
        return data


class TargetUnitInline(admin.TabularInline):
    """The responsible units; saved as a whole through services.set_target_units."""

    model = TargetUnit
    extra = 0

    def has_add_permission(self, request, obj=None):
        return rules.may_change_targets(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.may_change_targets(request.user)

    def has_delete_permission(self, request, obj=None):
        return rules.may_change_targets(request.user)


@admin.register(Target)
class TargetAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = TargetAdminForm
    list_display = (
        "code",
        "title_zh",
        "target_value",
        "unit_of_measure",
        "deadline",
        "source_kind",
    )
    list_filter = ("plan", "source_kind", "headline", "scope")
    search_fields = ("code", "title_zh", "title_en")
    readonly_fields = TARGET_READ_ONLY
    inlines = [TargetUnitInline]

    def has_add_permission(self, request):
        return False  # targets come from the plan file

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and rules.may_change_targets(
            request.user
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        changes = self.changes_of(form, services.TARGET_EDITABLE)
        if changes:
            saved = services.update_target(
                obj,
                acting_user=request.user,
                reason=data[REASON_FIELD],
                expected_version=data["seen_version"],
                **changes,
            )
            obj.version = saved.version

    def save_related(self, request, form, formsets, change):
        """The units, as the inline left them, in one service call."""
        for formset in formsets:
            rows = [
                f.cleaned_data
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data["unit"]
            ]
            rows.sort(key=lambda row: row["order"])
            target = form.instance
            saved = services.set_target_units(
                target,
                links=[(row["unit"], bool(row.get("is_lead"))) for row in rows],
                acting_user=request.user,
                reason=form.cleaned_data[REASON_FIELD],
                # The version read (checked by the form) or the one save_model just wrote.
                expected_version=target.version,
            )
            target.version = saved.version
            # What the admin's own history message reads; the audit trail has the units.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Shown only: a figure changes through the workflow (targets.services), never here, so the
    four-eyes rule and the audit trail hold."""

    list_display = ("target", "value", "observed_on", "state", "unit", "created_by", "reviewed_by")
    list_filter = ("state", "target", "is_demo")
    date_hierarchy = "observed_on"
    list_select_related = ("target", "unit", "created_by", "reviewed_by")
    show_full_result_count = False


@admin.register(Progress)
class ProgressAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Computed, never typed in."""

    list_display = ("target", "as_of", "current_value", "percent", "status", "computed_at")
    list_filter = ("status", "as_of")
    list_select_related = ("target",)


@admin.register(TargetVerdict)
class TargetVerdictAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written once at closing (targets.services.close_due_targets), never changed; an
    administrator reopens a target on its page, with a reason (services.reopen_target)."""

    list_display = ("target", "closed_on", "status", "value", "value_date", "known_at")
    list_filter = ("status", "closed_on")
    list_select_related = ("target",)
