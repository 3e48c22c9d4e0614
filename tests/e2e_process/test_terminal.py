"""The screen model the process tests read: cursor moves, erases and split escape sequences."""

from __future__ import annotations

from .terminal import ScreenModel


def test_text_lands_where_the_cursor_was_moved_and_styles_are_skipped():
    screen = ScreenModel(10, 3)
    screen.feed("\x1b[?1049h\x1b[2;3H\x1b[1;38;5;214mab\x1b[0m\x1b[1;1Hx\x1b]22;default\x07")
    assert screen.lines() == ["x", "  ab", ""]


def test_an_escape_split_across_reads_is_completed_by_the_next_one():
    screen = ScreenModel(10, 2)
    screen.feed("\x1b[2;")
    screen.feed("2Hok")
    assert screen.lines() == ["", " ok"]


def test_erases_clear_what_they_cover():
    screen = ScreenModel(6, 2)
    screen.feed("abcdef\x1b[2;1Hghijkl\x1b[1;3H\x1b[K\x1b[2;2H\x1b[2X")
    assert screen.lines() == ["ab", "g  jkl"]
    screen.feed("\x1b[2J")
    assert screen.lines() == ["", ""]
