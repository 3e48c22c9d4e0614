"""A string that never shows itself: not in repr, str, f-strings, logs or tracebacks."""

from __future__ import annotations


class Secret:
    """Holds a token; only ``reveal()`` gives the value back."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value, for the one place that must send it."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict) -> Secret:
        # Immutable, so a copy is the same object; this keeps copy.deepcopy and
        # dataclasses.asdict working on configs that hold a Secret.
        return self

    def __reduce__(self):  # pragma: no cover - pickling a token is never wanted
        raise TypeError("a Secret cannot be pickled")


def mask(text: str, secrets: "list[Secret | str | None]") -> str:
    """``text`` with every given secret value replaced by asterisks."""
    for s in secrets:
        value = s.reveal() if isinstance(s, Secret) else s
        if value and len(value) >= 4:
            text = text.replace(value, "********")
    return text
