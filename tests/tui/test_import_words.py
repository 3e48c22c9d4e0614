"""The import plan's line per row: what an update changes, in the words the plan table shows."""

from __future__ import annotations

from identity_tui.core import bulk
from identity_tui.core.models import Identity
from identity_tui.core.draft import Draft
from identity_tui.core.planner import plan_save
from identity_tui.tui.screens.import_screen import row_changes

STORED = Identity.model_validate({
    "id": "identity-00000000-0000-4000-8000-000000000001",
    "identifier_key": "acme",
    "name": "Acme",
    "identity_type": "org",
    "project_id": None,
    "properties": [
        {"key": "seats", "value": 1, "type": "number"},
        {"key": "tier", "value": "gold", "type": "string"},
    ],
})


def update(properties: list[dict], name: str = "Acme") -> bulk.RowPlan:
    draft = Draft.of(Identity.model_validate({**STORED.model_dump(), "name": name, "properties": properties}))
    return bulk.RowPlan(line=1, kind=bulk.UPDATE, key="acme", draft=draft, existing=STORED,
                        plan=plan_save(STORED, draft))


def test_an_update_names_the_fields_and_properties_it_changes():
    row = update([{"key": "seats", "value": 1, "type": "number"}, {"key": "region", "value": "eu", "type": "string"}],
                 name="Acme Ltd")
    assert row_changes(row) == "PATCH, PUT: name +region -tier"


def test_a_whole_number_stored_as_a_float_is_a_change():
    # 1 and 1.0 are equal in Python, but they are different values on the wire (the plan sends it).
    row = update([{"key": "seats", "value": 1.0, "type": "number"}, {"key": "tier", "value": "gold", "type": "string"}])
    assert row.plan is not None and not row.plan.empty
    assert row_changes(row).endswith("~seats")
