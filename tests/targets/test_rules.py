"""targets.rules, function by function: who may report, review and withdraw which figure, who
sees what, and what waits for whom. The services' tests show the same rules enforced."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import prefetch_related_objects

from accounts.models import User
from plans.models import ResponsibleUnit
from targets import rules, services
from targets.models import Measurement, Target
from targets.rules import FigureRules

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(plan):
    return {code: ResponsibleUnit.objects.get(code=code) for code in ("econ-it", "sci-tech")}


@pytest.fixture
def people(units, make_user):
    econ, sci = units["econ-it"], units["sci-tech"]
    admin = make_user("admin", "admin", econ)
    return {
        "staff": make_user("staff", "staff", econ),
        "reviewer": make_user("reviewer", "reviewer", econ),
        "staff_sci": make_user("staff_sci", "staff", sci),
        "reviewer_sci": make_user("reviewer_sci", "reviewer", sci),
        "auditor": make_user("auditor", "auditor", econ),
        "admin": admin,
        "nobody": make_user("nobody", "staff"),  # a role but no unit
    }


@pytest.fixture
def robots(units, people):
    """Robots in service: led by econ-it, with sci-tech taking part."""
    target = Target.objects.get(code="robots-in-service")
    return services.set_target_units(
        target,
        links=[(units["econ-it"], True), (units["sci-tech"], False)],
        acting_user=people["admin"],
        reason="sci-tech takes part",
    )


def figure(robots, who, state="draft") -> Measurement:
    made = services.create_measurement(
        target=robots, value="120000", observed_on=dt.date(2021, 6, 30), acting_user=who
    )
    if state == "draft":
        return made
    made = services.submit_measurement(made, acting_user=who)
    if state == "submitted":
        return made
    reviewer = User.objects.get(username="admin" if who.username == "reviewer" else "reviewer")
    return services.approve_measurement(made, acting_user=reviewer)


def test_targets_are_public_to_signed_in_users(people):
    assert rules.sees_targets(people["staff_sci"])
    assert not rules.sees_targets(AnonymousUser())


@pytest.mark.parametrize(
    ("who", "sees"),
    [("admin", True), ("auditor", True), ("reviewer", False), ("staff", False)],
)
def test_who_sees_every_figure(people, who, sees):
    assert rules.sees_every_figure(people[who]) is sees


def test_only_admins_change_targets(people):
    assert rules.may_change_targets(people["admin"])
    for who in ("reviewer", "staff", "auditor"):
        assert not rules.may_change_targets(people[who])
    assert not rules.may_change_targets(AnonymousUser())


def test_touched_figures_are_those_created_edited_or_submitted(people, robots):
    mine = figure(robots, people["staff"])
    edited = figure(robots, people["staff"])
    services.update_measurement(edited, acting_user=people["reviewer"], value="149999")
    by_reviewer = figure(robots, people["staff"])
    services.submit_measurement(by_reviewer, acting_user=people["reviewer"])
    untouched = figure(robots, people["staff"])

    def touched(who):
        return set(Measurement.objects.filter(rules.touched_figures(people[who])))

    assert touched("staff") == {mine, edited, by_reviewer, untouched}
    assert touched("reviewer") == {edited, by_reviewer}
    assert touched("admin") == set()
    assert set(Measurement.objects.exclude(rules.touched_figures(people["reviewer"]))) == {
        mine,
        untouched,
    }


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("staff", True),  # lead unit
        ("reviewer", True),
        ("staff_sci", True),  # a unit taking part reports too
        ("reviewer_sci", True),
        ("admin", True),
        ("auditor", False),
        ("nobody", False),
    ],
)
def test_who_may_report_a_reported_target(people, robots, who, may):
    assert FigureRules.for_target(people[who], robots).may_report(robots) is may


def test_nobody_reports_a_register_target(people):
    leading = Target.objects.get(code="ent-leading")
    assert not FigureRules.for_target(people["admin"], leading).may_report(leading)


@pytest.mark.parametrize(
    ("who", "reviews"),
    [
        ("reviewer", True),  # of the lead unit
        ("reviewer_sci", False),  # of a unit taking part
        ("staff", False),
        ("admin", True),
        ("auditor", False),
    ],
)
def test_who_reviews_a_targets_figures(people, robots, who, reviews):
    assert FigureRules.for_target(people[who], robots).reviews_target(robots.pk) is reviews


def test_four_eyes_even_for_an_admin(people, robots):
    submitted = figure(robots, people["admin"], "submitted")
    admin = FigureRules(people["admin"])
    assert admin.has_touched(submitted)
    assert not admin.may_review(submitted)
    assert admin.actions(submitted)["review_barred"]
    other = FigureRules(people["reviewer"])
    assert not other.has_touched(submitted) and other.may_review(submitted)


def test_a_reviewer_who_edited_a_figure_never_reviews_it(people, robots):
    """The attack of issue 12: staff report 100, the lead unit's reviewer changes it to
    149999, staff submit; the reviewer is not offered the review, in any queue."""
    made = figure(robots, people["staff"])
    services.update_measurement(made, acting_user=people["reviewer"], value="149999")
    made = services.submit_measurement(made, acting_user=people["staff"])
    reviewer = FigureRules(people["reviewer"])
    assert made.created_by == made.submitted_by == people["staff"]  # the old check saw no one
    assert reviewer.has_touched(made)
    assert not reviewer.may_review(made)
    assert reviewer.actions(made)["review_barred"] and not reviewer.actions(made)["review"]
    assert not reviewer.to_review(Measurement.objects.all()).exists()
    admin = FigureRules(people["admin"])
    assert admin.may_review(made) and list(admin.to_review(Measurement.objects.all())) == [made]


def test_a_page_reads_who_edited_its_figures_in_one_query(
    people, robots, django_assert_num_queries
):
    page = [figure(robots, people["staff"], "submitted") for _ in range(4)]
    edited = figure(robots, people["staff"])
    services.update_measurement(edited, acting_user=people["reviewer"], value="1")
    page.append(services.submit_measurement(edited, acting_user=people["staff"]))
    for one in page:
        one.target = robots
    user = people["reviewer"]
    prefetch_related_objects([user], "groups")
    with django_assert_num_queries(2):  # the unit's targets, then the page's editors
        rules = FigureRules(user)
        rules.read_editors(page)
        offered = [rules.actions(one)["review"] for one in page]
    assert offered == [True, True, True, True, False]


def test_what_each_state_allows(people, robots):
    staff, reviewer = FigureRules(people["staff"]), FigureRules(people["reviewer"])
    draft = figure(robots, people["staff"])
    assert staff.actions(draft) == {
        "edit": True,
        "submit": True,
        "review": False,
        "review_barred": False,
        "withdraw": False,
    }
    submitted = figure(robots, people["staff"], "submitted")
    assert not staff.may_edit(submitted) and not staff.may_submit(submitted)
    assert reviewer.may_review(submitted) and not reviewer.may_withdraw(submitted)
    approved = figure(robots, people["staff"], "approved")
    assert reviewer.may_withdraw(approved) and not reviewer.may_review(approved)
    assert not staff.may_withdraw(approved)
    assert not FigureRules(people["reviewer_sci"]).may_withdraw(approved)


def test_a_page_of_figures_costs_one_query_for_the_rules(people, robots, django_assert_num_queries):
    figures = [figure(robots, people["staff"]) for _ in range(3)]
    for one in figures:
        one.target = robots
    user = people["staff"]
    prefetch_related_objects([user], "groups")  # as the middleware does for every request
    with django_assert_num_queries(1):
        page = FigureRules(user)
        assert all(page.actions(one)["edit"] for one in figures)


def test_what_waits_for_review_and_for_report(people, robots):
    by_staff = figure(robots, people["staff"], "submitted")
    by_admin = figure(robots, people["admin"], "submitted")
    draft = figure(robots, people["staff_sci"])
    everything = Measurement.objects.all()
    assert set(FigureRules(people["reviewer"]).to_review(everything)) == {by_staff, by_admin}
    assert set(FigureRules(people["admin"]).to_review(everything)) == {by_staff}
    assert not FigureRules(people["reviewer_sci"]).to_review(everything).exists()
    assert not FigureRules(people["staff"]).to_review(everything).exists()
    assert not FigureRules(people["admin"]).to_review(everything, among=[]).exists()

    sci = FigureRules(people["staff_sci"])
    assert sci.reports_for_unit()
    assert list(sci.to_report(everything, among=[robots.pk])) == [draft]
    assert not sci.to_report(everything, among=[]).exists()
    assert not FigureRules(people["auditor"]).reports_for_unit()
    assert not FigureRules(people["nobody"]).reports_for_unit()


def test_who_sees_which_figures(people, robots):
    draft = figure(robots, people["staff"])
    approved = figure(robots, people["staff"], "approved")
    everything = Measurement.objects.all()

    def seen(who):
        return set(rules.visible_figures(everything, who))

    assert seen(people["staff_sci"]) == {draft, approved}  # a unit taking part
    assert seen(people["auditor"]) == {draft, approved}
    assert seen(people["nobody"]) == {approved}  # no unit: approved figures only
    assert seen(AnonymousUser()) == set()
    assert set(Measurement.objects.for_user(people["nobody"])) == {approved}
