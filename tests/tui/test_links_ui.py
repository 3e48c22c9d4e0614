"""Links in the details screen: attach through the picker, detach after a yes/no, read back from the server."""

from __future__ import annotations

import httpx

from identity_tui.core.config import Config
from identity_tui.tui.screens.confirm import ConfirmScreen
from identity_tui.tui.screens.detail import DetailScreen
from identity_tui.tui.screens.link_picker import PAGE, LinkPickerScreen
from tests.support.faults import FaultyTransport, method
from tests.support.pilot import settle


def server(sandbox) -> httpx.Client:
    return httpx.Client(transport=sandbox.transport(), base_url="http://sandbox.invalid")


def linked_ids(sandbox, identity_id: str, kind: str) -> list[str]:
    with server(sandbox) as http:
        return [a["id"] for a in http.get(f"/v1/identities/{identity_id}/{kind}s", params={"limit": 100}).json()]


def new_agent(sandbox, name: str) -> str:
    with server(sandbox) as http:
        return http.post("/v1/agents/", json={"name": name}).json()["id"]


def link(sandbox, kind: str, target_id: str, identity_id: str, attach: bool = True) -> None:
    verb = "attach" if attach else "detach"
    with server(sandbox) as http:
        http.patch(f"/v1/{kind}s/{target_id}/identities/{verb}/{identity_id}").raise_for_status()


async def open_details(pilot, app) -> DetailScreen:
    await settle(pilot, app)
    await pilot.press("i")
    await settle(pilot, app)
    assert isinstance(app.screen, DetailScreen)
    return app.screen


async def search(pilot, app, text: str) -> LinkPickerScreen:
    picker = app.screen
    assert isinstance(picker, LinkPickerScreen)
    await pilot.press(*text)
    await pilot.press("enter")  # typed and not searched yet: enter searches now
    await settle(pilot, app)
    return picker


def patches(sandbox) -> list[str]:
    return [r.path for r in sandbox.request_log if r.method == "PATCH"]


async def test_attach_through_the_picker_links_the_agent_and_the_section_shows_it(make_app, sandbox):
    agent_id = new_agent(sandbox, "zebra-finder")
    other = new_agent(sandbox, "aardvark-helper")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        link(sandbox, "agent", other, app.screen.table.selected.id)  # one there already
        detail = await open_details(pilot, app)
        ident = detail.identity
        assert agent_id not in linked_ids(sandbox, ident.id, "agent")
        await pilot.press("a")
        await settle(pilot, app)
        picker = await search(pilot, app, "ZEBRA")  # any case
        assert [a["name"] for a in picker.found] == ["zebra-finder"]
        sandbox.clear_log()
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen), "a preview of the request comes first"
        assert f"PATCH /v1/agents/{agent_id}/identities/attach/{ident.id}" in app.screen.text
        assert patches(sandbox) == [], "nothing is sent before the preview is answered"
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is detail
        assert patches(sandbox) == [f"/v1/agents/{agent_id}/identities/attach/{ident.id}"]
        assert agent_id in linked_ids(sandbox, ident.id, "agent")
        assert agent_id in [a["id"] for a in detail.link_table("agent").items]
        assert detail.message == "Linked agent 'zebra-finder'."
        table = detail.link_table("agent")
        assert table.selected["id"] == agent_id and detail.focused is table, "the new link is the one selected"


async def test_without_previews_the_pick_is_sent_at_once(make_app, sandbox):
    agent_id = new_agent(sandbox, "zebra-finder")
    app = make_app(config=Config(preview_saves=False))
    async with app.run_test(size=(100, 40)) as pilot:
        detail = await open_details(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        await search(pilot, app, "zebra")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is detail
        assert agent_id in linked_ids(sandbox, detail.identity.id, "agent")


async def test_detach_after_yes_unlinks_and_the_section_drops_it(make_app, sandbox):
    agent_id = new_agent(sandbox, "zebra-finder")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        first = app.screen.table.selected
        link(sandbox, "agent", agent_id, first.id)
        detail = await open_details(pilot, app)
        table = detail.link_table("agent")
        assert [a["id"] for a in table.items] == [agent_id]
        table.focus()
        await pilot.press("x")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen)
        assert f"PATCH /v1/agents/{agent_id}/identities/detach/{first.id}" in app.screen.text
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is detail
        assert linked_ids(sandbox, first.id, "agent") == []
        assert table.items == []
        assert detail.message == "Unlinked agent 'zebra-finder'."


