"""Snapshots: the profiles screen (S on the list) at 80x24 and 60x20: the one in use marked, where each token
comes from, never a token."""

from __future__ import annotations

from tests.support.pilot import settle
import pytest

from tests.support.profiles import HostRecorder, alpha_app, write_config


@pytest.fixture
def config_file(monkeypatch):
    return write_config(monkeypatch)


async def _open_profiles(pilot) -> None:
    await settle(pilot, pilot.app)
    pilot.app.clear_notifications()  # alpha's plain-http warning: said at start, not this screen's
    await pilot.press("S")
    await settle(pilot, pilot.app)


def test_profiles_80x24(snap_compare, config_file, sandbox):
    app = alpha_app(HostRecorder(sandbox.transport()))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_open_profiles)


def test_profiles_60x20(snap_compare, config_file, sandbox):
    app = alpha_app(HostRecorder(sandbox.transport()))
    assert snap_compare(app, terminal_size=(60, 20), run_before=_open_profiles)


def test_profile_form_with_a_bad_url_80x24(snap_compare, config_file, sandbox):
    app = alpha_app(HostRecorder(sandbox.transport()))

    async def run_before(pilot) -> None:
        await _open_profiles(pilot)
        await pilot.press("j", "j", "e")  # gamma, whose token is stored in the file
        await settle(pilot, pilot.app)
        await pilot.press("tab", "ctrl+u", *"gopher://gamma.test", "enter")  # tab: from the name to the URL
        await settle(pilot, pilot.app)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
