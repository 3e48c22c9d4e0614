"""The core of a batch on chosen identities (``core.batch_plan``): the plan per identity, the typed value, and
the writes as one journal batch that a stop halts between identities. No widgets."""

from __future__ import annotations

import pytest

from identity_tui.core import batch_plan as plan_ops
from identity_tui.core.client import LettaClient
from identity_tui.core.http_client import ClientOptions
from identity_tui.core.journal import Journal
from identity_tui.core.kinds import PropertyType
from identity_tui.core.models import Identity
from identity_tui.sandbox import Sandbox


@pytest.fixture
async def world(tmp_path):
    sandbox = Sandbox(path=":memory:")
    client = LettaClient("http://sandbox.invalid", transport=sandbox.transport(), options=ClientOptions(retries=0))
    client.journal = Journal(tmp_path / "journal", "batch-plan")
    made = []
    for n in range(6):
        made.append(await client.create({"identifier_key": f"p-{n}", "name": f"P{n}", "identity_type": "org",
                                         "properties": [{"key": "seats", "type": "number", "value": n}]}))
    yield client, made
    await client.aclose()
    sandbox.close()


def found(identities: list[Identity]) -> list[tuple[dict, Identity | None]]:
    return [(i.model_dump(mode="json"), i) for i in identities]


def seats(identity: Identity) -> object:
    return next((p.value for p in identity.properties if p.key == "seats"), None)


async def test_the_plan_says_what_changes_on_each_and_skips_the_unchanged(world):
    _client, made = world
    items = plan_ops.plan_set(found(made[:3]), plan_ops.set_property("seats", PropertyType.NUMBER, 1))
    assert [i.plan for i in items] == [plan_ops.CHANGE, plan_ops.UNCHANGED, plan_ops.CHANGE]
    assert items[0].changes == ["~ seats: 0 -> 1"]
    assert plan_ops.headline("set", items) == "3 identities, 2 would change, 1 unchanged"
    removed = plan_ops.plan_set(found(made[:1]), plan_ops.remove_property("seats"))
    assert removed[0].changes == ["- seats"]
    absent = plan_ops.plan_set(found(made[:1]), plan_ops.remove_property("nope"))
    assert absent[0].plan == plan_ops.UNCHANGED


async def test_a_change_that_does_not_fit_one_identity_is_invalid_there_only(world):
    _client, made = world

    def make(identity: Identity):
        if identity.identifier_key == "p-1":
            raise plan_ops.Unfit("Property 'seats' holds a number.")
        return plan_ops.set_property("tier", PropertyType.STRING, "gold")(identity)

    items = plan_ops.plan_set(found(made[:2]), make)
    assert [i.plan for i in items] == [plan_ops.CHANGE, plan_ops.INVALID]
    assert items[1].what() == "invalid: Property 'seats' holds a number."
    assert not items[1].writes


@pytest.mark.parametrize(("ptype", "raw", "value"), [(PropertyType.NUMBER, "12", 12), (PropertyType.NUMBER, "1.0", 1.0),
                                                      (PropertyType.BOOLEAN, "TRUE", True),
                                                      (PropertyType.JSON, '{"a": 1}', {"a": 1}),
                                                      (PropertyType.STRING, " x ", " x ")])
def test_a_typed_value_is_read_as_the_form_reads_it(ptype, raw, value):
    got = plan_ops.parse_typed(ptype, raw)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(("ptype", "raw"), [(PropertyType.NUMBER, "nan"), (PropertyType.NUMBER, "lots"),
                                            (PropertyType.BOOLEAN, "yes"), (PropertyType.JSON, "[1]")])
def test_a_value_its_type_cannot_hold_is_one_sentence(ptype, raw):
    with pytest.raises(plan_ops.Unfit) as caught:
        plan_ops.parse_typed(ptype, raw)
    assert str(caught.value).startswith(f"Not a {ptype.value}: ") and str(caught.value).endswith(".")


async def test_apply_writes_each_as_one_journal_batch_and_a_stop_halts_between_identities(world):
    client, made = world
    items = plan_ops.plan_set(found(made), plan_ops.set_property("seats", PropertyType.NUMBER, 99))
    started: list[str] = []

    async def work(item: plan_ops.Item) -> None:
        started.append(item.id)
        await plan_ops.save_one(client, item)

    batch = await plan_ops.apply(client, items, work, stop=lambda: len(started) >= 4, concurrency=1)
    assert [i.result for i in items] == [plan_ops.LANDED] * 4 + [plan_ops.NOT_SENT] * 2
    assert [i.message for i in items[4:]] == ["Stopped before it was sent."] * 2
    assert [seats(await client.get(i.id)) for i in made] == [99, 99, 99, 99, 4, 5]
    records = [r for r in client.journal.records() if r.batch == batch]
    assert sorted(r.identity_id for r in records) == sorted(i.id for i in made[:4])
    assert plan_ops.counts(items)[plan_ops.LANDED] == 4


async def test_delete_one_keeps_an_identity_that_no_longer_matches(world):
    client, made = world
    items = plan_ops.plan_delete(found(made[:2]))
    await plan_ops.apply(client, items, lambda item: plan_ops.delete_one(
        client, item, lambda wire: wire["identifier_key"] != "p-1"))
    assert [i.result for i in items] == [plan_ops.LANDED, plan_ops.CONFLICTED]
    assert items[1].message == "Changed since the plan, it no longer matches: it was kept."
    assert (await client.find_by_key("p-1")) is not None and (await client.find_by_key("p-0")) is None
