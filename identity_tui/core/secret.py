"""A string that never shows itself: not in repr, str, f-strings, logs or tracebacks."""

from __future__ import annotations

from typing import NoReturn


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

    def __deepcopy__(self, memo: dict[int, object]) -> Secret:
        # Immutable, so a copy is the same object; this keeps copy.deepcopy and
        # dataclasses.asdict working on configs that hold a Secret.
        return self

    def __reduce__(self) -> NoReturn:  # pragma: no cover - pickling a token is never wanted
        raise TypeError("a Secret cannot be pickled")


def mask(text: str, secrets: "list[Secret | str | None]") -> str:
    """``text`` with every given secret value replaced by asterisks."""
    for s in secrets:
        value = s.reveal() if isinstance(s, Secret) else s
        if value and len(value) >= 4:
            text = text.replace(value, "********")
    return text


def token_problem(value: str) -> str | None:
    """Why ``value`` cannot go in an ``Authorization`` header (None when it can): the words of a sentence."""
    if value.endswith(("\n", "\r")):
        return "ends in a line break"
    if "\n" in value or "\r" in value:
        return "holds a line break"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "holds a control character"
    if not value.isascii():
        return "holds a character that is not ASCII"
    return None


CREDENTIALS_CLASH = ("cannot go with the user and password in the server URL (one Authorization header carries one "
                     "or the other; take user:password@ out of the URL, or drop the token)")


def token_url_problem(token: str, url: str) -> str | None:
    """Why ``token`` cannot be sent to ``url`` (the end of a sentence that names the token), or None: a header
    cannot carry it, or the URL's ``user:password@`` would take the Authorization header's place (httpx sends
    those as Basic auth)."""
    return token_problem(token) or (CREDENTIALS_CLASH if url_credentials(url) else None)


def shown_url(url: str) -> str:
    """``url`` as it may be shown or stored: any ``user:password@`` in it becomes ``****@``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = _split_authority(rest)
    if "@" not in authority:
        return url
    return f"{scheme}://****@{authority.rpartition('@')[2]}{slash}{path}"


def url_host(url: str) -> str:
    """Host and port of ``url``, never its credentials (the header's label, error sentences)."""
    _, sep, rest = url.partition("://")
    if not sep:
        return url
    authority = _split_authority(rest)[0]
    return authority.rpartition("@")[2] or url


def url_credentials(url: str) -> str | None:
    """The ``user:password`` part of ``url``, to be masked wherever text may hold it, or None."""
    _, sep, rest = url.partition("://")
    authority = _split_authority(rest)[0] if sep else ""
    return authority.rpartition("@")[0] or None


def _split_authority(rest: str) -> tuple[str, str, str]:
    """``host...`` after ``scheme://``: (authority, the first of / ? #, what follows it)."""
    for i, c in enumerate(rest):
        if c in "/?#":
            return rest[:i], c, rest[i + 1:]
    return rest, "", ""
