"""Choices are declared one way: a TextChoices class in its app's choices.py (a model may name
it, e.g. `Enterprise.Tier = Tier`), never a list of pairs written beside a field."""

from __future__ import annotations

import ast

from targets.choices import TargetScope
from targets.filtersets import TargetFilterSet
from targets.models import Target
from tests.architecture import APPS, ROOT
from zjai.choices import City

# The roles are the frame's, one module of their own with the helpers that read them.
ALSO_CHOICES = {"zjai/roles.py"}


def python_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, path.relative_to(ROOT).as_posix()


def test_every_choices_class_is_in_a_choices_module():
    misplaced = []
    for path, relative in python_files():
        if path.name == "choices.py" or relative in ALSO_CHOICES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(base).endswith(("TextChoices", "IntegerChoices")) for base in node.bases
            ):
                misplaced.append(f"{relative}:{node.lineno} {node.name}")
    assert not misplaced, misplaced


def test_no_field_or_filter_lists_its_choices_inline():
    inline = []
    for path, relative in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.keyword)
                and node.arg == "choices"
                and isinstance(node.value, ast.List | ast.Tuple)
            ):
                inline.append(f"{relative}:{node.value.lineno}")
    assert not inline, inline


def test_a_targets_scope_is_the_province_or_a_city_in_the_field_and_the_filter():
    expected = [("province", "the province"), *((c.value, str(c.label)) for c in City)]
    assert [(v, str(label)) for v, label in TargetScope.choices] == expected
    assert Target._meta.get_field("scope").choices == TargetScope.choices
    assert Target._meta.get_field("scope").default == "province"
    assert list(TargetFilterSet.base_filters["scope"].extra["choices"]) == TargetScope.choices
