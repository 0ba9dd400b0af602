"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative division (6
digits), organisation identifier (9), check character (1). The alphabet is the digits and the
capital letters without I, O, Z, S and V (31 characters); the check character is
31 - (Σ value(cᵢ)·wᵢ mod 31), with 31 written as 0.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
VALUES = {char: index for index, char in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return code.strip().upper()


def is_valid(code: str) -> bool:
    code = normalise(code)
    if len(code) != 18 or any(char not in VALUES for char in code):
        return False
    if not code[2:8].isdigit():
        return False
    return check_character(code[:17]) == code[17]


def validate_uscc(code: str) -> None:
    """Raise a ValidationError saying what is wrong with a unified social credit code."""
    code = normalise(code)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="uscc_length",
            params={"n": len(code)},
        )
    bad = sorted({char for char in code if char not in VALUES})
    if bad:
        raise ValidationError(
            _("A unified social credit code may not contain %(chars)s."),
            code="uscc_characters",
            params={"chars": ", ".join(bad)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code are the division code: digits."),
            code="uscc_division",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong (GB 32100-2015)."),
            code="uscc_check",
        )
