"""Browser pages of the targets app: the target list and page, and the figure workflow.

Every write goes through targets.services, which checks rights, state and version inside its
transaction; the views only show what a user may do and turn the services' refusals into
clear messages (403 for a right, 409 for a stale version, 400 for bad input).
"""

from __future__ import annotations

from urllib.parse import urlencode

from csp.constants import SELF
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from audit.history import history_entries
from audit.models import AuditEvent
from zjai.access import RoleRequiredMixin
from zjai.charts import TimeSeriesLabels, time_series
from zjai.dates import today
from zjai.exceptions import ConflictError
from zjai.forms import apply_errors
from zjai.lists import FilteredListView, paginate
from zjai.templatetags.zjai import format_number
from zjai.uploads import content_type_for

from . import services
from .choices import MeasurementState, ProgressStatus, Register, SourceKind
from .explain import explain, unit_name, unit_of
from .filtersets import MeasurementFilterSet, TargetFilterSet
from .forms import MeasurementForm, ReopenForm, ReviewForm, SubmitForm, WithdrawForm
from .lookup import AmbiguousCode, find_target
from .models import FigureReview, Measurement, Progress, Target, TargetVerdict
from .recompute import closing_date
from .review_context import review_context
from .rules import FigureRules, may_change_targets, may_reopen_target
from .selectors import figure_rounds, target_history
from .series import continued_series, target_chart
from .tables import MeasurementTable, TargetTable
from .values import register_list_query

PENDING_ROWS = 10
FIGURES_PER_PAGE = 10
HISTORY_PER_PAGE = 10


def get_target(user, plan: str, code: str) -> Target:
    """The target `code` of the plan `plan` (codes are unique only within a plan)."""
    target = (
        Target.objects.for_user(user)
        .filter(plan__code=plan, code=code)
        .select_related("plan", "item", "predecessor__plan")
        .first()
    )
    if target is None:
        raise Http404(_("No such target."))
    return target


