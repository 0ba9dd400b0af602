"""Every endpoint × role × own or other unit, with the exact status code (a table).

The callers are an admin, a reviewer, a staff member and an auditor of econ-it, and no one
(no credentials). "own" objects belong to econ-it (its target robots-in-service, its register
entries); "other" ones to talent-office (talent-policies). Writes send the object's current
ETag, so what is tested is who may do what, not preconditions (see test_errors for those).

Reading the table: reads are open to every role except the audit log; another unit's draft,
submitted or rejected figure is a 404 to reviewers and staff (they cannot learn it exists),
its approved figure a 200 to read and a 403 to change; auditors get 403 on every change.
After any refused write the object is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.api.fixtures import OTHER_TARGET, OWN_TARGET, World, world_publication

CALLERS = ("admin", "reviewer", "staff", "auditor", None)
ALL_READ = {"admin": 200, "reviewer": 200, "staff": 200, "auditor": 200}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expected: dict[str, int]
    body: dict[str, Any] | None = None
    versioned: str | None = None  # "figure:own_draft", "enterprise:own", …: send If-Match
    anonymous: int = 401
    note: str = field(default="", compare=False)

    def status_for(self, caller: str | None) -> int:
        return self.anonymous if caller is None else self.expected[caller]


def roles(admin: int, reviewer: int, staff: int, auditor: int) -> dict[str, int]:
    return {"admin": admin, "reviewer": reviewer, "staff": staff, "auditor": auditor}


FIGURE = {"value": "1300", "observed_on": "2021-09-30", "note": "三季度"}
ENTERPRISE = {"name_zh": "矩阵测试企业", "city": "huzhou", "sector": "chips"}
PROJECT = {"name_zh": "矩阵测试项目", "kind": "major", "level": "city", "city": "huzhou"}

ROWS: list[Row] = [
    # --- the plan as data: read by all ---------------------------------------------------------
    Row("GET", "/api/v1/", ALL_READ),
    Row("GET", "/api/v1/plans/", ALL_READ),
    Row("GET", "/api/v1/plans/zj-ai-2019-2022/", ALL_READ),
    Row("GET", "/api/v1/units/", ALL_READ),
    Row("GET", "/api/v1/units/econ-it/", ALL_READ),
    Row("GET", "/api/v1/units/talent-office/", ALL_READ),
    Row("GET", "/api/v1/items/", ALL_READ),
    Row("GET", "/api/v1/items/{item}/", ALL_READ),
    # --- targets: public to every role ---------------------------------------------------------
    Row("GET", "/api/v1/targets/", ALL_READ),
    Row("GET", f"/api/v1/targets/{OWN_TARGET}/", ALL_READ),
    Row("GET", f"/api/v1/targets/{OTHER_TARGET}/", ALL_READ),
    # Reopening a closed target (the world's plan ended in 2022): administrators, with a reason.
    Row(
        "POST",
        f"/api/v1/targets/{OWN_TARGET}/reopen/",
        roles(200, 403, 403, 403),
        body={"reason": "统计局更正"},
    ),
    Row(
        "POST",
        f"/api/v1/targets/{OTHER_TARGET}/reopen/",
        roles(400, 403, 403, 403),
        body={},
        note="reopening needs a reason",
    ),
    # A target's metadata: administrators, with a reason and If-Match; the right comes first.
    Row(
        "PATCH",
        f"/api/v1/targets/{OWN_TARGET}/",
        roles(200, 403, 403, 403),
        body={"definition_zh": "在役工业机器人台数", "reason": "补充定义"},
        versioned="target:own",
    ),
    Row(
        "PATCH",
        f"/api/v1/targets/{OTHER_TARGET}/",
        roles(400, 403, 403, 403),
        body={"definition_zh": "定义"},
        versioned="target:other",
        note="changing the metadata needs a reason",
    ),
    Row("GET", f"/api/v1/targets/{OWN_TARGET}/history/", ALL_READ),
    Row("GET", f"/api/v1/targets/{OTHER_TARGET}/history/", ALL_READ),
    # --- roll-ups: as public as the targets ----------------------------------------------------
    Row("GET", "/api/v1/rollups/", ALL_READ),
    Row("GET", "/api/v1/rollups/{rollup}/", ALL_READ),
    # --- figures: read ---------------------------------------------------------------------------
    Row("GET", "/api/v1/measurements/", ALL_READ),
    Row("GET", "/api/v1/measurements/{own_draft}/", ALL_READ),
    Row("GET", "/api/v1/measurements/{own_submitted}/", ALL_READ),
    Row("GET", "/api/v1/measurements/{other_draft}/", roles(200, 404, 404, 200)),
    Row("GET", "/api/v1/measurements/{other_submitted}/", roles(200, 404, 404, 200)),
    Row("GET", "/api/v1/measurements/{other_rejected}/", roles(200, 404, 404, 200)),
    Row("GET", "/api/v1/measurements/{other_approved}/", ALL_READ),
    # --- figures: report and edit ----------------------------------------------------------------
    Row(
        "POST",
        "/api/v1/measurements/",
        roles(201, 201, 201, 403),
        body={"target": OWN_TARGET, **FIGURE},
    ),
    Row(
        "POST",
        "/api/v1/measurements/",
        roles(201, 403, 403, 403),
        body={"target": OTHER_TARGET, **FIGURE},
    ),
    Row(
        "PATCH",
        "/api/v1/measurements/{own_draft}/",
        roles(200, 200, 200, 403),
        body={"value": "1300"},
        versioned="figure:own_draft",
    ),
    Row(
        "PUT",
        "/api/v1/measurements/{own_draft}/",
        roles(200, 200, 200, 403),
        body=FIGURE,
        versioned="figure:own_draft",
    ),
    Row(
        "PATCH",
        "/api/v1/measurements/{own_rejected}/",
        roles(200, 200, 200, 403),
        body={"value": "1250"},
        versioned="figure:own_rejected",
    ),
    Row(
        "PATCH",
        "/api/v1/measurements/{other_draft}/",
        roles(200, 404, 404, 403),
        body={"value": "1300"},
        versioned="figure:other_draft",
    ),
    Row(
        "PUT",
        "/api/v1/measurements/{other_draft}/",
        roles(200, 404, 404, 403),
        body=FIGURE,
        versioned="figure:other_draft",
    ),
    Row(
        "PATCH",
        "/api/v1/measurements/{own_approved}/",
        roles(409, 409, 409, 403),
        body={"value": "1300"},
        versioned="figure:own_approved",
    ),
    Row(
        "PATCH",
        "/api/v1/measurements/{other_approved}/",
        roles(409, 403, 403, 403),
        body={"value": "1300"},
        versioned="figure:other_approved",
    ),
    # --- figures: the workflow ------------------------------------------------------------------
    Row(
        "POST",
        "/api/v1/measurements/{own_draft}/submit/",
        roles(200, 200, 200, 403),
        versioned="figure:own_draft",
    ),
    Row(
        "POST",
        "/api/v1/measurements/{other_draft}/submit/",
        roles(200, 404, 404, 403),
        versioned="figure:other_draft",
    ),
    Row(
        "POST",
        "/api/v1/measurements/{own_submitted}/submit/",
        roles(409, 409, 409, 403),
        versioned="figure:own_submitted",
    ),
    Row(
        "POST",
        "/api/v1/measurements/{own_submitted}/approve/",
        roles(200, 200, 403, 403),
        body={"comment": "核对无误"},
        versioned="figure:own_submitted",
    ),
    Row(
        "POST",
        "/api/v1/measurements/{other_submitted}/approve/",
        roles(200, 404, 404, 403),
        body={},
        versioned="figure:other_submitted",
    ),
    Row(
        "POST",
        "/api/v1/measurements/{own_draft}/approve/",
        roles(409, 409, 403, 403),
        body={},
        versioned="figure:own_draft",
        note="the right before the state: staff never review, whatever the state",
    ),
    Row(
        "POST",
        "/api/v1/measurements/{own_submitted}/reject/",
        roles(200, 200, 403, 403),
        body={"comment": "请附统计局来源"},
        versioned="figure:own_submitted",
    ),
    Row(
        "POST",
        "/api/v1/measurements/{own_submitted}/reject/",
        roles(400, 400, 400, 403),
        body={},
        versioned="figure:own_submitted",
        note="a rejection needs a comment",
    ),
    Row(
        "POST",
        "/api/v1/measurements/{own_approved}/withdraw/",
        roles(200, 200, 403, 403),
        body={"reason": "统计口径调整"},
        versioned="figure:own_approved",
    ),
    Row(
        "POST",
        "/api/v1/measurements/{other_approved}/withdraw/",
        roles(200, 403, 403, 403),
        body={"reason": "统计口径调整"},
        versioned="figure:other_approved",
    ),
    # --- registers -------------------------------------------------------------------------------
    Row("GET", "/api/v1/enterprises/", ALL_READ),
    Row("GET", "/api/v1/enterprises/{enterprise_own}/", ALL_READ),
    Row("GET", "/api/v1/enterprises/{enterprise_other}/", ALL_READ),
    Row("POST", "/api/v1/enterprises/", roles(201, 201, 201, 403), body=ENTERPRISE),
    Row(
        "PATCH",
        "/api/v1/enterprises/{enterprise_own}/",
        roles(200, 200, 200, 403),
        body={"name_en": "Matrix Ltd"},
        versioned="enterprise:own",
    ),
    Row(
        "PATCH",
        "/api/v1/enterprises/{enterprise_other}/",
        roles(200, 403, 403, 403),
        body={"name_en": "Matrix Ltd"},
        versioned="enterprise:other",
    ),
    Row(
        "PUT",
        "/api/v1/enterprises/{enterprise_own}/",
        roles(202, 202, 202, 403),  # a new city and sector: proposed, to be confirmed
        body={**ENTERPRISE, "owner_unit": "econ-it"},
        versioned="enterprise:own",
        note="PUT repeating the managing unit is no attempt to change it",
    ),
    Row(
        "PUT",
        "/api/v1/enterprises/{enterprise_other}/",
        roles(202, 403, 403, 403),
        body=ENTERPRISE,
        versioned="enterprise:other",
    ),
    Row(
        "PATCH",
        "/api/v1/enterprises/{enterprise_own}/",
        roles(200, 403, 403, 403),
        body={"owner_unit": "talent-office"},
        versioned="enterprise:own",
        note="only an admin moves an entry to another unit",
    ),
    # Confirming: a reviewer of the managing unit or an admin (409 here: the world's entries
    # have no pending change); tests/registers/test_api.py confirms real ones.
    *[
        Row(
            "POST",
            f"/api/v1/{register}s/{{{register}_{side}}}/{decision}/",
            roles(409, 409 if side == "own" else 403, 403, 403),
            body={"comment": "核对"},
            versioned=f"{register}:{side}",
        )
        for register in ("enterprise", "project")
        for side in ("own", "other")
        for decision in ("confirm", "reject")
    ],
    Row("GET", "/api/v1/projects/", ALL_READ),
    Row("GET", "/api/v1/projects/{project_own}/", ALL_READ),
    Row("GET", "/api/v1/projects/{project_other}/", ALL_READ),
    # Every project counts: a new one awaits confirmation (202), as does a counted change.
    Row("POST", "/api/v1/projects/", roles(202, 202, 202, 403), body=PROJECT),
    Row(
        "PUT",
        "/api/v1/projects/{project_own}/",
        roles(202, 202, 202, 403),
        body={**PROJECT, "status": "completed"},
        versioned="project:own",
    ),
    Row(
        "PATCH",
        "/api/v1/projects/{project_own}/",
        roles(202, 202, 202, 403),
        body={"planned_investment": "5000.50"},
        versioned="project:own",
    ),
    Row(
        "PUT",
        "/api/v1/projects/{project_other}/",
        roles(202, 403, 403, 403),
        body=PROJECT,
        versioned="project:other",
    ),
    Row(
        "PATCH",
        "/api/v1/projects/{project_other}/",
        roles(202, 403, 403, 403),
        body={"status": "completed"},
        versioned="project:other",
    ),
    # --- the audit log ---------------------------------------------------------------------------
    Row("GET", "/api/v1/audit-events/", roles(200, 403, 403, 200)),
    Row("GET", "/api/v1/audit-events/{audit_seq}/", roles(200, 403, 403, 200)),
    # --- editions of the report: auditors and administrators, like the exports ------------------
    Row("GET", "/api/v1/editions/?as_of=2021-06-30", roles(200, 403, 403, 200)),
    Row("GET", "/api/v1/editions/compare/?as_of=2021-06-30", roles(200, 403, 403, 200)),
    # --- publications: listed for auditors and administrators; published and withdrawn by
    # administrators only -------------------------------------------------------------------------
    Row("GET", "/api/v1/publications/", roles(200, 403, 403, 200)),
    Row("GET", "/api/v1/publications/{publication}/", roles(200, 403, 403, 200)),
    Row(
        "POST",
        "/api/v1/publications/",
        roles(201, 403, 403, 403),
        body={"plan": "zj-ai-2019-2022", "as_of": "2021-09-30"},
    ),
    Row(
        "POST",
        "/api/v1/publications/",
        roles(400, 403, 403, 403),
        body={"plan": "zj-ai-2019-2022", "as_of": "2099-01-01"},
        note="a date in the future",
    ),
    Row(
        "POST",
        "/api/v1/publications/{publication}/withdraw/",
        roles(200, 403, 403, 403),
        body={"reason": "数据有误"},
        versioned="publication:live",
    ),
    # --- tokens ----------------------------------------------------------------------------------
    Row("GET", "/api/v1/tokens/", ALL_READ),
    Row("GET", "/api/v1/tokens/{own_token}/", ALL_READ),
    Row("GET", "/api/v1/tokens/{other_unit_token}/", roles(200, 404, 404, 404)),
    Row("POST", "/api/v1/tokens/", roles(201, 201, 201, 201), body={"name": "sync"}),
    Row(
        "POST",
        "/api/v1/tokens/",
        roles(201, 403, 403, 403),
        body={"name": "sync", "user": "other_staff"},
    ),
    Row("DELETE", "/api/v1/tokens/{own_spare_token}/", roles(204, 204, 204, 204)),
    Row("DELETE", "/api/v1/tokens/{other_unit_token}/", roles(204, 404, 404, 404)),
    # --- task reports: a unit writes its own, the lead unit reviews, drafts never leak ---------
    Row("GET", "/api/v1/task-reports/", ALL_READ),
    Row("GET", "/api/v1/task-reports/{report_own_draft}/", ALL_READ),
    Row("GET", "/api/v1/task-reports/{report_own_submitted}/", ALL_READ),
    Row("GET", "/api/v1/task-reports/{report_other_draft}/", roles(200, 404, 404, 200)),
    Row("GET", "/api/v1/task-reports/{report_other_submitted}/", roles(200, 404, 404, 200)),
    Row("GET", "/api/v1/task-reports/{report_other_approved}/", ALL_READ),
    Row(
        "POST",
        "/api/v1/task-reports/",
        roles(201, 201, 201, 403),
        body={"item": "{item_own}", "period_start": "2022-01-01", "status": "in_progress"},
    ),
    Row(
        "POST",
        "/api/v1/task-reports/",
        roles(201, 403, 403, 403),
        body={
            "item": "{item_other}",
            "unit": "talent-office",
            "period_start": "2022-01-01",
            "status": "behind",
        },
        note="only an administrator writes another unit's report",
    ),
    Row(
        "PATCH",
        "/api/v1/task-reports/{report_own_draft}/",
        roles(200, 200, 200, 403),
        body={"work_done": "补充"},
        versioned="taskreport:own_draft",
    ),
    Row(
        "PATCH",
        "/api/v1/task-reports/{report_own_returned}/",
        roles(200, 200, 200, 403),
        body={"status": "behind"},
        versioned="taskreport:own_returned",
    ),
    Row(
        "PATCH",
        "/api/v1/task-reports/{report_other_draft}/",
        roles(200, 404, 404, 403),
        body={"work_done": "补充"},
        versioned="taskreport:other_draft",
    ),
    Row(
        "PATCH",
        "/api/v1/task-reports/{report_own_submitted}/",
        roles(409, 409, 409, 403),
        body={"work_done": "补充"},
        versioned="taskreport:own_submitted",
    ),
    Row(
        "POST",
        "/api/v1/task-reports/{report_own_draft}/submit/",
        roles(200, 200, 200, 403),
        versioned="taskreport:own_draft",
    ),
    Row(
        "POST",
        "/api/v1/task-reports/{report_other_draft}/submit/",
        roles(200, 404, 404, 403),
        versioned="taskreport:other_draft",
    ),
    Row(
        "POST",
        "/api/v1/task-reports/{report_own_submitted}/approve/",
        roles(200, 200, 403, 403),
        body={"comment": "同意"},
        versioned="taskreport:own_submitted",
    ),
    Row(
        "POST",
        "/api/v1/task-reports/{report_other_submitted}/approve/",
        roles(200, 404, 404, 403),
        body={},
        versioned="taskreport:other_submitted",
    ),
    Row(
        "POST",
        "/api/v1/task-reports/{report_own_submitted}/return/",
        roles(200, 200, 403, 403),
        body={"comment": "请补充"},
        versioned="taskreport:own_submitted",
    ),
    Row(
        "POST",
        "/api/v1/task-reports/{report_own_submitted}/return/",
        roles(400, 400, 400, 403),
        body={},
        versioned="taskreport:own_submitted",
        note="a return needs a comment",
    ),
    Row(
        "POST",
        "/api/v1/task-reports/{report_own_approved}/approve/",
        roles(409, 409, 403, 403),
        body={},
        versioned="taskreport:own_approved",
    ),
    # --- milestones: read by all; the lead or owning unit changes them --------------------------
    Row("GET", "/api/v1/milestones/", ALL_READ),
    Row("GET", "/api/v1/milestones/{milestone_own}/", ALL_READ),
    Row("GET", "/api/v1/milestones/{milestone_other}/", ALL_READ),
    Row(
        "POST",
        "/api/v1/milestones/",
        roles(201, 201, 201, 403),
        body={
            "item": "{item_own}",
            "unit": "sci-tech",
            "due_on": "2022-06-30",
            "description": "完成验收",
        },
    ),
    Row(
        "POST",
        "/api/v1/milestones/",
        roles(201, 403, 403, 403),
        body={
            "item": "{item_other}",
            "unit": "talent-office",
            "due_on": "2022-06-30",
            "description": "完成验收",
        },
    ),
    Row(
        "PATCH",
        "/api/v1/milestones/{milestone_own}/",
        roles(200, 200, 200, 403),
        body={"description": "调整"},
        versioned="milestone:own",
    ),
    Row(
        "PATCH",
        "/api/v1/milestones/{milestone_other}/",
        roles(200, 403, 403, 403),
        body={"description": "调整"},
        versioned="milestone:other",
    ),
    Row(
        "POST",
        "/api/v1/milestones/{milestone_own}/done/",
        roles(200, 200, 200, 403),
        body={},
        versioned="milestone:own",
    ),
    # --- supervision notices: the addressed and the issuing unit, admins and auditors -----------
    Row("GET", "/api/v1/supervision-notices/", ALL_READ),
    Row("GET", "/api/v1/supervision-notices/{notice_own}/", ALL_READ),
    Row("GET", "/api/v1/supervision-notices/{notice_other}/", roles(200, 404, 404, 200)),
    Row(
        "POST",
        "/api/v1/supervision-notices/",
        roles(201, 201, 403, 403),
        body={
            "unit": "sci-tech",
            "item": "{item_own}",
            "subject": "请报送",
            "text": "请于本周内报送。",
            "reply_by": "2099-12-31",
        },
    ),
    Row(
        "POST",
        "/api/v1/supervision-notices/",
        roles(201, 403, 403, 403),
        body={
            "unit": "hrss",
            "item": "{item_other}",
            "subject": "请报送",
            "text": "请于本周内报送。",
            "reply_by": "2099-12-31",
        },
        note="a lead unit's reviewer issues notices on its own tasks only",
    ),
    Row(
        "POST",
        "/api/v1/supervision-notices/{notice_own}/reply/",
        roles(200, 200, 200, 403),
        body={"reply": "已报送"},
        versioned="notice:own",
    ),
    Row(
        "POST",
        "/api/v1/supervision-notices/{notice_other}/reply/",
        roles(403, 404, 404, 403),
        body={"reply": "已报送"},
        versioned="notice:other",
    ),
    Row(
        "POST",
        "/api/v1/supervision-notices/{notice_own}/close/",
        roles(200, 200, 403, 403),
        body={},
        versioned="notice:own",
    ),
    Row(
        "POST",
        "/api/v1/supervision-notices/{notice_other}/close/",
        roles(200, 404, 404, 403),
        body={"comment": "已办结"},
        versioned="notice:other",
    ),
    # --- notifications: one's own inbox only, administrators included; auditors read theirs --
    Row("GET", "/api/v1/notifications/", ALL_READ),
    Row("GET", "/api/v1/notifications/{own_notice}/", ALL_READ),
    Row("GET", "/api/v1/notifications/{other_notice}/", roles(404, 404, 404, 404)),
    Row("POST", "/api/v1/notifications/{own_notice}/read/", roles(200, 200, 200, 200), body={}),
    Row("POST", "/api/v1/notifications/{other_notice}/read/", roles(404, 404, 404, 404), body={}),
    Row("POST", "/api/v1/notifications/read-all/", roles(200, 200, 200, 200), body={}),
    Row("GET", "/api/v1/notifications/email-settings/", ALL_READ),
    Row(
        "POST",
        "/api/v1/notifications/email-settings/",
        roles(200, 200, 200, 200),
        body={"email_kinds": ["submitted"]},
    ),
]


def resolve(path: str, world: World, caller: str | None) -> str:
    from plans.models import PlanItem

    names = {
        **world.figures,
        "enterprise_own": world.enterprises["own"],
        "enterprise_other": world.enterprises["other"],
        "project_own": world.projects["own"],
        "project_other": world.projects["other"],
        "audit_seq": world.audit_seq,
        "own_token": world.token_ids[caller or "staff"],
        "own_spare_token": world.token_ids[f"{caller or 'staff'}_spare"],
        "other_unit_token": world.token_ids["other_staff"],
        **{f"report_{name}": pk for name, pk in world.task_reports.items()},
        **{f"milestone_{name}": pk for name, pk in world.milestones.items()},
        **{f"notice_{name}": pk for name, pk in world.notices.items()},
    }
    if "notice}" in path:
        names["own_notice"] = world.notice(caller or "staff")
        names["other_notice"] = world.notice("other_staff")
    if "{rollup}" in path:
        from targets.models import RollupProgress

        names["rollup"] = RollupProgress.objects.order_by("pk").values_list("pk", flat=True)[0]
    if "{item}" in path:
        names["item"] = PlanItem.objects.order_by("pk").values_list("pk", flat=True)[0]
    if "{publication}" in path:
        names["publication"] = world_publication(world).pk
    return path.format(**names)


def resolve_body(body: dict[str, Any] | None, world: World) -> dict[str, Any] | None:
    """A body naming a plan item as "{item_own}" or "{item_other}": its id."""
    if body is None:
        return None
    items = {f"{{item_{side}}}": pk for side, pk in world.items.items()}
    return {
        key: items.get(value, value) if isinstance(value, str) else value
        for key, value in body.items()
    }


def versioned_object(ref: str, world: World) -> Any:
    from enterprises.models import Enterprise
    from projects.models import Project
    from targets.models import Measurement
    from taskreports.models import Milestone, SupervisionNotice, TaskReport

    kind, name = ref.split(":")
    if kind == "target":
        from targets.models import Target

        # A bare code names the first plan's target (targets.lookup).
        code = OWN_TARGET if name == "own" else OTHER_TARGET
        return Target.objects.filter(code=code).order_by("plan__period_start").first()
    if kind == "publication":
        return world_publication(world)
    if kind == "taskreport":
        return TaskReport.objects.get(pk=world.task_reports[name])
    if kind == "milestone":
        return Milestone.objects.get(pk=world.milestones[name])
    if kind == "notice":
        return SupervisionNotice.objects.get(pk=world.notices[name])
    if kind == "figure":
        return Measurement.objects.get(pk=world.figures[name])
    if kind == "enterprise":
        return Enterprise.objects.get(pk=world.enterprises[name])
    return Project.objects.get(pk=world.projects[name])


CASES = [
    pytest.param(row, caller, id=f"{row.method} {row.path} {row.note} as {caller or 'nobody'}")
    for row in ROWS
    for caller in CALLERS
]


@pytest.mark.parametrize(("row", "caller"), CASES)
def test_status(row: Row, caller: str | None, world: World, as_user: Any) -> None:
    client = as_user(caller)
    headers = {}
    before = None
    if row.versioned:
        before = versioned_object(row.versioned, world)
        headers["HTTP_IF_MATCH"] = f'"{before.version}"'
    path = resolve(row.path, world, caller)
    method = getattr(client, row.method.lower())
    body = resolve_body(row.body, world)
    response = (
        method(path, body, format="json", **headers)
        if row.body is not None
        else (method(path, **headers))
    )
    expected = row.status_for(caller)
    assert response.status_code == expected, response.content[:500]
    if before is not None and response.status_code >= 400:
        after = versioned_object(row.versioned, world)
        assert (after.version, after.state if hasattr(after, "state") else None) == (
            before.version,
            before.state if hasattr(before, "state") else None,
        ), "a refused change must change nothing"


def test_every_operation_of_the_schema_is_in_the_table() -> None:
    """A new endpoint cannot ship without its row: each documented operation appears above."""
    import re

    from tests.api.client import schema_dict

    covered = {
        (
            row.method,
            re.sub(
                r"\{[^}]+\}|robots-in-service|talent-policies|zj-ai-2019-2022|econ-it|talent-office",
                "{}",
                row.path.split("?")[0],  # a query names the edition, not another operation
            ),
        )
        for row in ROWS
    }
    for path, operations in schema_dict()["paths"].items():
        template = re.sub(r"\{[^}]+\}", "{}", path)
        for method in operations:
            if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                assert (method.upper(), template) in covered, f"{method.upper()} {path} has no row"


def test_a_user_without_a_role_may_do_nothing(world: World, make_user: Any) -> None:
    from accounts.models import User
    from accounts.services import create_api_token
    from tests.api.client import ApiClient

    nobody = User.objects.create_user(username="norole", password="x-Test-12345")
    _token, key = create_api_token(owner=nobody, name="t", acting_user=nobody)
    client = ApiClient().use_token(key)
    for path in ("/api/v1/targets/", "/api/v1/measurements/", "/api/v1/tokens/"):
        response = client.get(path)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
