"""Certificate codes: 80 random bits as 16 Crockford base32 characters plus a check
character, written in groups of four (ABCD-EFGH-JKMN-PQRS-T) so they can be read aloud.

The check character is Luhn mod 32: it catches every single mistyped character and every
swap of two neighbouring characters. Reading is forgiving: case, spaces and hyphens do
not matter, and O, I and L are read as 0, 1 and 1 as Crockford intends."""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
RANDOM_CHARACTERS = 16  # 16 x 5 = 80 bits
LENGTH = RANDOM_CHARACTERS + 1
_VALUE = {character: index for index, character in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class CodeError(ValueError):
    pass


def check_character(body: str) -> str:
    """Luhn mod N over the alphabet (N = 32)."""
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
    typing error."""
    code = compact(text)
    if len(code) != LENGTH or any(character not in _VALUE for character in code):
        raise CodeError("not a code")
    if check_character(code[:-1]) != code[-1]:
        raise CodeError("typing error")
    return code


def compact(text: str) -> str:
    """Typed text in the stored spelling, without checking it: for partial matches."""
    return "".join(text.split()).replace("-", "").upper().translate(_READ_AS)


def formatted(code: str) -> str:
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))
