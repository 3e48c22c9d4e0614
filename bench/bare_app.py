"""The baseline for start-up: a bare Textual app that paints one label and waits."""

from textual.app import App, ComposeResult
from textual.widgets import Label

TEXT = "bare app ready"


class BareApp(App[None]):
    """One label, nothing else."""

    def compose(self) -> ComposeResult:
        yield Label(TEXT)


if __name__ == "__main__":
    BareApp().run()
