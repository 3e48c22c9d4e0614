"""The words for what is still unsaved after a partial save: fields, properties by key, and the order."""

from __future__ import annotations

from dataclasses import replace

from identity_tui.core.diff import diff
from identity_tui.core.models import Identity
from identity_tui.core.draft import Draft
from identity_tui.tui.form_model import change_list

SERVER = Identity.model_validate({
    "id": "identity-00000000-0000-4000-8000-00000000a11c", "identifier_key": "alice", "name": "Alice",
    "identity_type": "user", "properties": [
        {"key": "a", "value": "1", "type": "string"}, {"key": "b", "value": 2, "type": "number"},
    ],
})


def test_a_list_only_in_another_order_is_named_property_order():
    landed = Draft.of(SERVER)
    wanted = replace(landed, properties=tuple(reversed(landed.properties)))
    assert change_list(diff(landed, wanted).names()) == "property order"


def test_names_and_properties_are_named_as_in_the_form():
    landed = Draft.of(SERVER)
    wanted = replace(landed, name="Alice B", properties=landed.properties[:1])
    assert change_list(diff(landed, wanted).names()) == "Name, 'b'"


def test_the_reason_for_a_put_counts_its_properties():
    from identity_tui.core.models import IdentityProperty
    from identity_tui.core.draft import DraftProperty
    from identity_tui.core.planner import put_reason

    def props(*keys):
        return [IdentityProperty(key=k, value="v", type="string") for k in keys]

    def draft(*keys):
        return tuple(DraftProperty(k, "string", "v") for k in keys)

    assert put_reason(props("num1", "bool1", "x"), draft("x")) == (
        "properties 'num1', 'bool1' were removed, and PATCH cannot delete a property")
    assert put_reason(props("num1", "x"), draft("x", "y")) == (
        "property 'num1' was renamed or removed, and PATCH cannot delete a property")
    assert put_reason(props("a", "b", "c", "d", "e"), draft()) == (
        "properties 'a', 'b', 'c' and 2 more were removed, and PATCH cannot delete a property")