async def test_no_to_the_detach_question_sends_nothing(make_app, sandbox):
    agent_id = new_agent(sandbox, "zebra-finder")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        first = app.screen.table.selected
        link(sandbox, "agent", agent_id, first.id)
        detail = await open_details(pilot, app)
        detail.link_table("agent").focus()
        sandbox.clear_log()
        await pilot.press("delete")
        await settle(pilot, app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is detail
        assert patches(sandbox) == []
        assert linked_ids(sandbox, first.id, "agent") == [agent_id]


async def test_detaching_a_link_already_gone_says_so_and_is_not_an_error(make_app, sandbox):
    agent_id = new_agent(sandbox, "zebra-finder")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        first = app.screen.table.selected
        link(sandbox, "agent", agent_id, first.id)
        detail = await open_details(pilot, app)
        detail.link_table("agent").focus()
        link(sandbox, "agent", agent_id, first.id, attach=False)  # someone else unlinks it meanwhile
        await pilot.press("x")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is detail
        assert detail.message == "Agent 'zebra-finder' was already unlinked."
        assert not detail.query_one("#detail-message").has_class("error")
        assert detail.link_table("agent").items == []  # read back


async def test_a_failing_attach_keeps_the_screen_and_says_why_in_one_sentence(make_app, sandbox):
    agent_id = new_agent(sandbox, "zebra-finder")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        detail = await open_details(pilot, app)
        before = list(detail.link_table("agent").items)
        await pilot.press("a")
        await settle(pilot, app)
        await search(pilot, app, "zebra")
        await pilot.press("enter")
        await settle(pilot, app)
        with server(sandbox) as http:  # the agent is deleted while the preview stands open
            http.delete(f"/v1/agents/{agent_id}").raise_for_status()
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is detail
        assert detail.link_table("agent").items == before
        message = detail.message
        assert message.startswith("Could not link agent 'zebra-finder': "), message
        assert "\n" not in message and message.count(". ") == 0, message
        assert detail.query_one("#detail-message").has_class("error")


async def test_esc_while_a_link_waits_on_the_server_stops_waiting_and_keeps_the_screen(make_app, sandbox):
    agent_id = new_agent(sandbox, "zebra-finder")
    faulty = FaultyTransport(sandbox.transport())
    app = make_app(transport=faulty, config=Config(preview_saves=False))
    async with app.run_test(size=(100, 40)) as pilot:
        detail = await open_details(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        await search(pilot, app, "zebra")
        faulty.arm("hang", method("PATCH", "/identities/attach/"))
        await pilot.press("enter")
        await faulty.hanging.wait()
        await pilot.press("escape")
        faulty.arm(None)
        await settle(pilot, app)
        assert app.screen is detail
        assert detail.message.startswith("Stopped waiting"), detail.message
        assert agent_id not in [a["id"] for a in detail.link_table("agent").items]


async def test_the_picker_pages_more_results_on_ctrl_n_and_on_scrolling_to_the_last(make_app, sandbox):
    for n in range(PAGE * 2 + 5):
        new_agent(sandbox, f"bulk-agent-{n:02}")
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_details(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        picker = await search(pilot, app, "bulk")
        assert len(picker.found) == PAGE
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert len(picker.found) == PAGE * 2
        for _ in range(PAGE * 2):
            await pilot.press("down")
        await settle(pilot, app)
        names = [a["name"] for a in picker.found]
        assert sorted(names) == [f"bulk-agent-{n:02}" for n in range(PAGE * 2 + 5)]
        assert len(set(names)) == len(names)


async def test_blocks_are_found_by_value_after_ctrl_t_and_linked(make_app, sandbox):
    app = make_app(config=Config(preview_saves=False))
    async with app.run_test(size=(100, 40)) as pilot:
        detail = await open_details(pilot, app)
        detail.link_table("block").focus()
        await pilot.press("a")
        await settle(pilot, app)
        picker = app.screen
        assert isinstance(picker, LinkPickerScreen) and picker.kind == "block"
        await search(pilot, app, "refunds")
        assert picker.found == [], "by label nothing holds 'refunds'"
        await pilot.press("ctrl+t")
        await settle(pilot, app)
        assert [b["label"] for b in picker.found] == ["company_policy"]
        block_id = picker.found[0]["id"]
        await pilot.press("enter")
        await settle(pilot, app)
        assert block_id in linked_ids(sandbox, detail.identity.id, "block")
        assert block_id in [b["id"] for b in detail.link_table("block").items]


async def test_read_only_has_no_link_keys(make_app, sandbox):
    app = make_app(readonly=True)
    async with app.run_test(size=(100, 40)) as pilot:
        detail = await open_details(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        assert app.screen is detail
        bar = str(detail.query_one("KeyBar").render())
        assert "Link" not in bar and "Unlink" not in bar, bar


async def test_the_palette_links_a_memory_block_from_anywhere_on_the_details(make_app, sandbox):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_details(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Link memory block")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, LinkPickerScreen) and app.screen.kind == "block"


async def test_hostile_names_are_shown_literally_in_the_links_and_the_picker(make_app, sandbox):
    from tests.support.screen_text import screen_lines

    name = "[b]x[/] \x1b[31mz"
    agent_id = new_agent(sandbox, name)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        link(sandbox, "agent", agent_id, app.screen.table.selected.id)
        detail = await open_details(pilot, app)
        detail.link_table("agent").focus()
        await settle(pilot, app)
        assert any("[b]x[/] \\x1b[31mz" in line for line in screen_lines(app)), screen_lines(app)
        await pilot.press("a")
        await settle(pilot, app)
        assert any("[b]x[/] \\x1b[31mz" in line for line in screen_lines(app))
        assert not any("\x1b" in line for line in screen_lines(app))


async def test_a_second_change_waits_for_the_first(make_app, sandbox):
    new_agent(sandbox, "zebra-finder")
    faulty = FaultyTransport(sandbox.transport())
    app = make_app(transport=faulty, config=Config(preview_saves=False))
    async with app.run_test(size=(100, 40)) as pilot:
        detail = await open_details(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        await search(pilot, app, "zebra")
        faulty.arm("hang", method("PATCH", "/identities/attach/"))
        await pilot.press("enter")
        await faulty.hanging.wait()
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is detail, "no picker while a link change waits on the server"
        assert "wait" in detail.message.lower(), detail.message
        await pilot.press("escape")
        faulty.arm(None)
        await settle(pilot, app)


async def test_ctrl_t_goes_round_agents_by_name_blocks_by_label_and_blocks_by_value(make_app, sandbox):
    app = make_app(config=Config(preview_saves=False))
    async with app.run_test(size=(100, 40)) as pilot:
        detail = await open_details(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        picker = await search(pilot, app, "o")
        assert picker.kind == "agent" and all("o" in a["name"] for a in picker.found) and picker.found
        await pilot.press("ctrl+t")
        await settle(pilot, app)
        assert picker.kind == "block"
        assert sorted(b["label"] for b in picker.found) == ["company_policy", "escalation", "persona", "tone"]
        await pilot.press("ctrl+t")
        await settle(pilot, app)
        assert sorted(b["label"] for b in picker.found) == ["escalation", "faq", "human", "persona"]
        await pilot.press("ctrl+t")
        await settle(pilot, app)
        assert picker.kind == "agent"
        await pilot.press("ctrl+t")
        await settle(pilot, app)
        block = next(b for b in picker.found if b["label"] == "tone")
        for _ in range(picker.found.index(block)):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is detail
        assert block["id"] in linked_ids(sandbox, detail.identity.id, "block")


def test_the_link_keys_and_the_picker_keys_can_be_remapped():
    from identity_tui.tui.keymap import check_keymap

    result = check_keymap({"picker.more": "ctrl+l", "picker.toggle": "ctrl+b", "detail.attach": "plus"}, [])
    assert result.sentence is None, result.sentence
    assert result.keymap == {"picker.more": "ctrl+l", "picker.toggle": "ctrl+b", "detail.attach": "plus"}


async def test_picking_an_agent_already_linked_says_so_and_sends_nothing(make_app, sandbox):
    agent_id = new_agent(sandbox, "zebra-finder")
    app = make_app(config=Config(preview_saves=False))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        link(sandbox, "agent", agent_id, app.screen.table.selected.id)
        detail = await open_details(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        await search(pilot, app, "zebra")
        sandbox.clear_log()
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is detail
        assert detail.message == "Agent 'zebra-finder' was already linked."
        assert patches(sandbox) == []
