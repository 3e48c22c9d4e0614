"""Regenerate screenshots/*.svg by driving the real app on a seeded in-memory sandbox.

Run from the repo root: ``python scripts/screenshots.py``. Each shot is a list of key presses
from the first screen; the SVGs are what a person sees at that terminal size.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
# Hermetic: the user's own config and drafts must not show up in the pictures.
_HOME = tempfile.mkdtemp(prefix="identity-tui-shots-")
for _var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = os.path.join(_HOME, _var.lower())
for _var in ("LETTA_BASE_URL", "LETTA_API_KEY", "IDENTITY_TUI_PROFILE", "NO_COLOR"):
    os.environ.pop(_var, None)

from identity_tui.core.config import Config, Connection  # noqa: E402
from identity_tui.sandbox import Sandbox  # noqa: E402
from identity_tui.sandbox.seed import seed  # noqa: E402
from identity_tui.tui.app import IdentityApp  # noqa: E402

OUT = ROOT / "screenshots"
WAIT = "(wait)"
os.chdir(_HOME)  # the import shot types a file name relative to here
IMPORT_FILE = Path(_HOME) / "customers.jsonl"
IMPORT_FILE.write_text(
    '{"identifier_key": "org_acme-gmbh_0", "name": "Acme GmbH", "identity_type": "org", "project_id": "proj-sales",'
    ' "properties": [{"key": "tier", "type": "string", "value": "platinum"}]}\n'
    '{"identifier_key": "new-customer-1", "name": "Initech", "identity_type": "org",'
    ' "properties": [{"key": "seats", "type": "number", "value": 25}]}\n'
    '{"identifier_key": "broken", "name": "Broken row", "identity_type": "team"}\n', encoding="utf-8")


def sandbox_app() -> IdentityApp:
    """The app on a fresh seeded sandbox, as `identity-tui --sandbox` shows it."""
    sb = Sandbox(path=":memory:")
    seed(sb, 120, rng_seed=7)
    conn = Connection(base_url="http://sandbox.invalid", sandbox=Path("sandbox.sqlite3"))
    return IdentityApp(conn, Config(), sandbox=sb, cursor_blink=False)


def unreachable_app() -> IdentityApp:
    """The app pointed at a server that refuses connections."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    conn = Connection(base_url="http://letta.internal:8283")
    return IdentityApp(conn, Config(), transport=httpx.MockTransport(refuse), cursor_blink=False)


SHOTS = [
    # (file name, app factory, size, keys)
    ("list-80x24", sandbox_app, (80, 24), []),
    ("list-120x40", sandbox_app, (120, 40), []),
    ("help-80x24", sandbox_app, (80, 24), ["question_mark"]),
    ("details-80x24", sandbox_app, (80, 24), ["j", "i"]),
    ("connect-80x24", unreachable_app, (80, 24), []),
    ("edit-80x24", sandbox_app, (80, 24), ["enter"]),
    ("edit-120x40", sandbox_app, (120, 40), ["enter"]),
    # rename, then delete the second property row: a PATCH and a PUT, with the reason for the PUT
    ("preview-80x24", sandbox_app, (80, 24), ["enter", *" Jr", *["tab"] * 6, "ctrl+d", "ctrl+s"]),
    ("delete-80x24", sandbox_app, (80, 24), ["d", *"pedro.moreau"]),
    # search by property: the filters dialog's Property field, then the scan's results
    ("property-search-80x24", sandbox_app, (80, 24), ["f", *["tab"] * 5, *"tier=gold; seats>=10", "enter"]),
    ("link-picker-80x24", sandbox_app, (80, 24), ["j", "i", "a", *"help", WAIT]),
    ("export-80x24", sandbox_app, (80, 24), ["x"]),
    # three identities marked, then the plan of one property set on them
    ("marked-80x24", sandbox_app, (80, 24), ["space", "space", "j", "space"]),
    ("batch-plan-80x24", sandbox_app, (80, 24), ["space", "space", "j", "space", "p", *"tier", "enter", *"gold",
                                                 "enter"]),
    ("batch-form-80x24", sandbox_app, (80, 24), ["space", "j", "space", "p", *"tier"]),
    ("profiles-80x24", sandbox_app, (80, 24), ["S"]),
    ("sorted-80x24", sandbox_app, (80, 24), ["s"]),
    ("count-80x24", sandbox_app, (80, 24), ["slash", *"Acme", "enter", "number_sign"]),
    ("list-200x50", sandbox_app, (200, 50), []),
    ("file-picker-80x24", sandbox_app, (80, 24), ["x", "ctrl+o"]),
    # a create whose key is taken: merge into that identity, open it, or stay
    ("existing-key-80x24", sandbox_app, (80, 24), ["n", *"Jonas Again", "tab", *"jonas.haddad118@mail.test",
                                                   "ctrl+s", "enter"]),
    ("import-80x24", sandbox_app, (80, 24), ["ctrl+p", *"Import identities", "enter", *IMPORT_FILE.name, "enter"]),
    # a save, then the history of that identity: the record and what it changed
    ("history-80x24", sandbox_app, (80, 24), ["enter", *" Jr", "ctrl+s", "enter", "escape", "h"]),
]


async def idle(app: IdentityApp) -> None:
    """Until every worker is done, but a directory tree's loader (it lives as long as its tree) and one of a
    screen under a dialog (it waits for the dialog's answer)."""
    from textual.screen import ModalScreen
    from textual.widgets import DirectoryTree
    from textual.worker import WorkerState

    def waits(w) -> bool:
        asking = isinstance(app.screen, ModalScreen) and w.node in app.screen_stack[:-1]
        return w.state in (WorkerState.PENDING, WorkerState.RUNNING) and not asking \
            and not isinstance(w.node, DirectoryTree)

    while any(waits(w) for w in app.workers):
        await asyncio.sleep(0.01)


async def shoot(name: str, factory, size: tuple[int, int], keys: list[str]) -> Path:
    app = factory()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await idle(app)
        await pilot.pause()
        for key in keys:
            if key == WAIT:  # a debounce (a search as you type) is a timer, not a worker
                await asyncio.sleep(0.8)
                await idle(app)
                await pilot.pause()
                continue
            await pilot.press(key)
            await pilot.pause()
            await idle(app)
            await pilot.pause()
        path = OUT / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"identity-tui · {name}"), encoding="utf-8")
    return path


async def main(only: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    for name, factory, size, keys in SHOTS:
        if only and name not in only:
            continue
        print(await shoot(name, factory, size, keys))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
