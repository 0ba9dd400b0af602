"""Unified social credit codes (GB 32100-2015) and the enterprise register's rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from enterprises.models import Enterprise
from enterprises.uscc import ALPHABET, is_valid, validate_uscc

# Real codes of real enterprises, as published in the national enterprise credit register.
REAL_CODES = [
    "91330100716105852F",
    "91330000733796106P",
    "914403001922038216",
    "9144030071526726XG",
    "91110000802100433B",
]
FORBIDDEN = ["I", "O", "Z", "S", "V"]


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English, whatever translations are installed."""
    with translation.override("en"):
        yield


def problem(code: str) -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        validate_uscc(code)
    assert len(raised.value.messages) == 1
    return raised.value


# --- the code itself -------------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert is_valid(code)
    validate_uscc(code)  # raises nothing


@pytest.mark.parametrize("code", REAL_CODES)
def test_lowercase_and_surrounding_spaces_are_normalised(code):
    assert is_valid(f"  {code.lower()} ")
    validate_uscc(f" {code.lower()}\n")


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_other_check_character_is_rejected(code):
    for wrong in ALPHABET.replace(code[-1], ""):
        altered = code[:-1] + wrong
        assert not is_valid(altered), altered
        error = problem(altered)
        assert error.code == "uscc_check"
        assert "check character" in error.messages[0]


def _swap(code: str, i: int, j: int) -> str:
    chars = list(code)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


@pytest.mark.parametrize("code", REAL_CODES)
def test_two_swapped_characters_are_caught(code):
    """Any two different characters of the first 17 swapped: the weights tell them apart."""
    swaps = [(i, j) for i in range(17) for j in range(i + 1, 17) if code[i] != code[j]]
    assert len(swaps) > 50
    for i, j in swaps:
        swapped = _swap(code, i, j)
        assert not is_valid(swapped), (i, j, swapped)
        with pytest.raises(ValidationError):
            validate_uscc(swapped)


@pytest.mark.parametrize("code", REAL_CODES)
def test_adjacent_swap_in_the_identifier_says_the_check_character_is_wrong(code):
    i = next(i for i in range(8, 16) if code[i] != code[i + 1])
    error = problem(_swap(code, i, i + 1))
    assert error.code == "uscc_check"


@pytest.mark.parametrize("letter", FORBIDDEN)
@pytest.mark.parametrize("code", REAL_CODES)
def test_forbidden_letters_are_named(code, letter):
    for position in (0, 10, 17):
        altered = code[:position] + letter + code[position + 1 :]
        assert not is_valid(altered)
        error = problem(altered)
        assert error.code == "uscc_characters"
        assert error.messages == [f"A unified social credit code may not contain {letter}."]


def test_several_forbidden_characters_are_all_named():
    error = problem("91330100O161S58-2F")
    assert error.messages == ["A unified social credit code may not contain -, O, S."]


@pytest.mark.parametrize(
    ("code", "length"),
    [
        ("91330100716105852", 17),
        ("91330100716105852F0", 19),
        ("9133010071610585", 16),
        ("9", 1),
    ],
)
def test_wrong_length_says_how_long_it_is(code, length):
    assert not is_valid(code)
    error = problem(code)
    assert error.code == "uscc_length"
    assert error.messages == [
        f"A unified social credit code has 18 characters; this one has {length}."
    ]


def test_letters_in_the_division_code_are_rejected():
    # Characters 3–8 are the administrative division: 330100 (Hangzhou), digits only.
    code = "9133A100716105852F"
    assert not is_valid(code)
    error = problem(code)
    assert error.code == "uscc_division"
    assert "division code" in error.messages[0]


# --- the register ----------------------------------------------------------------------------


def enterprise(**fields) -> Enterprise:
    values = {"name_zh": "测试智能科技有限公司", "name_en": "Test AI Co.", "city": "hangzhou"}
    return Enterprise(**{**values, **fields})


def field_errors(obj: Enterprise) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        obj.full_clean()
    return raised.value.message_dict


def raw_save_is_refused(obj: Enterprise, constraint: str) -> None:
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        obj.save()


@pytest.mark.django_db
def test_a_valid_entry_passes_and_saves():
    e = enterprise(
        credit_code=REAL_CODES[0],
        sector="software",
        tier="leading",
        recognised_on=dt.date(2020, 6, 1),
    )
    e.full_clean()
    e.save()
    assert Enterprise.objects.get(credit_code=REAL_CODES[0]).tier == "leading"


