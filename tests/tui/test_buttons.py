"""The app's buttons take every press from the keyboard, however quickly the presses come."""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.widgets import Button

from identity_tui.tui.widgets.buttons import KeyButton


class Presses(App[None]):
    def __init__(self, kind: type[Button]) -> None:
        super().__init__()
        self.kind = kind
        self.pressed = 0

    def compose(self) -> ComposeResult:
        yield self.kind("Go", id="go")

    @on(Button.Pressed)
    def _count(self) -> None:
        self.pressed += 1


async def test_three_enters_in_one_burst_are_three_presses():
    # Textual's own button ignores a press while the effect of the one before shows (0.2 s): with it, the
    # count here is 1 on a quick machine (how many depends on the machine's speed, so it is not asserted).
    app = Presses(KeyButton)
    async with app.run_test() as pilot:
        app.query_one("#go").focus()
        await pilot.press("enter", "enter", "enter")
        await pilot.pause()
        assert app.pressed == 3
