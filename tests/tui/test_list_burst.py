"""A burst of page keys, answered slowly and out of step: the label always names the rows shown."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from identity_tui.core.models import Identity
from identity_tui.sandbox import Sandbox
from identity_tui.sandbox.seed import seed
from identity_tui.tui.widgets.identity_table import IdentityTable
from tests.support.pilot import settle


class HeldTransport(httpx.AsyncBaseTransport):
    """Holds every paging request (``after=``) until released; released answers can come back in any order."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.hold = False
        self.fail_held = False  # held requests answer 503 once released
        self.waiting: list[asyncio.Event] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.hold and request.url.path == "/v1/identities/" and "after" in request.url.params:
            gate = asyncio.Event()
            self.waiting.append(gate)
            await gate.wait()
            if self.fail_held:
                return httpx.Response(503, json={"detail": "An unknown error occurred"}, request=request)
        return await self.inner.handle_async_request(request)

    def release_newest_first(self) -> None:
        self.hold = False
        for gate in reversed(self.waiting):
            gate.set()
        self.waiting.clear()


@pytest.fixture
def big_sandbox():
    sb = Sandbox(path=":memory:")
    seed(sb, 400, rng_seed=7)
    yield sb
    sb.close()


def ordered_ids(sb) -> list[str]:
    client = httpx.Client(transport=sb.transport(), base_url="http://sandbox.invalid")
    rows = client.get("/v1/identities/", params={"limit": "0"}).json()
    client.close()
    return [Identity.model_validate(r).id for r in rows]


def label_and_rows(app) -> tuple[int, int, list[str]]:
    info = str(app.screen.query_one("#page-info").render())
    match = re.search(r"Page (\d+) · rows (\d+)–", info)
    assert match, info
    ids = [i.id for i in app.screen.query_one(IdentityTable).identities]
    return int(match.group(1)), int(match.group(2)), ids


def assert_label_names_the_rows(app, ordered: list[str]) -> int:
    page, first_row, ids = label_and_rows(app)
    assert first_row == (page - 1) * 50 + 1
    assert ids == ordered[(page - 1) * 50:page * 50], f"label says page {page} over other rows"
    return page


async def test_a_burst_of_next_page_keys_turns_one_page_per_key_and_the_label_agrees(make_app, big_sandbox):
    held = HeldTransport(big_sandbox.transport())
    app = make_app(store=big_sandbox)
    app.transport = held  # the sandbox backend takes this transport instead of its own
    ordered = ordered_ids(big_sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        held.hold = True
        # Five presses with no wait between them: page 2 is prefetched, the rest wait on the server.
        await pilot.press(*["right_square_bracket"] * 5)
        held.release_newest_first()
        await settle(pilot, app)
        assert assert_label_names_the_rows(app, ordered) == 6
        for expected in (5, 4, 3):
            await pilot.press("left_square_bracket")
            await settle(pilot, app)
            assert assert_label_names_the_rows(app, ordered) == expected


async def test_a_burst_both_ways_while_loading_lands_on_the_net_page(make_app, big_sandbox):
    held = HeldTransport(big_sandbox.transport())
    app = make_app(store=big_sandbox)
    app.transport = held
    ordered = ordered_ids(big_sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        held.hold = True
        await pilot.press(*["right_square_bracket"] * 4, "left_square_bracket")
        held.release_newest_first()
        await settle(pilot, app)
        assert assert_label_names_the_rows(app, ordered) == 4


async def test_a_late_failure_of_a_page_left_behind_does_not_touch_the_page_shown(make_app, big_sandbox):
    held = HeldTransport(big_sandbox.transport())
    app = make_app(store=big_sandbox)
    app.transport = held
    ordered = ordered_ids(big_sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        held.hold, held.fail_held = True, True
        await pilot.press("right_square_bracket", "right_square_bracket")  # page 3 waits on the server
        await pilot.pause()
        await pilot.press("less_than_sign")  # back to the first page before it answers
        await pilot.pause()
        held.release_newest_first()
        await settle(pilot, app)
        assert assert_label_names_the_rows(app, ordered) == 1
        assert "503" not in str(app.screen.query_one("#page-info").render())
        held.fail_held = False
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        assert assert_label_names_the_rows(app, ordered) == 2


async def test_a_burst_back_from_the_last_page_agrees_with_its_label(make_app, big_sandbox):
    held = HeldTransport(big_sandbox.transport())
    app = make_app(store=big_sandbox)
    app.transport = held
    ordered = ordered_ids(big_sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("greater_than_sign")
        await settle(pilot, app)
        held.hold = True
        await pilot.press(*["left_square_bracket"] * 3)
        held.release_newest_first()
        await settle(pilot, app)
        info = str(app.screen.query_one("#page-info").render())
        assert info.startswith("3 pages before the last · 50 rows"), info
        ids = [i.id for i in app.screen.query_one(IdentityTable).identities]
        assert ids == ordered[len(ordered) - 200:len(ordered) - 150]
