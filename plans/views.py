"""Browser pages of the plans app."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.views.generic import TemplateView

from targets.models import Progress, Target

from .models import ItemUnit, Plan, PlanItem


class PlanOverviewView(LoginRequiredMixin, TemplateView):
    """The plan at a glance: its parts and groups, and every target with its latest progress."""

    template_name = "plans/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = Plan.objects.order_by("-period_start").first()
        context["plan"] = plan
        if plan is None:
            return context
        targets = list(
            Target.objects.for_user(self.request.user)
            .filter(plan=plan)
            .select_related("item")
            .order_by("order")
        )
        progress = {
            row.target_id: row
            for row in Progress.objects.latest_per_target().filter(target__in=targets)
        }
        context["targets"] = [(t, progress.get(t.pk)) for t in targets]
        context["items"] = (
            PlanItem.objects.filter(plan=plan, depth__lte=1)
            .prefetch_related(
                Prefetch(
                    "unit_links",
                    queryset=ItemUnit.objects.select_related("unit").order_by("order"),
                )
            )
            .order_by("order")
        )
        return context
