"""What a failed save says, and which form field the server's complaint lands on (no Textual needed)."""

from __future__ import annotations

from identity_tui.core.errors import ConnectionFailed, TimedOut, error_for_status
from identity_tui.core.form import FormValues, RowValues
from identity_tui.core.kinds import PropertyType
from identity_tui.core.planner import PlannedRequest
from identity_tui.core.transaction import NOTHING_LANDED
from identity_tui.tui.form_model import (
    change_list,
    failure_sentence,
    field_label,
    modified_labels,
    server_field_errors,
)

S, N = PropertyType.STRING, PropertyType.NUMBER
PATH = "/v1/identities/identity-00000000-0000-4000-8000-000000000001"
VALUES = FormValues(
    name="Alice",
    identifier_key="bob",
    identity_type="user",
    rows=(RowValues("email", S, "a@x"), RowValues("age", N, 4), RowValues("plan", S, "pro")),
)
PATCH = PlannedRequest("PATCH", PATH, {"name": "Alice", "properties": [
    {"key": "plan", "value": "pro", "type": "string"}]}, "set name, 1 property added or changed")
PUT = PlannedRequest("PUT", PATH + "/properties", [{"key": "email"}, {"key": "age"}, {"key": "plan"}],
                     "replace the property list: property 'x' was removed, and PATCH cannot delete a property")
POST = PlannedRequest("POST", "/v1/identities/", {}, "create the identity")


def status(code: int, detail: object) -> Exception:
    return error_for_status(code, {"detail": detail})


def test_409_names_the_key_and_marks_the_field():
    error = status(409, "A unique constraint was violated: duplicate key (identifier_key)")
    assert failure_sentence(error, PATCH, [], VALUES) == (
        "Not saved: identifier_key 'bob' is already used by another identity in this project (409). Choose another."
    )
    assert server_field_errors(error, PATCH, VALUES) == {"identifier_key": "Already used in this project (409): choose another."}


def test_422_on_a_patch_maps_the_sent_index_to_the_form_row():
    # The PATCH carried only "plan": the server's properties.0 is the form's row 3.
    error = status(422, "[{'type': 'x', 'loc': ('body', 'properties', 0, 'value'), 'msg': 'bad value'}]")
    assert server_field_errors(error, PATCH, VALUES) == {"properties.2.value": "The server says: bad value (422)."}
    assert failure_sentence(error, PATCH, [], VALUES) == "Not saved: the server rejected row 3 value: bad value (422)."


def test_422_on_a_put_maps_the_bare_list_index():
    error = status(422, "[{'type': 'x', 'loc': ('body', 1, 'key'), 'msg': 'bad key'}]")
    assert server_field_errors(error, PUT, VALUES) == {"properties.1.key": "The server says: bad key (422)."}


def test_404_401_402_and_the_network_each_get_their_sentence():
    assert "no longer exists on the server (404)" in failure_sentence(status(404, "gone"), PATCH, [], VALUES)
    assert "rejected the token (401)" in failure_sentence(status(401, "Unauthorized"), PATCH, [], VALUES)
    assert failure_sentence(status(402, "quota"), POST, [], VALUES).startswith("Not created: the plan's identity limit")
    down = ConnectionFailed("Cannot reach http://x: refused.", status=None)
    assert failure_sentence(down, PATCH, [], VALUES) == (
        "Not saved: the connection failed (Cannot reach http://x: refused). It may or may not have landed: "
        "ctrl+s re-reads first and sends only what is missing."
    )
    assert failure_sentence(down, PATCH, [], VALUES, landed=NOTHING_LANDED) == (
        "Not saved: the connection failed (Cannot reach http://x: refused). A fresh read shows nothing changed: "
        "ctrl+s sends it again."
    )
    slow = TimedOut("x did not answer in time.", status=None)
    assert "may or may not have landed" in failure_sentence(slow, PATCH, [], VALUES)
    create = failure_sentence(slow, POST, [], VALUES)
    assert create.startswith("Not created: the server did not answer in time. It may have been created all the same")
    assert "ctrl+s first looks up identifier_key" in create and "creates nothing twice" in create
    # A refusal is an answer: nothing to look up or re-read.
    assert failure_sentence(status(409, "unique"), POST, [], VALUES).endswith("Choose another.")
    assert failure_sentence(status(429, "slow down"), PATCH, [], VALUES) == (
        "Not saved: the server is busy (429): try again in a moment.")


def test_partial_success_says_what_was_applied_and_what_was_not():
    text = failure_sentence(status(500, "An unknown error occurred"), PUT, [PATCH], VALUES)
    assert text.startswith("Partly saved. Applied: PATCH (set name, 1 property added or changed). Not applied: PUT")
    assert "because the server failed (500)" in text
    assert text.endswith("The fields still marked ● are not saved; ctrl+s sends them.")


def test_labels_and_change_lists():
    assert field_label("properties.2.value") == "row 3 value"
    assert field_label("identifier_key") == "Identifier key"
    assert modified_labels({"name", "properties.1", "properties.1.value", "properties"}, ["a", "age"]) == [
        "Name", "row 2 (age)"]
    assert modified_labels({"properties"}) == ["property list (rows removed or moved)"]


def test_merged_changes_are_listed_by_name_and_key():
    assert change_list(("name", "properties.plan", "properties")) == "Name, 'plan', property order"
    assert change_list(tuple(f"properties.k{i}" for i in range(7)), limit=2) == "'k0', 'k1' and 5 more"
