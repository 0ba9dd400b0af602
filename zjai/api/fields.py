"""Serializer fields that accept what the schema says and nothing else.

DRF is lenient on input: a CharField takes 42 and stores "42", a PrimaryKeyRelatedField takes
"7". A client that sends a number where the schema says string has a bug, and accepting it
hides the bug until the day it sends 4.2e1. These fields refuse wrong JSON types with a 400, so
the published schema is the whole truth about what the API accepts (schemathesis checks it).

Decimals are the one deliberate exception: they are returned as strings (exact), and accepted
as a string or a JSON number, because both are common in clients and neither loses precision
for the values we store.

Bodies are held to the same rule (StrictInputMixin, the base of every API serializer): DRF
ignores keys it does not know, so a typo in a PATCH ("valeu") succeeded and changed nothing.
A key the serializer does not take is now a 400 naming it, at any depth. One exception keeps
the "GET, edit, PUT it back" habit working: a read-only field of the resource echoed back in
a PUT or PATCH is accepted when it holds the value the resource has; changed, it is a 400
naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from zjai.decimals import DecimalRange

from .conditional import parse_entity_tag
from .writes import mark_body_checked, serving_view

# The actions whose body is the resource itself, so may echo its read-only fields back.
REPRESENTATION_ACTIONS = frozenset({"update", "partial_update"})


class StrictInputMixin:
    """For every serializer of the API: a key in the input that the serializer does not take is
    a 400 naming it ("Unknown field", or "read-only" for a field of the resource that cannot
    be set here), instead of being ignored. A read-only field of the resource echoed back
    unchanged in a PUT or PATCH is accepted (see the module doc). When the request's If-Match
    is stale, echoed fields are not compared: the write is refused anyway (412, or 403 for a
    user who may not write), and that is the answer the client needs."""

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        view = serving_view.get()
        request = getattr(view, "request", None)
        if request is not None and getattr(self, "initial_data", None) is request.data:
            mark_body_checked(request)  # the body is validated: zjai.api.writes need not
        return super().is_valid(raise_exception=raise_exception)  # type: ignore[misc]

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = self.unexpected_keys(data)
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]

    def unexpected_keys(self, data: Mapping[str, Any]) -> dict[str, list[str]]:
        fields = self.fields  # type: ignore[attr-defined]
        accepted = {
            field.field_name
            for field in self._writable_fields  # type: ignore[attr-defined]
            if not isinstance(field, serializers.HiddenField)
        }
        extra = [str(key) for key in data if key not in accepted]
        if not extra:
            return {}
        resource_fields, current, stale = self._resource_in_request(data)
        errors: dict[str, list[str]] = {}
        for key in extra:
            if current is not None and key in current:
                if stale or data[key] == current[key]:
                    continue
                errors[key] = [
                    str(_("This field is read-only: send it unchanged or leave it out."))
                ]
            elif key in fields or key in resource_fields:
                errors[key] = [str(_("This field is read-only."))]
            elif accepted:
                errors[key] = [
                    _("Unknown field. Fields accepted here: %(fields)s.")
                    % {"fields": ", ".join(sorted(accepted))}
                ]
            else:
                errors[key] = [str(_("Unknown field: this request takes no fields."))]
        return errors

    def _resource_in_request(
        self, data: Mapping[str, Any]
    ) -> tuple[set[str], dict[str, Any] | None, bool]:
        """For the body of an API request: the names of the resource's fields, its current
        representation when the body may echo it (PUT, PATCH), and whether If-Match is stale."""
        view = serving_view.get()
        request = getattr(view, "request", None)
        if getattr(self, "parent", None) is not None or request is None:
            return set(), None, False
        if getattr(self, "initial_data", None) is not data or request.data is not data:
            return set(), None, False
        resource_fields = set(view.get_serializer().fields)
        obj = getattr(view, "object_read", None)
        if view.action not in REPRESENTATION_ACTIONS or obj is None:
            return resource_fields, None, False
        current = dict(view.get_serializer(obj).data)
        tag = parse_entity_tag(request.headers.get("If-Match") or "")
        version = getattr(obj, "version", None)
        stale = version is not None and tag is not None and tag != str(version)
        return resource_fields, current, stale


class StrictSerializer(StrictInputMixin, serializers.Serializer):
    """A Serializer that refuses keys it does not take (StrictInputMixin)."""


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": _("Enter a string.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSlugField(serializers.SlugField):
    default_error_messages = {"invalid": _("Enter a string of letters, digits, - or _.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class StrictDecimalField(serializers.DecimalField):
    """A decimal given as a string ("120000.5") or a JSON number; booleans are refused.

    A number outside the field's range (min_value and max_value, which a ModelSerializer takes
    from the model's ExactDecimalField, else what max_digits and decimal_places hold) is
    refused with one message naming the range, before DRF counts its digits."""

    def __init__(self, max_digits: int, decimal_places: int, **kwargs: Any) -> None:
        # Both required (DRF takes None for "any"), so the field always has a range.
        super().__init__(max_digits, decimal_places, **kwargs)

    @property
    def allowed(self) -> DecimalRange:
        column = DecimalRange.of(
            cast(int, self.max_digits),
            cast(int, self.decimal_places),
            None if self.min_value is None else Decimal(str(self.min_value)),
        )
        if self.max_value is None:
            return column
        return DecimalRange(column.low, min(Decimal(str(self.max_value)), column.high))

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        return super().to_internal_value(data)

    def validate_precision(self, value: Decimal) -> Decimal:
        allowed = self.allowed
        if value not in allowed:
            raise serializers.ValidationError(allowed.message, code="out_of_range")
        return super().validate_precision(value)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id as a JSON integer, looked up only when it can be a database id."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # DRF turns "" into null for relations; "" is not an id (send null for none).
        if data == "":
            self.fail("incorrect_type", data_type="str")
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= data <= 2**63 - 1:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class StrictSlugRelatedField(serializers.SlugRelatedField):
    """An object named by its code, given as a string."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # DRF turns "" into null for relations; "" names nothing (send null for none).
        if data == "":
            self.fail("invalid")
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDecimalFieldExtension(OpenApiSerializerFieldExtension):
    """Requests: a number or a decimal string; responses: the decimal string only."""

    target_class = StrictDecimalField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field = self.target
        as_string = auto_schema._map_serializer_field(
            serializers.DecimalField(
                max_digits=field.max_digits,
                decimal_places=field.decimal_places,
                coerce_to_string=True,
            ),
            direction,
        )
        allowed = field.allowed
        if allowed.low >= 0 and as_string.get("pattern", "").startswith("^-?"):
            # No sign where no number below zero is taken (an investment).
            as_string["pattern"] = "^" + as_string["pattern"].removeprefix("^-?")
        if direction == "response":
            return as_string
        # None only for OpenApiTypes.NONE; a number has a schema.
        number = cast(dict[str, Any], build_basic_type(OpenApiTypes.NUMBER))
        number.update({"minimum": float(allowed.low), "maximum": float(allowed.high)})
        return {"oneOf": [as_string, number]}


