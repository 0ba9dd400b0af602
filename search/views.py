"""The global search's page: GET /search/?q=…, the results grouped by kind (search.selectors)."""

from __future__ import annotations

from django.views.generic import TemplateView

from zjai.access import RoleRequiredMixin

from .selectors import MAX_LENGTH, MIN_LENGTH, clean_query, search


class SearchView(RoleRequiredMixin, TemplateView):
    """Every signed-in user with a role; each group shows only what the reader may read."""

    template_name = "search/results.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = clean_query(self.request.GET.get("q"))
        # A text of one character would match most of the plan: ask for more, query nothing.
        too_short = len(query) < MIN_LENGTH
        groups = [] if too_short else search(self.request.user, query)
        context.update(
            {
                "query": query,
                "too_short": too_short,
                "asked": "q" in self.request.GET,
                "groups": groups,
                "found": sum(g.total for g in groups),
                "min_length": MIN_LENGTH,
                "max_length": MAX_LENGTH,
            }
        )
        return context