def visible_figure(user, pk: int) -> Measurement:
    """A figure the user may see; another unit's draft is as absent as a missing one (404)."""
    figure = (
        Measurement.objects.for_user(user)
        .select_related(
            "target",
            "target__plan",
            "created_by",
            "submitted_by",
            "reviewed_by",
            "withdrawn_by",
            "unit",
        )
        # The rounds with their people in one query, however many rounds and reviewers.
        .prefetch_related(
            Prefetch(
                "rounds",
                queryset=FigureReview.objects.select_related("submitted_by", "reviewed_by"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if figure is None:
        raise Http404(_("No such figure."))
    return figure


def target_url(target) -> str:
    return reverse("targets:detail", args=[target.plan.code, target.code])


# --- targets ------------------------------------------------------------------------------------


class OldTargetAddressView(RoleRequiredMixin, View):
    """/targets/<code>/... from before targets lived under their plan: redirected to the page
    of the only plan with that code, else of the first plan (targets.lookup). GET and HEAD
    get 302; a form posted to the old address is re-posted (307)."""

    page = "detail"

    def get(self, request, code):
        return self.redirect(request, code, status=302)

    def post(self, request, code):
        return self.redirect(request, code, status=307)

    def redirect(self, request, code, status):
        try:
            found = find_target(Target.objects.for_user(request.user), code)
        except AmbiguousCode as exc:
            raise Http404(
                _("Several plans have the target %(code)s: %(plans)s.")
                % {"code": exc.code, "plans": ", ".join(exc.plans)}
            ) from None
        if found.target is None:
            raise Http404(_("No such target."))
        url = reverse(f"targets:{self.page}", args=[found.target.plan.code, found.target.code])
        if request.META.get("QUERY_STRING"):
            url += "?" + request.META["QUERY_STRING"]
        response = HttpResponseRedirect(url)
        response.status_code = status
        return response


class TargetListView(FilteredListView):
    model = Target
    filterset_class = TargetFilterSet
    table_class = TargetTable
    template_name = "targets/target_list.html"
    export_name = "targets"

    def decorate(self, queryset):
        return queryset.select_related("item", "plan")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        progress = {
            p.target_id: p
            for p in Progress.objects.latest_per_target().filter(target__in=self.page.object_list)
        }
        context["rows"] = [(t, progress.get(t.pk)) for t in self.page.object_list]
        return context


class TargetDetailView(RoleRequiredMixin, TemplateView):
    """A target: its chart, its status in a sentence, its figures and its history."""

    template_name = "targets/target_detail.html"

    def get_context_data(self, plan, code, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        target = get_target(user, plan, code)
        rules = FigureRules(user, target_ids=[target.pk])
        progress = target.progress.order_by("-as_of").first()
        as_of = progress.as_of if progress else today()
        unit = unit_of(target)
        # One series across the plans: the values of the targets this one continues first.
        actual, earlier = continued_series(target, progress, as_of)
        forecast = None
        final = (ProgressStatus.ACHIEVED, ProgressStatus.MISSED)
        if progress and progress.forecast is not None and progress.status not in final:
            forecast = (target.deadline, progress.forecast)
        sentence = explain(target, progress)
        # The baseline the progress was computed with (as of its date), and the plan's period.
        frame = target_chart(target, as_of)
        baseline = frame.baseline
        baseline_words = _("baseline %(value)s %(unit)s on %(date)s: %(source)s") % {
            "value": format_number(baseline.value),
            "unit": unit_name(target),
            "date": date_format(baseline.on),
            "source": baseline.source_label,
        }
        # The legend names the diamond; the words above say where the baseline comes from.
        baseline_legend = _("baseline %(value)s") % {"value": format_number(baseline.value)}
        chart = time_series(
            actual=actual,
            required=frame.required,
            deadline=target.deadline,
            target_value=float(target.target_value),
            forecast=forecast,
            baseline=(baseline.on, float(baseline.value)),
            period=frame.period,
            labels=TimeSeriesLabels(
                title=_("%(target)s over time (%(unit)s)")
                % {"target": target.title, "unit": unit_name(target)},
                description=f"{sentence} {baseline_words}",
                actual=_("value"),
                required=_("required path"),
                target=_("target value"),
                deadline=_("deadline %(date)s") % {"date": date_format(target.deadline)},
                forecast=_("forecast"),
                baseline=baseline_legend,
            ),
        )
        visible = (
            Measurement.objects.for_user(user)
            .filter(target=target)
            .select_related("created_by", "submitted_by", "reviewed_by", "withdrawn_by")
        )
        pending_qs = visible.filter(
            state__in=[
                MeasurementState.DRAFT,
                MeasurementState.SUBMITTED,
                MeasurementState.REJECTED,
            ]
        ).order_by("-created_at", "-pk")
        pending = list(pending_qs[: PENDING_ROWS + 1])
        figures = paginate(
            visible.filter(
                state__in=[
                    MeasurementState.APPROVED,
                    MeasurementState.WITHDRAWN,
                    MeasurementState.SUPERSEDED,
                ]
            ).order_by("-observed_on", "-reviewed_at", "-pk"),
            self.request.GET.get("page"),
            FIGURES_PER_PAGE,
        )
        history = paginate(
            target_history(target, user), self.request.GET.get("history_page"), HISTORY_PER_PAGE
        )
        rows = [*pending, *figures.object_list]
        rules.read_editors(rows)
        for figure in rows:
            figure.target = target
            figure.may = rules.actions(figure)
        verdict = TargetVerdict.objects.filter(target=target).first()
        context.update(
            target=target,
            verdict=verdict,
            closes_on=closing_date(target),
            # The row shows the verdict (it was computed after the target closed).
            revision=progress if verdict and progress and progress.revised else None,
            can_reopen=verdict is not None and may_reopen_target(user),
            # The metadata is edited where the target's definition is: the admin's page.
            can_change_target=may_change_targets(user),
            unit=unit,
            units=target.unit_links.select_related("unit").order_by("order"),
            progress=progress,
            sentence=sentence,
            chart=chart,
            earlier=earlier,
            baseline=baseline,
            # Every value the chart draws, over the whole plan period.
            chart_rows=[(day, format_number(value)) for day, value in actual],
            pending=pending[:PENDING_ROWS],
            more_pending=len(pending) > PENDING_ROWS,
            figures=figures,
            history=history,
            # The target's own key is left out of its figures' events: it is this page.
            history_rows=history_entries(history.object_list, skip=("target",)),
            can_report=rules.may_report(target),
            counted=counted_entries(target, progress),
        )
        return context


REGISTER_LISTS: dict[str, str] = {
    Register.ENTERPRISES: "enterprises:list",
    Register.PROJECTS: "projects:list",
}


def counted_entries(target: Target, progress: Progress | None) -> dict | None:
    """For a counted or summed target: the register list filtered as the count is, as of the
    date its value describes (today's when nothing was computed yet)."""
    if target.source_kind == SourceKind.REPORTED or target.source_register not in REGISTER_LISTS:
        return None
    day = (progress.current_date or progress.as_of) if progress else today()
    query = urlencode(register_list_query(target, day))
    return {
        "url": f"{reverse(REGISTER_LISTS[target.source_register])}?{query}",
        "on": day,
        "sums": target.source_kind == SourceKind.SUM,
    }


class ReopenTargetView(RoleRequiredMixin, View):
    """Remove a closed target's frozen verdict, with a reason (administrators only)."""

    template_name = "targets/target_reopen.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role:
            if not may_reopen_target(request.user):
                raise PermissionDenied(_("Only an administrator may reopen a closed target."))
            self.target = get_target(request.user, kwargs["plan"], kwargs["code"])
            self.verdict = TargetVerdict.objects.filter(target=self.target).first()
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200, **extra):
        return render(
            self.request,
            self.template_name,
            {"target": self.target, "verdict": self.verdict, "form": form, **extra},
            status=status,
        )

    def get(self, request, plan, code):
        return self.render_page(ReopenForm())

    def post(self, request, plan, code):
        form = ReopenForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            services.reopen_target(
                self.target, acting_user=request.user, reason=form.cleaned_data["reason"]
            )
        except ConflictError as exc:
            return self.render_page(form, status=409, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(form, status=400)
        messages.success(
            request,
            _(
                "The target was reopened: its verdict was removed, and it is judged again on "
                "the figures known now."
            ),
        )
        return HttpResponseRedirect(target_url(self.target))


# --- figures ------------------------------------------------------------------------------------


class FigureListView(FilteredListView):
    model = Measurement
    filterset_class = MeasurementFilterSet
    table_class = MeasurementTable
    template_name = "targets/measurement_list.html"
    export_name = "figures"

    def decorate(self, queryset):
        return queryset.select_related("target__plan", "created_by", "submitted_by", "reviewed_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rules = FigureRules(self.request.user)
        rules.read_editors(context["rows"])
        for figure in context["rows"]:
            figure.may = rules.actions(figure)
        # The "Approve selected" button, when a row of this page may be ticked.
        context["may_approve_selected"] = any(f.may["review"] for f in context["rows"])
        return context


class FigureDetailView(RoleRequiredMixin, TemplateView):
    """One figure, read-only: what it says, its evidence, its state, its history (the audit
    trail as a person reads it) and the actions the reader may take (FigureRules)."""

    template_name = "targets/measurement_detail.html"

    def get_context_data(self, pk, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        figure = visible_figure(user, pk)
        rules = FigureRules.for_target(user, figure.target)
        rules.read_editors([figure])
        figure.may = rules.actions(figure)
        history = paginate(
            AuditEvent.objects.filter(
                object_type=Measurement._meta.label_lower, object_id=str(figure.pk)
            ).order_by("-seq"),
            self.request.GET.get("history_page"),
            HISTORY_PER_PAGE,
        )
        context.update(
            figure=figure,
            target=figure.target,
            unit=unit_of(figure.target),
            rounds=figure_rounds(figure),
            history=history,
            history_rows=history_entries(history.object_list, skip=("target",)),
        )
        return context


class FigureFormMixin(RoleRequiredMixin):
    template_name = "targets/measurement_form.html"

    def render_form(self, form, status=200, **extra):
        return render(
            self.request,
            self.template_name,
            {"form": form, "target": self.target, **extra},
            status=status,
        )


class ReportFigureView(FigureFormMixin, View):
    """A new figure for a target: saved as a draft, or saved and submitted at once."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.target = get_target(request.user, kwargs["plan"], kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    def check(self):
        if not FigureRules.for_target(self.request.user, self.target).may_report(self.target):
            raise PermissionDenied(_("Your unit does not report figures for this target."))

    def get(self, request, plan, code):
        self.check()
        return self.render_form(MeasurementForm(target=self.target))

    def post(self, request, plan, code):
        self.check()
        form = MeasurementForm(request.POST, request.FILES, target=self.target)
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = form.cleaned_data
        submit = "submit" in request.POST
        try:
            _figure, refusal = services.report_measurement(
                target=self.target,
                value=data["value"],
                observed_on=data["observed_on"],
                note=data["note"],
                evidence=data.get("evidence") or None,
                submit=submit,
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        if refusal:
            messages.warning(request, _("Saved as a draft but not submitted: %s") % refusal)
        elif submit:
            messages.success(request, _("The figure was submitted for review."))
        else:
            messages.success(request, _("The figure was saved as a draft."))
        return HttpResponseRedirect(target_url(self.target))


class EditFigureView(FigureFormMixin, View):
    """Change a draft or rejected figure; the version read must still be the current one."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role:
            self.figure = visible_figure(request.user, kwargs["pk"])
            self.target = self.figure.target
            rules = FigureRules.for_target(request.user, self.target)
            if rules.may_report(self.target) and not rules.reports_figure(self.figure):
                raise PermissionDenied(
                    _(
                        "This figure was reported by another unit: only its staff may change "
                        "or submit it."
                    )
                )
            if not rules.may_edit(self.figure):
                raise PermissionDenied(_("You may not change this figure."))
        return super().dispatch(request, *args, **kwargs)

    def form(self, *args, **kwargs):
        form = MeasurementForm(*args, target=self.target, **kwargs)
        form.fields["version"].required = True
        return form

    def render_form(self, form, status=200, **extra):
        return super().render_form(form, status, rounds=figure_rounds(self.figure), **extra)

    def get(self, request, pk):
        figure = self.figure
        form = self.form(
            initial={
                "value": figure.value,
                "observed_on": figure.observed_on,
                "note": figure.note,
                "version": figure.version,
            }
        )
        return self.render_form(form, figure=figure)

    def post(self, request, pk):
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form, status=400, figure=self.figure)
        data = form.cleaned_data
        changes = {
            "value": data["value"],
            "observed_on": data["observed_on"],
            "note": data["note"],
        }
        if data.get("evidence"):
            changes["evidence"] = data["evidence"]
        try:
            figure = services.revise_measurement(
                self.figure,
                acting_user=request.user,
                expected_version=data["version"],
                submit="submit" in request.POST,
                **changes,
            )
        except ConflictError as exc:
            return self.render_form(form, status=409, figure=self.figure, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400, figure=self.figure)
        if figure.state == MeasurementState.SUBMITTED:
            messages.success(request, _("The figure was saved and submitted for review."))
        else:
            messages.success(request, _("The figure was saved."))
        return HttpResponseRedirect(target_url(self.target))


class SubmitFigureView(RoleRequiredMixin, View):
    """draft → submitted (a button on the target page)."""

    def post(self, request, pk):
        figure = visible_figure(request.user, pk)
        form = SubmitForm(request.POST)
        form.fields["version"].required = True
        if not form.is_valid():
            messages.error(request, _("The form was incomplete; reload the page and try again."))
            return HttpResponseRedirect(target_url(figure.target))
        try:
            services.submit_measurement(
                figure, acting_user=request.user, expected_version=form.cleaned_data["version"]
            )
        except ConflictError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(target_url(figure.target))
        messages.success(request, _("The figure was submitted for review."))
        return HttpResponseRedirect(target_url(figure.target))


class ReviewFigureView(RoleRequiredMixin, View):
    """A submitted figure with its evidence; approve or reject it (never one that the reviewer
    created, edited or submitted)."""

    template_name = "targets/measurement_review.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role:
            self.figure = visible_figure(request.user, kwargs["pk"])
            self.rules = FigureRules.for_target(request.user, self.figure.target)
            if not self.rules.reviews_target(self.figure.target_id):
                raise PermissionDenied(_("Only reviewers of the target's lead unit may review it."))
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200, **extra):
        figure = self.figure
        return render(
            self.request,
            self.template_name,
            {
                "figure": figure,
                "target": figure.target,
                "form": form,
                "replaces": self.replaces,
                # Four eyes: no buttons, and the reason, for one who had a hand in it.
                "touched": self.rules.has_touched(figure),
                "reviewable": figure.state == MeasurementState.SUBMITTED,
                "rounds": figure_rounds(figure),
                "context": review_context(figure),
                "inline": inline_kind(figure),
                **extra,
            },
            status=status,
        )

    @cached_property
    def replaces(self) -> Measurement | None:
        """The approved figure for the same target and date, which approving supersedes."""
        if self.figure.state != MeasurementState.SUBMITTED:
            return None
        return services.approved_for_same_date(self.figure)

    def get(self, request, pk):
        return self.render_page(
            ReviewForm(initial={"version": self.figure.version}, replaces=self.replaces)
        )

    def post(self, request, pk):
        decision = (
            "approve"
            if "approve" in request.POST
            else "reject"
            if "reject" in request.POST
            else None
        )
        form = ReviewForm(request.POST, decision=decision, replaces=self.replaces)
        form.fields["version"].required = True
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        try:
            if decision == "approve":
                services.approve_measurement(
                    self.figure,
                    acting_user=request.user,
                    comment=data["comment"],
                    expected_version=data["version"],
                    # The id of the figure the reviewer saw and confirmed replacing (or True
                    # if the page predates the hidden id): never a confirmation not given.
                    supersede=(data.get("replaces") or True) if data.get("supersede") else False,
                )
            else:
                services.reject_measurement(
                    self.figure,
                    acting_user=request.user,
                    comment=data["comment"],
                    expected_version=data["version"],
                )
        except PermissionDenied as exc:
            return self.render_page(form, status=403, refused=str(exc))
        except ConflictError as exc:
            return self.render_page(form, status=409, conflict=str(exc))
        except IntegrityError:
            # Two figures for the same date approved at the same moment: the database kept one
            # (measurement_one_approved_per_date) and rolled this one back.
            return self.render_page(
                form,
                status=409,
                conflict=_("Another figure for this date was approved at the same time. Reload."),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(form, status=400)
        if decision == "approve":
            messages.success(
                request,
                _("The figure was approved. The target's progress is being updated."),
            )
        else:
            messages.success(request, _("The figure was rejected and returned to its unit."))
        return HttpResponseRedirect(target_url(self.figure.target))


class ApproveSelectedView(RoleRequiredMixin, View):
    """Approve the figures ticked on the figures list (the review queue), each as if approved
    on its own page: each by approve_measurement, in its own transaction, with the version the
    list showed, so four eyes, the state and the version are checked for every one. A refused
    figure changes nothing and is named with its reason; sending the same list again approves
    nothing twice (an approved figure is no longer submitted)."""

    def post(self, request):
        ids = []
        for raw in request.POST.getlist("figure"):
            if raw.isdigit() and int(raw) not in ids:
                ids.append(int(raw))
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ) or not back.startswith("/"):
            back = reverse("targets:figures")
        if not ids:
            messages.warning(request, _("Tick the figures to approve first."))
            return HttpResponseRedirect(back)
        figures = {
            f.pk: f
            for f in Measurement.objects.for_user(request.user)
            .select_related("target__plan")
            .filter(pk__in=ids)
        }
        approved = 0
        for pk in ids:
            figure = figures.get(pk)
            refusal = (
                _("No such figure.")
                if figure is None
                else self.approve(figure, request.POST.get(f"version-{pk}", ""))
            )
            if refusal is None:
                approved += 1
                continue
            messages.error(
                request,
                _("Figure #%(id)s (%(what)s) was not approved: %(reason)s")
                % {"id": pk, "what": self.describe(figure), "reason": refusal},
            )
        if approved:
            messages.success(
                request,
                ngettext(
                    "%(count)d figure was approved. The targets' progress is being updated.",
                    "%(count)d figures were approved. The targets' progress is being updated.",
                    approved,
                )
                % {"count": approved},
            )
        return HttpResponseRedirect(back)

    def approve(self, figure: Measurement, version: str) -> str | None:
        """None when approved, else why not."""
        if not version.isdigit():
            return _("The form was incomplete; reload the page and try again.")
        try:
            services.approve_measurement(
                figure, acting_user=self.request.user, expected_version=int(version)
            )
        except (PermissionDenied, ConflictError) as exc:
            return str(exc)
        except IntegrityError:
            return _("Another figure for this date was approved at the same time. Reload.")
        except ValidationError as exc:
            return " ".join(exc.messages)
        return None

    @staticmethod
    def describe(figure: Measurement | None) -> str:
        if figure is None:
            return "—"
        return _("%(target)s, %(value)s for %(date)s") % {
            "target": figure.target.title,
            "value": format_number(figure.value, 4),
            "date": figure.observed_on.isoformat(),
        }


class WithdrawFigureView(RoleRequiredMixin, View):
    """approved → withdrawn, with a reason (the lead unit's reviewers and admins)."""

    template_name = "targets/measurement_withdraw.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role:
            self.figure = visible_figure(request.user, kwargs["pk"])
            if not FigureRules.for_target(request.user, self.figure.target).may_withdraw(
                self.figure
            ):
                raise PermissionDenied(_("You may not withdraw this figure."))
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, status=200, **extra):
        return render(
            self.request,
            self.template_name,
            {"figure": self.figure, "target": self.figure.target, "form": form, **extra},
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(WithdrawForm(initial={"version": self.figure.version}))

    def post(self, request, pk):
        form = WithdrawForm(request.POST)
        form.fields["version"].required = True
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            services.withdraw_measurement(
                self.figure,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            return self.render_page(form, status=409, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(form, status=400)
        messages.success(request, _("The figure was withdrawn; it no longer counts."))
        return HttpResponseRedirect(target_url(self.figure.target))


# The evidence a browser shows by itself, inline on the review page: images and PDF files.
INLINE_KINDS = {"image/png": "image", "image/jpeg": "image", "application/pdf": "pdf"}


def inline_kind(figure: Measurement) -> str | None:
    """ "image" or "pdf" for evidence the review page shows inline, else None."""
    if not figure.evidence:
        return None
    return INLINE_KINDS.get(content_type_for(figure.shown_evidence_name))


class EvidenceView(RoleRequiredMixin, View):
    """A figure's evidence file, for those who may see the figure, downloaded under the name
    it was uploaded as (Content-Disposition with RFC 5987's filename* for a name that is not
    ASCII). With `?inline=1` an image or a PDF is served to be shown in the review page's
    frame: inline, and framable by this site's own pages only."""

    def get(self, request, pk):
        figure = visible_figure(request.user, pk)
        if not figure.evidence:
            raise Http404(_("This figure has no evidence file."))
        try:
            handle = figure.evidence.open("rb")
        except FileNotFoundError:
            raise Http404(_("The evidence file is missing from storage.")) from None
        name = figure.shown_evidence_name
        inline = bool(request.GET.get("inline")) and inline_kind(figure) is not None
        response = FileResponse(
            handle, as_attachment=not inline, filename=name, content_type=content_type_for(name)
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        if inline:
            # Every other response may be framed by no one (X_FRAME_OPTIONS, frame-ancestors);
            # this one by the review page. Chromium's PDF viewer is a plugin: object-src too.
            response["X-Frame-Options"] = "SAMEORIGIN"
            response._csp_replace = {  # type: ignore[attr-defined]
                "frame-ancestors": [SELF],
                "object-src": [SELF],
            }
        return response
