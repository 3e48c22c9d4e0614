"""Get-or-create: what a new form's typed values make of the identity that holds its key already."""

from __future__ import annotations

from identity_tui.core.draft import Draft, DraftProperty, merged_into
from identity_tui.core.kinds import IdentityType, PropertyType
from identity_tui.core.models import Identity

S, N = PropertyType.STRING, PropertyType.NUMBER


def held() -> Identity:
    return Identity.model_validate({
        "id": "identity-00000000-0000-4000-8000-000000000001", "identifier_key": "k", "name": "Held",
        "identity_type": "org", "project_id": "proj-1",
        "properties": [{"key": "a", "type": "string", "value": "1"}, {"key": "b", "type": "number", "value": 2}],
    })


def test_typed_properties_are_set_by_key_over_the_held_ones_and_new_keys_go_last():
    typed = Draft("Typed", "k", IdentityType.USER, (DraftProperty("c", S, "new"), DraftProperty("a", N, 5)))
    merged = merged_into(held(), typed)
    assert merged.name == "Typed" and merged.identity_type is IdentityType.USER
    assert merged.identifier_key == "k" and merged.project_id == "proj-1"
    assert merged.properties == (DraftProperty("a", N, 5), DraftProperty("b", N, 2), DraftProperty("c", S, "new"))


def test_a_blank_typed_name_keeps_the_held_one_and_nothing_typed_changes_nothing_else():
    merged = merged_into(held(), Draft("  ", "k", IdentityType.ORG, ()))
    assert merged == Draft.of(held())
