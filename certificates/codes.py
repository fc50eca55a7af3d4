"""Certificate codes: 80 random bits as 16 Crockford base32 characters plus a check
character, written in groups of four (ABCD-EFGH-JKMN-PQRS-T) so they can be read aloud.

The check character follows Damm's algorithm over the 32 characters: it catches every
single mistyped character and every swap of two neighbouring characters, the check
character included. Codes issued before December 2026 carry a Luhn mod 32 check character
instead, which misses a few swaps (a neighbouring 0 and Z); they stay valid. Reading is
forgiving: case, spaces, hyphens and typographic dashes do not matter, and O, I and L are
read as 0, 1 and 1 as Crockford intends."""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
RANDOM_CHARACTERS = 16  # 16 x 5 = 80 bits
LENGTH = RANDOM_CHARACTERS + 1
_VALUE = {character: index for index, character in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Hyphens and dashes that word processors put in place of '-' (U+2010 to U+2015, U+2212).
TYPOGRAPHIC_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASHES = str.maketrans(dict.fromkeys("-" + TYPOGRAPHIC_DASHES))

# Damm's algorithm needs a totally anti-symmetric quasigroup of order 32: x * y = 2x + y in
# the field GF(32) (addition is XOR; 2x is a shift reduced by x^5 + x^2 + 1). Then
# (c * x) * y = (c * y) * x only when x = y, which is what catches every neighbour swap.
_FIELD_REDUCTION = 0b100101


def _double(value: int) -> int:
    value <<= 1
    return value ^ _FIELD_REDUCTION if value & 0b100000 else value


def _damm_interim(characters: str) -> int:
    interim = 0
    for character in characters:
        interim = _double(interim) ^ _VALUE[character]
    return interim


class CodeError(ValueError):
    pass


def check_character(body: str) -> str:
    """Damm's check character: the one that brings the running value back to 0."""
    return ALPHABET[_double(_damm_interim(body))]


def has_current_check(code: str) -> bool:
    """Whether a whole code (body and check character) passes Damm's check."""
    return _damm_interim(code) == 0


def legacy_check_character(body: str) -> str:
    """Luhn mod N over the alphabet (N = 32): the check of codes issued before Damm's."""
    factor, total = 2, 0
    for character in reversed(body):
        addend = factor * _VALUE[character]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARACTERS))
    return body + check_character(body)


def normalise(text: str) -> str:
    """The code in its stored form, or CodeError when it cannot be a code at all or has a
    typing error by both checks. A code that passes only the old check may be an old code
    or a mistyped new one: `certificates.selectors.verify` tells them apart by looking it
    up."""
    code = compact(text)
    if len(code) != LENGTH or any(character not in _VALUE for character in code):
        raise CodeError("not a code")
    if not has_current_check(code) and legacy_check_character(code[:-1]) != code[-1]:
        raise CodeError("typing error")
    return code


def compact(text: str) -> str:
    """Typed text in the stored spelling, without checking it: for partial matches."""
    return "".join(text.split()).translate(_DASHES).upper().translate(_READ_AS)


def formatted(code: str) -> str:
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))
