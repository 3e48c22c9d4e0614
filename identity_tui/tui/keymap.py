"""The [keymap] of config.toml checked before it is used: unknown ids, keys that are not keys, and clashes.

Textual ignores a binding id it does not know, binds any string as a key, and lets a focused widget's
binding shadow the screen's one on the same key. Here every mistake is named in one sentence, and a
key the user gives a binding is taken from the built-in binding that had it (in the same screen), so
the user's mapping always works and help shows the truth.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.keys import REPLACED_KEYS, Keys, key_to_character

from identity_tui.tui.textual_private import normalize_key_list as _normalize_key_list

if TYPE_CHECKING:
    from textual.binding import BindingType

# A key no terminal sends: a built-in binding that lost all its keys to the user's mapping.
UNBOUND = "no_key"
MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
# How a few keys read in help and on the page line (Textual's own names elsewhere).
KEY_NAMES = {"escape": "esc", "enter": "enter", "space": "space", "tab": "tab"}
_KEY_VALUES = {k.value for k in Keys}

# Classes whose bindings are active together (a screen and the widgets it holds); the app's bindings
# are active everywhere. Every other screen with bindings is a group of its own.
GROUPS: tuple[tuple[str, ...], ...] = (
    ("identity_tui.tui.screens.list:ListScreen", "identity_tui.tui.widgets.identity_table:IdentityTable"),
    ("identity_tui.tui.screens.edit:EditScreen", "identity_tui.tui.widgets.edit_form:EditForm",
     "identity_tui.tui.widgets.find_bar:FindBar"),
    ("identity_tui.tui.screens.confirm:ConfirmScreen",),
    ("identity_tui.tui.screens.confirm:LeaveScreen",),
    ("identity_tui.tui.screens.confirm:ExistingKeyScreen",),
    ("identity_tui.tui.screens.confirm:DeleteScreen",),
    ("identity_tui.tui.screens.conflict:ConflictScreen",),
    ("identity_tui.tui.screens.connect:ConnectScreen",),
    ("identity_tui.tui.screens.detail:DetailScreen",),
    ("identity_tui.tui.screens.error:ErrorScreen",),
    ("identity_tui.tui.screens.file_picker:FilePicker",),
    ("identity_tui.tui.screens.filters:FilterScreen",),
    ("identity_tui.tui.screens.help:HelpScreen",),
    ("identity_tui.tui.screens.link_picker:LinkPickerScreen",),
    ("identity_tui.tui.screens.preview:PreviewScreen",),
    ("identity_tui.tui.screens.profiles:ProfilesScreen",),
    ("identity_tui.tui.screens.profiles:ProfileForm",),
    ("identity_tui.tui.screens.raw_json:RawJsonScreen",),
    ("identity_tui.tui.screens.restore:RestoreScreen",),
)


def is_key(key: str) -> bool:
    """Whether ``key`` (one key, normalized) names something a terminal can send."""
    *mods, last = key.split("+")
    if not last or any(m not in MODIFIERS for m in mods):
        return False
    return len(last) == 1 or last in _KEY_VALUES or key_to_character(REPLACED_KEYS.get(last, last)) is not None


def key_label(key: str) -> str:
    """One key as a person presses it: ``greater_than_sign`` -> ``>``, ``ctrl+end`` stays."""
    key = key.strip()
    if key == UNBOUND:
        return "(no key)"
    *mods, last = key.split("+") if key != "+" else ["+"]
    shown = KEY_NAMES.get(last)
    if shown is None:
        char = key_to_character(REPLACED_KEYS.get(last, last))
        shown = char if char is not None and char.isprintable() and not char.isspace() else last
    return "+".join([*mods, shown])


def keys_label(keys: str, sep: str = " / ") -> str:
    """Binding keys as a person presses them: ``right_square_bracket,pagedown`` -> ``] / pagedown``."""
    shown = [key_label(k) for k in keys.split(",") if k.strip() and k.strip() != UNBOUND]
    return sep.join(shown) if shown else "(no key)"


def _group_bindings(group: Iterable[str]) -> list[Binding]:
    out: list[Binding] = []
    for path in group:
        module, _, name = path.partition(":")
        cls = getattr(importlib.import_module(module), name)
        out.extend(b for b in cls.BINDINGS if isinstance(b, Binding) and b.id)
    return out


@dataclass
class KeymapCheck:
    """The keymap to hand Textual, and the sentence saying what was wrong or changed (None: nothing)."""

    keymap: dict[str, str] = field(default_factory=dict)
    sentence: str | None = None


def check_keymap(user: Mapping[str, str], app_bindings: Iterable[BindingType]) -> KeymapCheck:
    """Drop unknown ids and non-keys, and take each user key from the built-in binding that had it."""
    with_ids = [b for b in app_bindings if isinstance(b, Binding) and b.id]
    groups = [_group_bindings(g) + with_ids for g in GROUPS]
    known = {b.id: b for group in groups for b in group}
    problems: list[str] = []
    effective: dict[str, str] = {}
    for binding_id, raw in user.items():
        if binding_id not in known:
            problems.append(f"unknown binding id {binding_id!r} ignored (help lists the ids)")
            continue
        keys = _normalize_key_list(str(raw))
        bad = [k for k in keys.split(",") if not is_key(k)]
        if bad or not keys:
            default = keys_label(_normalize_key_list(known[binding_id].key))
            problems.append(f"{str(raw)!r} for {binding_id} is not a key, so it stays {default}")
            continue
        effective[binding_id] = keys
    taken: list[str] = []
    for group in groups:
        for user_id in [b.id for b in group if b.id in effective]:
            for key in effective[user_id].split(","):
                for other in group:
                    other_id = other.id
                    if other_id is None or other_id == user_id or other_id in user:  # every binding here has an id
                        continue
                    current = effective.get(other_id, _normalize_key_list(other.key)).split(",")
                    if key not in current:
                        continue
                    rest = [k for k in current if k != key]
                    effective[other_id] = ",".join(rest) or UNBOUND
                    left = f"keeps {keys_label(','.join(rest))}" if rest else "has no key now"
                    taken.append(
                        f"{key_label(key)} now does {known[user_id].description} ({user_id}), "
                        f"not {other.description} ({other.id}, which {left})"
                    )
    notes = problems + list(dict.fromkeys(taken))
    sentence = ("Keymap: " + "; ".join(notes) + ".") if notes else None
    return KeymapCheck(effective, sentence)


def bound_key(keymap: Mapping[str, str], binding_id: str, default: str) -> str | None:
    """The first key bound to ``binding_id`` as a person presses it (None when it has no key)."""
    keys = keymap.get(binding_id, default)
    first = next((k for k in keys.split(",") if k.strip() and k.strip() != UNBOUND), None)
    return key_label(first) if first is not None else None
