"""Browser pages of task reports, consolidated reports, milestones and supervision notices.

Every write goes through taskreports.services, which checks rights, state and version inside
its transaction; the views show only what a user may do (taskreports.rules) and turn the
services' refusals into messages (403 for a right, 409 for a stale version, 400 for bad input).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from plans.choice import current_plan
from plans.choices import REPORTED_ITEM_KINDS
from plans.models import ItemUnit, PlanItem, ResponsibleUnit
from zjai.access import RoleRequiredMixin
from zjai.collation import by_name
from zjai.exceptions import ConflictError
from zjai.forms import apply_errors
from zjai.lists import FilteredListView
from zjai.uploads import content_type_for

from . import periods, services
from .choices import ReportState
from .filtersets import MilestoneFilterSet, SupervisionNoticeFilterSet, TaskReportFilterSet
from .forms import (
    AdminUnitForm,
    ConsolidatedReportForm,
    MilestoneDoneForm,
    MilestoneForm,
    NoticeCloseForm,
    NoticeForm,
    NoticeReplyForm,
    ReviewForm,
    TaskReportForm,
    VersionForm,
)
from .models import ConsolidatedReport, Milestone, SupervisionNotice, TaskEvidence, TaskReport
from .rules import ReportRules, my_reports, visible_milestones
from .tables import MilestoneTable, NoticeTable, TaskReportTable

REPORT_FIELDS = ("status", "percent_complete", "work_done", "next_steps", "problems")
RELATED_FIELDS = ("milestones_reached", "enterprises", "projects")


def visible_report(user, pk: int) -> TaskReport:
    """A report the user may see; another unit's draft is as absent as a missing one (404)."""
    report = (
        TaskReport.objects.for_user(user)
        .select_related("item__plan", "unit", "created_by", "submitted_by", "reviewed_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404(_("No such report."))
    return report


def report_item(user, pk: str | None) -> PlanItem:
    """A task-like plan item, named by its id."""
    if not pk or not str(pk).isdigit() or len(str(pk)) > 18:
        raise Http404(_("No such task."))
    item = (
        PlanItem.objects.filter(pk=int(pk), kind__in=REPORTED_ITEM_KINDS)
        .select_related("plan")
        .first()
    )
    if item is None:
        raise Http404(_("No such task."))
    return item


def parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


def report_url(report) -> str:
    return reverse("taskreports:report-detail", args=[report.pk])


def _report_changes(data: dict) -> dict:
    return {name: data.get(name) for name in (*REPORT_FIELDS, *RELATED_FIELDS)} | {
        "work_done": data.get("work_done") or "",
        "next_steps": data.get("next_steps") or "",
        "problems": data.get("problems") or "",
    }


# --- task reports ------------------------------------------------------------------------------


class ReportListView(FilteredListView):
    """The reports of my unit and those I review (every report for administrators and
    auditors), filtered by plan, period, state, status and unit."""

    model = TaskReport
    filterset_class = TaskReportFilterSet
    table_class = TaskReportTable
    template_name = "taskreports/report_list.html"
    export_name = "task-reports"

    def base_queryset(self):
        return my_reports(TaskReport.objects.for_user(self.request.user), self.request.user)

    def decorate(self, queryset):
        return queryset.select_related("item__plan", "unit", "created_by", "submitted_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rules = ReportRules(self.request.user)
        rules.read_editors(context["rows"])
        for report in context["rows"]:
            report.may = rules.actions(report)
        return context


class ReportFormMixin(RoleRequiredMixin):
    template_name = "taskreports/report_form.html"

    def render_form(self, form, status=200, **extra):
        return render(
            self.request,
            self.template_name,
            {"form": form, "item": self.item, **extra},
            status=status,
        )


class ReportCreateView(ReportFormMixin, View):
    """A new report of the user's unit (an administrator chooses the unit) on a task for a
    period: saved as a draft, or saved and submitted at once."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role:
            self.item = report_item(request.user, request.GET.get("item"))
            self.rules = ReportRules.for_item(request.user, self.item.pk)
            if not self.rules.writes_for_unit() and not self.rules.admin:
                raise PermissionDenied(_("Your unit does not report on this task."))
            chosen = parse_day(request.GET.get("period"))
            current = periods.current_period(self.item.plan, timezone.localdate())
            self.period = periods.period_starting(self.item.plan, chosen) if chosen else current
            if self.period is None:
                raise Http404(_("No reporting period of the plan starts on this day."))
            self.units = ResponsibleUnit.objects.filter(
                pk__in=ItemUnit.objects.filter(item=self.item).values("unit_id")
            ).order_by("code")
        return super().dispatch(request, *args, **kwargs)

    def unit_form(self, data=None):
        if not self.rules.admin:
            return None
        form = AdminUnitForm(data, initial={"unit": self.request.GET.get("unit")})
        unit_field = form.fields["unit"]
        unit_field.queryset = self.units  # type: ignore[attr-defined]
        return form

    def check(self):
        if not self.rules.admin and not self.rules.may_write_report(
            self.item.pk, self.request.user.unit_id
        ):
            raise PermissionDenied(_("Your unit does not report on this task."))

    def render_form(self, form, status=200, **extra):
        return super().render_form(
            form, status, period=self.period, unit_form=extra.pop("unit_form", None), **extra
        )

    def get(self, request):
        self.check()
        form = TaskReportForm(item=self.item, user=request.user)
        return self.render_form(form, unit_form=self.unit_form())

    def post(self, request):
        self.check()
        form = TaskReportForm(request.POST, request.FILES, item=self.item, user=request.user)
        unit_form = self.unit_form(request.POST)
        valid = form.is_valid()
        valid = (unit_form is None or unit_form.is_valid()) and valid
        if not valid:
            return self.render_form(form, status=400, unit_form=unit_form)
        unit = unit_form.cleaned_data["unit"] if unit_form is not None else request.user.unit
        data = form.cleaned_data
        submit = "submit" in request.POST
        try:
            with transaction.atomic():
                report = services.create_report(
                    item=self.item,
                    unit=unit,
                    period_start=self.period.start,
                    acting_user=request.user,
                    **_report_changes(data),
                )
                if data.get("evidence"):
                    services.add_evidence(report, file=data["evidence"], acting_user=request.user)
                if submit:
                    report = services.submit_report(report, acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400, unit_form=unit_form)
        if submit:
            messages.success(request, _("The report was submitted for review."))
        else:
            messages.success(request, _("The report was saved as a draft."))
        return HttpResponseRedirect(report_url(report))


class ReportDetailView(RoleRequiredMixin, TemplateView):
    """A report: its fields, evidence, every review round with its comment, and the buttons
    the user may use."""

    template_name = "taskreports/report_detail.html"

    def get_context_data(self, pk, **kwargs):
        context = super().get_context_data(**kwargs)
        report = visible_report(self.request.user, pk)
        rules = ReportRules.for_item(self.request.user, report.item_id)
        context.update(
            report=report,
            may=rules.actions(report),
            rounds=report.rounds.select_related("submitted_by", "reviewed_by").order_by("number"),
            evidence=report.evidence.select_related("uploaded_by").order_by("uploaded_at", "pk"),
            milestones=report.milestones_reached.order_by("due_on", "pk"),
            enterprises=report.enterprises.order_by(by_name("name_zh"), "pk"),
            projects=report.projects.order_by(by_name("name_zh"), "pk"),
            may_consolidate=rules.may_write_consolidated(report.item_id),
        )
        return context


class ReportEditView(ReportFormMixin, View):
    """Change a draft or returned report; the version read must still be current."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role:
            self.report = visible_report(request.user, kwargs["pk"])
            self.item = self.report.item
            if not ReportRules.for_item(request.user, self.item.pk).may_edit(self.report):
                raise PermissionDenied(_("You may not change this report."))
        return super().dispatch(request, *args, **kwargs)

    def form(self, *args, **kwargs):
        report = self.report
        form = TaskReportForm(
            *args,
            item=self.item,
            user=self.request.user,
            named_enterprises=report.enterprises.values_list("pk", flat=True),
            named_projects=report.projects.values_list("pk", flat=True),
            **kwargs,
        )
        form.fields["version"].required = True
        return form

    def render_form(self, form, status=200, **extra):
        return super().render_form(
            form,
            status,
            report=self.report,
            period=periods.period_starting(self.item.plan, self.report.period_start),
            evidence=self.report.evidence.order_by("uploaded_at", "pk"),
            **extra,
        )

    def get(self, request, pk):
        report = self.report
        initial = {name: getattr(report, name) for name in REPORT_FIELDS}
        initial.update(
            milestones_reached=list(report.milestones_reached.all()),
            enterprises=list(report.enterprises.all()),
            projects=list(report.projects.all()),
            version=report.version,
        )
        return self.render_form(self.form(initial=initial))

    def post(self, request, pk):
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = form.cleaned_data
        submit = "submit" in request.POST
        try:
            with transaction.atomic():
                report = services.update_report(
                    self.report,
                    acting_user=request.user,
                    expected_version=data["version"],
                    **_report_changes(data),
                )
                if data.get("evidence"):
                    services.add_evidence(report, file=data["evidence"], acting_user=request.user)
                if submit:
                    report = services.submit_report(report, acting_user=request.user)
        except ConflictError as exc:
            return self.render_form(form, status=409, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        if submit:
            messages.success(request, _("The report was saved and submitted for review."))
        else:
            messages.success(request, _("The report was saved."))
        return HttpResponseRedirect(report_url(report))


class ReportSubmitView(RoleRequiredMixin, View):
    """draft or returned → submitted (a button on the report's page)."""

    def post(self, request, pk):
        report = visible_report(request.user, pk)
        form = VersionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The form was incomplete; reload the page and try again."))
            return HttpResponseRedirect(report_url(report))
        try:
            services.submit_report(
                report, acting_user=request.user, expected_version=form.cleaned_data["version"]
            )
        except ConflictError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(report_url(report))
        messages.success(request, _("The report was submitted for review."))
        return HttpResponseRedirect(report_url(report))


class ReportReviewView(RoleRequiredMixin, View):
    """A submitted report; approve it or return it with a comment (never one the reviewer
    created, changed or submitted)."""

    template_name = "taskreports/report_review.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role:
            self.report = visible_report(request.user, kwargs["pk"])
            self.rules = ReportRules.for_item(request.user, self.report.item_id)
            if not self.rules.reviews_item(self.report.item_id):
                raise PermissionDenied(_("Only reviewers of the task's lead unit may review it."))
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200, **extra):
        report = self.report
        return render(
            self.request,
            self.template_name,
            {
                "report": report,
                "form": form,
                "rounds": report.rounds.select_related("submitted_by", "reviewed_by").order_by(
                    "number"
                ),
                "evidence": report.evidence.order_by("uploaded_at", "pk"),
                "touched": self.rules.has_touched(report),
                "reviewable": report.state == ReportState.SUBMITTED,
                **extra,
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(ReviewForm(initial={"version": self.report.version}))

    def post(self, request, pk):
        decision = (
            "approve"
            if "approve" in request.POST
            else "return"
            if "return" in request.POST
            else None
        )
        form = ReviewForm(request.POST, decision=decision)
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        try:
            if decision == "approve":
                services.approve_report(
                    self.report,
                    acting_user=request.user,
                    comment=data["comment"],
                    expected_version=data["version"],
                )
            else:
                services.return_report(
                    self.report,
                    acting_user=request.user,
                    comment=data["comment"],
                    expected_version=data["version"],
                )
        except PermissionDenied as exc:
            return self.render_page(form, status=403, refused=str(exc))
        except ConflictError as exc:
            return self.render_page(form, status=409, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(form, status=400)
        if decision == "approve":
            messages.success(request, _("The report was approved."))
        else:
            messages.success(request, _("The report was returned to its unit."))
        return HttpResponseRedirect(report_url(self.report))


class EvidenceRemoveView(RoleRequiredMixin, View):
    """Remove an evidence file from a draft or returned report (a button on the edit page)."""

    def post(self, request, pk):
        evidence = TaskEvidence.objects.filter(pk=pk).select_related("report").first()
        if evidence is None:
            raise Http404(_("No such file."))
        report = visible_report(request.user, evidence.report_id)
        form = VersionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The form was incomplete; reload the page and try again."))
            return HttpResponseRedirect(reverse("taskreports:report-edit", args=[report.pk]))
        try:
            services.remove_evidence(
                evidence, acting_user=request.user, expected_version=form.cleaned_data["version"]
            )
        except ConflictError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The file was removed."))
        return HttpResponseRedirect(reverse("taskreports:report-edit", args=[report.pk]))


class EvidenceDownloadView(RoleRequiredMixin, View):
    """An evidence file, under its original name, for those who may see its report."""

    def get(self, request, pk):
        evidence = TaskEvidence.objects.filter(pk=pk).first()
        if evidence is None:
            raise Http404(_("No such file."))
        visible_report(request.user, evidence.report_id)
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("The evidence file is missing from storage.")) from None
        name = evidence.original_name
        response = FileResponse(
            handle, as_attachment=True, filename=name, content_type=content_type_for(name)
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- consolidated reports ----------------------------------------------------------------------


class ConsolidatedEditView(RoleRequiredMixin, View):
    """The lead unit's consolidated report on a task for a period, beside its units' reports."""

    template_name = "taskreports/consolidated_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role:
            self.item = report_item(request.user, str(kwargs["item"]))
            day = parse_day(kwargs["period"])
            self.period = periods.period_starting(self.item.plan, day) if day else None
            if self.period is None:
                raise Http404(_("No reporting period of the plan starts on this day."))
            if not ReportRules.for_item(request.user, self.item.pk).may_write_consolidated(
                self.item.pk
            ):
                raise PermissionDenied(
                    _("Only the task's lead unit writes its consolidated report.")
                )
            self.existing = ConsolidatedReport.objects.filter(
                item=self.item, period_start=self.period.start
            ).first()
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200, **extra):
        reports = (
            TaskReport.objects.for_user(self.request.user)
            .filter(item=self.item, period_start=self.period.start)
            .select_related("unit")
            .order_by("unit__code")
        )
        return render(
            self.request,
            self.template_name,
            {
                "item": self.item,
                "period": self.period,
                "form": form,
                "reports": reports,
                "consolidated": self.existing,
                "default_status": services.default_item_status(self.item.pk, self.period.start),
                **extra,
            },
            status=status,
        )

    def get(self, request, item, period):
        existing = self.existing
        initial = (
            {"status": existing.status, "summary": existing.summary, "version": existing.version}
            if existing
            else {"status": services.default_item_status(self.item.pk, self.period.start)}
        )
        return self.render_page(ConsolidatedReportForm(initial=initial))

    def post(self, request, item, period):
        form = ConsolidatedReportForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        try:
            services.write_consolidated_report(
                item=self.item,
                period_start=self.period.start,
                status=data["status"],
                summary=data["summary"],
                acting_user=request.user,
                expected_version=data.get("version"),
            )
        except ConflictError as exc:
            return self.render_page(form, status=409, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(form, status=400)
        messages.success(request, _("The consolidated report was saved."))
        return HttpResponseRedirect(request.path)


# --- milestones --------------------------------------------------------------------------------


class MilestoneListView(FilteredListView):
    model = Milestone
    filterset_class = MilestoneFilterSet
    table_class = MilestoneTable
    template_name = "taskreports/milestone_list.html"
    export_name = "milestones"

    def base_queryset(self):
        return visible_milestones(Milestone.objects.all(), self.request.user)

    def decorate(self, queryset):
        return queryset.select_related("item__plan", "unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rules = ReportRules(self.request.user)
        today = timezone.localdate()
        for milestone in context["rows"]:
            milestone.may_edit = rules.may_edit_milestone(milestone)
            milestone.overdue = milestone.done_on is None and milestone.due_on < today
        return context


def milestone_units(item: PlanItem):
    return ResponsibleUnit.objects.filter(
        pk__in=ItemUnit.objects.filter(item=item).values("unit_id")
    ).order_by("code")


class MilestoneCreateView(RoleRequiredMixin, View):
    template_name = "taskreports/milestone_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role:
            self.item = report_item(request.user, request.GET.get("item"))
            if not ReportRules.for_item(request.user, self.item.pk).may_manage_milestones(
                self.item.pk, request.user.unit_id
            ):
                raise PermissionDenied(_("You may not add milestones to this task."))
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200, **extra):
        return render(
            self.request,
            self.template_name,
            {"form": form, "item": self.item, **extra},
            status=status,
        )

    def get(self, request):
        form = MilestoneForm(units=milestone_units(self.item), initial={"unit": request.user.unit})
        return self.render_page(form)

    def post(self, request):
        form = MilestoneForm(request.POST, units=milestone_units(self.item))
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        try:
            services.create_milestone(
                item=self.item,
                unit=data["unit"],
                due_on=data["due_on"],
                description=data["description"],
                acting_user=request.user,
            )
        except PermissionDenied as exc:
            return self.render_page(form, status=403, refused=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(form, status=400)
        messages.success(request, _("The milestone was added."))
        return HttpResponseRedirect(reverse("taskreports:milestone-list") + f"?item={self.item.pk}")


def get_milestone(pk: int) -> Milestone:
    milestone = Milestone.objects.filter(pk=pk).select_related("item__plan", "unit").first()
    if milestone is None:
        raise Http404(_("No such milestone."))
    return milestone


class MilestoneEditView(RoleRequiredMixin, View):
    template_name = "taskreports/milestone_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role:
            self.milestone = get_milestone(kwargs["pk"])
            self.item = self.milestone.item
            if not ReportRules.for_item(request.user, self.item.pk).may_edit_milestone(
                self.milestone
            ):
                raise PermissionDenied(_("You may not change this milestone."))
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200, **extra):
        return render(
            self.request,
            self.template_name,
            {"form": form, "item": self.item, "milestone": self.milestone, **extra},
            status=status,
        )

    def get(self, request, pk):
        m = self.milestone
        form = MilestoneForm(
            units=milestone_units(self.item),
            initial={
                "unit": m.unit,
                "due_on": m.due_on,
                "description": m.description,
                "version": m.version,
            },
        )
        return self.render_page(form)

    def post(self, request, pk):
        form = MilestoneForm(request.POST, units=milestone_units(self.item))
        form.fields["version"].required = True
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        try:
            services.update_milestone(
                self.milestone,
                acting_user=request.user,
                expected_version=data["version"],
                unit=data["unit"],
                due_on=data["due_on"],
                description=data["description"],
            )
        except PermissionDenied as exc:
            return self.render_page(form, status=403, refused=str(exc))
        except ConflictError as exc:
            return self.render_page(form, status=409, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(form, status=400)
        messages.success(request, _("The milestone was saved."))
        return HttpResponseRedirect(reverse("taskreports:milestone-list") + f"?item={self.item.pk}")


class MilestoneDoneView(RoleRequiredMixin, View):
    def post(self, request, pk):
        milestone = get_milestone(pk)
        form = MilestoneDoneForm(request.POST)
        back = reverse("taskreports:milestone-list") + f"?item={milestone.item_id}"
        if not form.is_valid():
            messages.error(request, _("The form was incomplete; reload the page and try again."))
            return HttpResponseRedirect(back)
        try:
            services.mark_milestone_done(
                milestone,
                acting_user=request.user,
                done_on=form.cleaned_data.get("done_on"),
                expected_version=form.cleaned_data["version"],
            )
        except (ConflictError, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return HttpResponseRedirect(back)
        messages.success(request, _("The milestone is done."))
        return HttpResponseRedirect(back)


# --- supervision notices -----------------------------------------------------------------------


def visible_notice(user, pk: int) -> SupervisionNotice:
    notice = (
        SupervisionNotice.objects.for_user(user)
        .select_related(
            "plan", "unit", "item", "issuing_unit", "issued_by", "replied_by", "closed_by"
        )
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise Http404(_("No such notice."))
    return notice


class NoticeListView(FilteredListView):
    model = SupervisionNotice
    filterset_class = SupervisionNoticeFilterSet
    table_class = NoticeTable
    template_name = "taskreports/notice_list.html"
    export_name = "supervision-notices"

    def decorate(self, queryset):
        return queryset.select_related("plan", "unit", "item", "issuing_unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_issue"] = ReportRules(self.request.user).may_write_notices()
        today = timezone.localdate()
        for notice in context["rows"]:
            notice.overdue = (
                notice.state == SupervisionNotice.State.OPEN and notice.reply_by < today
            )
        return context


class NoticeCreateView(RoleRequiredMixin, View):
    """Issue a notice to a unit (?unit=&item=&period= fill it in from the supervision page)."""

    template_name = "taskreports/notice_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role:
            self.rules = ReportRules(request.user)
            if not self.rules.may_write_notices():
                raise PermissionDenied(_("You may not issue supervision notices."))
            self.item = (
                report_item(request.user, request.GET.get("item"))
                if request.GET.get("item")
                else None
            )
            self.period = parse_day(request.GET.get("period"))
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None):
        form = NoticeForm(data, initial={"unit": self.request.GET.get("unit")})
        unit_field = form.fields["unit"]
        if self.item is not None:
            unit_field.queryset = milestone_units(self.item)  # type: ignore[attr-defined]
        return form

    def render_page(self, form, status=200, **extra):
        return render(
            self.request,
            self.template_name,
            {"form": form, "item": self.item, "period": self.period, **extra},
            status=status,
        )

    def get(self, request):
        return self.render_page(self.form())

    def post(self, request):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        plan = self.item.plan if self.item else None
        if plan is None:
            plan = current_plan(request)
        try:
            notice = services.issue_notice(
                unit=data["unit"],
                item=self.item,
                plan=plan,
                period_start=self.period,
                subject=data["subject"],
                text=data["text"],
                reply_by=data["reply_by"],
                acting_user=request.user,
            )
        except PermissionDenied as exc:
            return self.render_page(form, status=403, refused=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(form, status=400)
        messages.success(request, _("The supervision notice was issued."))
        return HttpResponseRedirect(reverse("taskreports:notice-detail", args=[notice.pk]))


class NoticeDetailView(RoleRequiredMixin, View):
    template_name = "taskreports/notice_detail.html"

    def render_page(self, notice, reply_form=None, close_form=None, status=200, **extra):
        rules = ReportRules(self.request.user, item_ids=[])
        return render(
            self.request,
            self.template_name,
            {
                "notice": notice,
                "may_reply": rules.may_reply_notice(notice),
                "may_close": rules.may_close_notice(notice),
                "reply_form": reply_form or NoticeReplyForm(initial={"version": notice.version}),
                "close_form": close_form or NoticeCloseForm(initial={"version": notice.version}),
                "overdue": notice.state == SupervisionNotice.State.OPEN
                and notice.reply_by < timezone.localdate(),
                **extra,
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(visible_notice(request.user, pk))


class NoticeReplyView(NoticeDetailView):
    def post(self, request, pk):
        notice = visible_notice(request.user, pk)
        form = NoticeReplyForm(request.POST)
        if not form.is_valid():
            return self.render_page(notice, reply_form=form, status=400)
        try:
            services.reply_notice(
                notice,
                reply=form.cleaned_data["reply"],
                acting_user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            return self.render_page(notice, reply_form=form, status=409, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(notice, reply_form=form, status=400)
        messages.success(request, _("Your reply was sent."))
        return HttpResponseRedirect(reverse("taskreports:notice-detail", args=[pk]))


class NoticeCloseView(NoticeDetailView):
    def post(self, request, pk):
        notice = visible_notice(request.user, pk)
        form = NoticeCloseForm(request.POST)
        if not form.is_valid():
            return self.render_page(notice, close_form=form, status=400)
        try:
            services.close_notice(
                notice,
                comment=form.cleaned_data["comment"],
                acting_user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            return self.render_page(notice, close_form=form, status=409, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(notice, close_form=form, status=400)
        messages.success(request, _("The notice was closed."))
        return HttpResponseRedirect(reverse("taskreports:notice-detail", args=[pk]))