class StrictModelSerializer(StrictInputMixin, serializers.ModelSerializer):
    """ModelSerializer whose generated fields are the strict ones above."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
    }
    serializer_choice_field = StrictChoiceField
    serializer_related_field = StrictPrimaryKeyRelatedField

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        swaps: dict[type, type] = {
            serializers.CharField: StrictCharField,
            serializers.SlugField: StrictSlugField,
            serializers.DecimalField: StrictDecimalField,
        }
        return swaps.get(field_class, field_class), kwargs


class ReadOnlyModelSerializer(StrictInputMixin, serializers.ModelSerializer):
    """Every generated field read-only, yet still saying whether it may be blank.

    Meta.read_only_fields makes DRF drop `allow_blank`, so the schema would claim that a city
    is always one of the 11 while the API returns "" for a unit that is no city's government.
    Marking the fields read-only here keeps what the model allows in the published schema.
    """

    def build_field(self, *args: Any, **kwargs: Any) -> tuple[type, dict]:
        field_class, field_kwargs = super().build_field(*args, **kwargs)
        for name in ("required", "default", "validators", "queryset", "min_length", "max_length"):
            field_kwargs.pop(name, None)
        field_kwargs.pop("min_value", None)
        field_kwargs.pop("max_value", None)
        field_kwargs["read_only"] = True
        return field_class, field_kwargs
