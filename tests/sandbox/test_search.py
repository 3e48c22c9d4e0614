"""Name search must give exactly what Postgres' LIKE gives, whichever path (trigrams or scan) it takes."""

from __future__ import annotations

import re

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from identity_tui.sandbox import Sandbox

NAMES = ["Q", "Al", "Bo", "Zoë Okafor", "ZOË", "a_c", "abc", "50% off", "back\\slash", "Ünïcode", "🚀 Rocket",
         "Anna-Lena", "O'Brien", "Ma", "xx", "Xavier", "ab%", "x\\"]
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@pytest.fixture(scope="module")
def client():
    sb = Sandbox()
    http = httpx.Client(transport=sb.transport(), base_url="http://s")
    for i, name in enumerate(NAMES):
        http.post("/v1/identities/", json={"identifier_key": f"k{i}", "name": name, "identity_type": "user"})
    yield http
    sb.close()


def like(needle: str, name: str) -> bool:
    """Postgres: lower(name) LIKE '%' || lower(needle) || '%' with \\ as escape, C locale, whole string."""
    pattern, chars = [], iter(f"%{needle}%".translate(ASCII_LOWER))
    for c in chars:
        if c == "\\":
            pattern.append(re.escape(next(chars, "\\")))
        else:
            pattern.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
    return re.fullmatch("".join(pattern), name.translate(ASCII_LOWER), re.S) is not None


def found(client: httpx.Client, needle: str) -> list[str]:
    return [i["name"] for i in client.get("/v1/identities/", params={"name": needle, "order": "asc"}).json()]


@pytest.mark.parametrize("needle", ["q", "Q", "l", "al", "AL", "ok", "or", "oë", "ë", "ËR", "_", "%", "a_c",
                                    "a\\_c", "0\\%", "\\\\", "k\\", "\\", "b\\", "%\\", "_\\", "ü", "Ü", "🚀",
                                    "o'b", "-l", "xx", "x",
                                    "zz", "a%z", "n%a", "%%", "a__"])
def test_each_needle_matches_like_postgres(client: httpx.Client, needle: str) -> None:
    assert found(client, needle) == [n for n in NAMES if like(needle, n)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aAbBcloOqQxXzZë_%\\ -'ü", min_size=1, max_size=4))
def test_any_needle_matches_like_postgres(client: httpx.Client, needle: str) -> None:
    assert found(client, needle) == [n for n in NAMES if like(needle, n)]


def test_renamed_names_are_found_by_their_new_letters() -> None:
    sb = Sandbox()
    http = httpx.Client(transport=sb.transport(), base_url="http://s")
    made = http.post("/v1/identities/", json={"identifier_key": "k", "name": "Abc", "identity_type": "user"}).json()
    assert found(http, "jq") == []  # also fills the trigram vocabulary cache
    http.patch(f"/v1/identities/{made['id']}", json={"name": "Ajqz"})
    assert found(http, "jq") == ["Ajqz"]
    assert found(http, "bc") == []
    http.delete(f"/v1/identities/{made['id']}")
    assert found(http, "jq") == []
