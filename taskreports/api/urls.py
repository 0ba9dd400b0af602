"""Routes of the task reports app, registered on the one router in zjai.api.urls."""

from .views import MilestoneViewSet, SupervisionNoticeViewSet, TaskReportViewSet

routes = [
    ("task-reports", TaskReportViewSet, "taskreport"),
    ("milestones", MilestoneViewSet, "milestone"),
    ("supervision-notices", SupervisionNoticeViewSet, "supervisionnotice"),
]
