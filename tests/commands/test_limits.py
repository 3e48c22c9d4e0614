"""Limits against a hostile server: an answer larger than the cap is cut off (and not held in memory), and a
server that drips its answer one byte at a time is given up on when the request's deadline passes."""

from __future__ import annotations

import pytest

from tests.support.slow_server import MiB, Answer, SlowServer

HANG_GUARD = 60.0  # seconds: the server gives up on its answer by then; a passing test never comes near it


@pytest.mark.parametrize("length", [True, False], ids=["Content-Length", "no length"])
def test_an_answer_larger_than_the_cap_is_one_sentence_and_is_not_read_to_its_end(cli, length):
    with SlowServer(Answer("huge", size=100 * MiB, length=length), give_up=HANG_GUARD) as server:
        ran = cli("list", "--base-url", server.base_url, "--max-answer-mib", "1", "--format", "json")
        assert ran.code == 1, ran.err
        said = ran.err.strip()
        assert "\n" not in said and "more than 1 MiB" in said and "max_answer_mib" in said, said
        assert not server.finished.is_set()  # the client stopped reading long before the end
        assert server.cut.wait(HANG_GUARD), "the client hung up"
        # What crossed the wire is the cap plus what the sockets buffer, nowhere near the 100 MiB sent for.
        assert server.sent_bytes < 40 * MiB, server.sent_bytes


def test_the_cap_is_read_from_the_config(cli, tmp_path):
    from tests.commands.test_tokens import write_config

    with SlowServer(Answer("huge", size=3 * MiB), give_up=HANG_GUARD) as server:
        write_config(tmp_path, f'max_answer_mib = 2\n[profiles.p]\nbase_url = "{server.base_url}"\n')
        ran = cli("list", "--profile", "p", "--format", "json")
        assert ran.code == 1 and "more than 2 MiB" in ran.err, ran.err


def test_an_answer_under_the_cap_is_read(cli):
    body = [{"id": f"identity-{i:032x}", "identifier_key": f"k{i}", "name": "N", "identity_type": "user",
             "project_id": None, "agent_ids": [], "block_ids": [], "properties": []} for i in range(3)]
    with SlowServer(Answer("json", body=body)) as server:
        ran = cli("list", "--base-url", server.base_url, "--max-answer-mib", "0.01", "--format", "json")
        assert ran.code == 0, ran.err
        assert ran.out.count("identity-") == 3


def test_a_server_dripping_its_answer_is_given_up_at_the_deadline(cli):
    # One byte every 0.2 s never trips a read timeout of 1 s; only a deadline on the whole request ends it.
    with SlowServer(Answer("drip", body=[{"pad": "x" * 400}], every=0.2), give_up=HANG_GUARD) as server:
        ran = cli("list", "--base-url", server.base_url, "--read-timeout", "1", "--request-timeout", "1.5",
                  "--format", "json")
        assert ran.code == 1, ran.err
        said = ran.err.strip()
        assert "\n" not in said and "within 1.5 s" in said and "request_timeout" in said, said
        assert server.cut.wait(HANG_GUARD), "the client hung up"
        assert not server.gave_up.is_set() and not server.finished.is_set()
        assert len(server.seen) == 1  # not tried again: it would hold as long again


def test_the_deadline_defaults_to_connect_plus_twice_the_read_timeout(cli):
    with SlowServer(Answer("drip", body=[{"pad": "x" * 400}], every=0.2), give_up=HANG_GUARD) as server:
        ran = cli("list", "--base-url", server.base_url, "--connect-timeout", "0.5", "--read-timeout", "1",
                  "--format", "json")
        assert ran.code == 1 and "within 2.5 s" in ran.err, ran.err
        assert server.cut.wait(HANG_GUARD)


@pytest.mark.parametrize(("flag", "value"), [("--request-timeout", "0"), ("--max-answer-mib", "-1"),
                                             ("--max-answer-mib", "inf")])
def test_a_bad_limit_flag_is_one_sentence(cli, flag, value):
    ran = cli("list", flag, value)
    assert ran.code == 2 and flag in ran.err and len(ran.err.strip().splitlines()) == 1, ran.err
