"""Snapshot tests: the details screen with its links, and the picker that finds one to link, at 80x24."""

from __future__ import annotations

import httpx

from tests.support.pilot import settle


def link_first_identity(sandbox) -> None:
    """Link a seeded agent and block (stable ids from the fixed seed) to the newest identity."""
    with httpx.Client(transport=sandbox.transport(), base_url="http://sandbox.invalid") as http:
        first = http.get("/v1/identities/", params={"limit": 1}).json()[0]["id"]
        agent = http.get("/v1/agents/", params={"name": "support-assistant"}).json()[0]["id"]
        block = http.get("/v1/blocks/", params={"label": "company_policy"}).json()[0]["id"]
        http.patch(f"/v1/agents/{agent}/identities/attach/{first}").raise_for_status()
        http.patch(f"/v1/blocks/{block}/identities/attach/{first}").raise_for_status()


def test_details_with_links_80x24(snap_compare, make_app, sandbox):
    link_first_identity(sandbox)

    async def run_before(pilot) -> None:
        await settle(pilot, pilot.app)
        await pilot.press("i")
        await settle(pilot, pilot.app)
        await pilot.press("tab")  # to the linked agents, which scroll into view
        await settle(pilot, pilot.app)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_agent_picker_80x24(snap_compare, make_app, sandbox):
    link_first_identity(sandbox)

    async def run_before(pilot) -> None:
        await settle(pilot, pilot.app)
        await pilot.press("i")
        await settle(pilot, pilot.app)
        await pilot.press("a")
        await settle(pilot, pilot.app)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
