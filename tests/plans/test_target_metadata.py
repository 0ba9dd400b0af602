"""A target's `metadata:` in the plan file: its texts loaded onto the target with the time they
last changed, a reload that changes them audited and versioned, a reload that does not leaving
the time as it was, and a wrong type stopped with the loader's one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from audit.models import AuditEvent
from plans.planfile import METADATA_KEYS, PlanFileError, parse_plan_file
from portfolio.services import load_plan
from targets.models import METADATA_FIELDS, Target
from tests.plans.dbstate import find_target, plan_data, write_plan

pytestmark = pytest.mark.django_db


def robots() -> Target:
    return Target.objects.get(plan__code="zj-ai-2019-2022", code="robots-in-service")


def load(path: Path):
    return load_plan(parse_plan_file(path))


def with_metadata(tmp_path: Path, code: str, metadata, name: str = "plan.yaml") -> Path:
    data = plan_data()
    find_target(data, code)["metadata"] = metadata
    return write_plan(tmp_path / name, data)


def test_the_files_keys_are_the_targets_fields():
    assert METADATA_KEYS == METADATA_FIELDS


def test_the_first_plan_gives_some_targets_metadata(plan):
    target = robots()
    assert target.definition_zh.startswith("全省制造业企业在役")
    assert target.data_source_en.startswith("Statistics of the Provincial Department")
    assert target.metadata_updated_at is not None
    others = Target.objects.filter(plan=plan, code="ent-benchmark").get()
    assert not others.has_metadata and others.metadata_updated_at is None
    with_texts = Target.objects.filter(plan=plan).exclude(definition_zh="")
    assert set(with_texts.values_list("code", flat=True)) == {
        "ent-leading",
        "robots-in-service",
        "robot-density",
        "major-project-investment",
    }


def test_chinese_only_and_bilingual_texts_load(plan, tmp_path):
    data = plan_data()
    find_target(data, "smart-factories")["metadata"] = {
        "definition_zh": "通过验收的智能工厂数量。",
    }
    find_target(data, "first-sets")["metadata"] = {
        "definition_zh": "首台（套）装备数量。",
        "definition_en": "First units (sets) of equipment.",
    }
    path = write_plan(tmp_path / "both.yaml", data)
    load(path)
    factories = Target.objects.get(plan=plan, code="smart-factories")
    assert factories.definition_zh == "通过验收的智能工厂数量。" and factories.definition_en == ""
    with translation.override("en"):
        assert factories.definition == "通过验收的智能工厂数量。"  # the other language
    first = Target.objects.get(plan=plan, code="first-sets")
    with translation.override("en"):
        assert first.definition == "First units (sets) of equipment."
    with translation.override("zh-hans"):
        assert first.definition == "首台（套）装备数量。"
    assert factories.metadata_updated_at is not None and first.metadata_updated_at is not None


def test_a_reload_stamps_only_a_changed_text_and_audits_it(plan, tmp_path):
    before = robots()
    seq = AuditEvent.objects.count()
    data = plan_data()
    unchanged = write_plan(tmp_path / "same.yaml", data)
    assert not load(unchanged).changed
    assert robots().metadata_updated_at == before.metadata_updated_at
    assert AuditEvent.objects.count() == seq

    find_target(data, "robots-in-service")["metadata"]["limitations_en"] = "Revised."
    report = load(write_plan(tmp_path / "changed.yaml", data))
    assert report.changed
    after = robots()
    assert after.limitations_en == "Revised."
    assert after.metadata_updated_at > before.metadata_updated_at
    assert after.version == before.version + 1
    event = AuditEvent.objects.filter(
        object_type="targets.target", object_id=str(after.pk), action="update"
    ).latest("seq")
    assert event.before["limitations_en"] == before.limitations_en
    assert event.after["limitations_en"] == "Revised."
    assert "metadata_updated_at" in event.after


def test_a_reload_without_the_section_clears_the_texts(plan, tmp_path):
    data = plan_data()
    del find_target(data, "robots-in-service")["metadata"]
    load(write_plan(tmp_path / "none.yaml", data))
    target = robots()
    assert not target.has_metadata
    assert target.metadata_updated_at is not None  # when the texts last changed: now


META = "targets[robots-in-service].metadata"


@pytest.mark.parametrize(
    ("metadata", "entry", "problem"),
    [
        (
            {"definition_zh": 5},
            "targets[robots-in-service].metadata",
            "'definition_zh' must be text",
        ),
        ("just text", "targets[robots-in-service]", "'metadata' must be a mapping"),
        (
            {"definition": "定义"},
            "targets[robots-in-service].metadata",
            "unknown field(s): definition",
        ),
        ({"limitations_en": "x" * 4001}, META, "longer than 4000"),
    ],
)
def test_a_wrong_metadata_is_one_line_naming_the_entry(tmp_path, metadata, entry, problem):
    path = with_metadata(tmp_path, "robots-in-service", metadata)
    with pytest.raises(PlanFileError) as refused:
        parse_plan_file(path)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {entry}: "), message
    assert problem in message, message