@pytest.mark.django_db
def test_an_entry_without_a_credit_code_is_allowed():
    """The plan names enterprises without codes: the register may hold them."""
    enterprise().full_clean()
    enterprise().save()
    enterprise().save()  # several unknown codes are not duplicates
    assert Enterprise.objects.filter(credit_code__isnull=True).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91330100716105852A", "check character"),
        ("91330100761105852F", "check character"),
        ("9133010071610585I2F", "18 characters"),
        ("91330100716I05852F", "may not contain I"),
        ("9133010071610585", "this one has 16"),
    ],
)
def test_full_clean_rejects_a_corrupted_code_on_the_credit_code_field(code, says):
    errors = field_errors(enterprise(credit_code=code))
    assert list(errors) == ["credit_code"]
    assert says in errors["credit_code"][0]


@pytest.mark.django_db
def test_full_clean_stores_the_code_in_capitals():
    e = enterprise(credit_code="9144030071526726xg")
    e.full_clean()
    assert e.credit_code == "9144030071526726XG"


@pytest.mark.django_db
def test_a_duplicate_code_is_rejected():
    enterprise(credit_code=REAL_CODES[1]).save()
    # full_clean, even when the second one is typed in lower case
    errors = field_errors(enterprise(name_zh="另一家公司", credit_code=REAL_CODES[1].lower()))
    assert list(errors) == ["credit_code"]
    assert "already exists" in errors["credit_code"][0]
    # and the database's unique constraint
    with pytest.raises(IntegrityError, match="credit_code"), transaction.atomic():
        enterprise(name_zh="另一家公司", credit_code=REAL_CODES[1]).save()
    assert Enterprise.objects.filter(credit_code=REAL_CODES[1]).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("city", ["shanghai", "suzhou", "Hangzhou", ""])
def test_cities_outside_zhejiangs_eleven_are_rejected(city):
    errors = field_errors(enterprise(city=city))
    assert list(errors) == ["city"]
    raw_save_is_refused(enterprise(city=city), "enterprise_city_in_zhejiang")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "city",
    [
        *("hangzhou", "ningbo", "wenzhou", "jiaxing", "huzhou", "shaoxing"),
        *("jinhua", "quzhou", "zhoushan", "taizhou", "lishui"),
    ],
)
def test_each_of_the_eleven_cities_is_accepted(city):
    enterprise(city=city).full_clean()


@pytest.mark.django_db
def test_a_tier_without_its_recognition_date_is_rejected():
    errors = field_errors(enterprise(tier="benchmark"))
    assert errors == {NON_FIELD_ERRORS: ["A tier needs the date it was recognised."]}
    raw_save_is_refused(enterprise(tier="benchmark"), "enterprise_tier_has_date")


@pytest.mark.django_db
def test_an_unknown_tier_is_rejected():
    errors = field_errors(enterprise(tier="unicorn", recognised_on=dt.date(2020, 1, 1)))
    assert list(errors) == ["tier"]
    raw_save_is_refused(
        enterprise(tier="unicorn", recognised_on=dt.date(2020, 1, 1)), "enterprise_tier_valid"
    )


@pytest.mark.django_db
def test_revoked_without_a_revocation_date_is_rejected():
    errors = field_errors(enterprise(status="revoked"))
    assert errors == {
        NON_FIELD_ERRORS: [
            "A revoked enterprise needs the date of revocation; an active one has none."
        ]
    }
    raw_save_is_refused(enterprise(status="revoked"), "enterprise_revocation_dated")


@pytest.mark.django_db
def test_an_active_entry_with_a_revocation_date_is_rejected():
    e = enterprise(status="active", revoked_on=dt.date(2021, 1, 1))
    assert NON_FIELD_ERRORS in field_errors(e)
    raw_save_is_refused(e, "enterprise_revocation_dated")


@pytest.mark.django_db
def test_a_revocation_before_the_recognition_is_rejected():
    e = enterprise(
        tier="leading",
        recognised_on=dt.date(2021, 5, 1),
        status="revoked",
        revoked_on=dt.date(2021, 4, 30),
    )
    assert field_errors(e) == {
        NON_FIELD_ERRORS: ["A recognition cannot be revoked before it was made."]
    }
    raw_save_is_refused(e, "enterprise_revoked_after_recognised")


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["recognised_on", "revoked_on"])
@pytest.mark.parametrize("date", [dt.date(1900, 1, 1), dt.date(2202, 1, 1), dt.date(1977, 12, 31)])
def test_dates_out_of_range_are_rejected_on_their_field(field, date):
    e = enterprise(tier="leading", recognised_on=dt.date(2020, 1, 1), status="revoked")
    e.revoked_on = dt.date(2021, 1, 1)
    setattr(e, field, date)
    errors = field_errors(e)
    assert errors[field] == ["Enter a date between 1978-01-01 and 2100-12-31."]


@pytest.mark.django_db
def test_the_first_and_last_sensible_dates_are_accepted():
    enterprise(
        tier="leading",
        recognised_on=dt.date(1978, 1, 1),
        status="revoked",
        revoked_on=dt.date(2100, 12, 31),
    ).full_clean()
