"""examples/logfilter and examples/dice, the other two tools issue 14 names (a log
filter, a dice game): arguments, files, standard input from a pipe and a terminal,
exit statuses, the same through `nyash run`, the launcher's fast path and its Python
runner."""
from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO
from tests.world.conftest import same

LOGFILTER = REPO / "examples" / "logfilter" / "logfilter.nyash"
DICE = REPO / "examples" / "dice" / "dice.nyash"
MODES = ("run", "exe", "exe-runner")

LOG = """\
2024-03-01 07:59:59 INFO start
2024-03-01 08:00:00 ERROR disk full
  at writer.flush
2024-03-01 09:15:00 info Timeout talking to db
2024-03-02 10:00:00 ERROR timeout again
"""
USAGE = 'usage: logfilter [-i] [-v] [-c] [--since "YYYY-MM-DD HH:MM:SS"] TEXT [FILE...]\n'


def test_logfilter_files_named_on_the_command_line(world, tmp_path):
    (tmp_path / "app.log").write_text(LOG, encoding="utf-8")
    (tmp_path / "old log.txt").write_text("2023-12-31 23:59:59 ERROR year end\r\nno newline ERROR", encoding="utf-8")
    same(world.run(LOGFILTER, "ERROR", "app.log", cwd=tmp_path, modes=MODES),
         "2024-03-01 08:00:00 ERROR disk full\n2024-03-02 10:00:00 ERROR timeout again\n")
    same(world.run(LOGFILTER, "ERROR", "old log.txt", "app.log", cwd=tmp_path, modes=MODES),
         "old log.txt:2023-12-31 23:59:59 ERROR year end\nold log.txt:no newline ERROR\n"
         "app.log:2024-03-01 08:00:00 ERROR disk full\napp.log:2024-03-02 10:00:00 ERROR timeout again\n")
    # --since keeps a continuation line with the entry above it; -i ignores case
    same(world.run(LOGFILTER, "--since", "2024-03-01 08:00:00", "", "app.log", cwd=tmp_path, modes=MODES),
         LOG.split("\n", 1)[1])
    same(world.run(LOGFILTER, "-i", "--since", "2024-03-01 08:30:00", "timeout", "app.log", cwd=tmp_path,
                   modes=MODES),
         "2024-03-01 09:15:00 info Timeout talking to db\n2024-03-02 10:00:00 ERROR timeout again\n")


def test_logfilter_reads_standard_input_when_no_file_is_named(world, tmp_path):
    same(world.run(LOGFILTER, "-c", "-v", "at", stdin=LOG, modes=MODES), "4\n")
    f = tmp_path / "in.log"
    f.write_text(LOG, encoding="utf-8")
    same(world.run(LOGFILTER, "-i", "error", stdin_file=f, modes=MODES),
         "2024-03-01 08:00:00 ERROR disk full\n2024-03-02 10:00:00 ERROR timeout again\n")


def test_logfilter_exit_statuses_as_grep(world, tmp_path):
    (tmp_path / "app.log").write_text(LOG, encoding="utf-8")
    same(world.run(LOGFILTER, "nothing like this", "app.log", cwd=tmp_path, modes=MODES), "", code=1)
    same(world.run(LOGFILTER, "-c", "disk", "missing.log", "app.log", cwd=tmp_path, modes=MODES),
         "logfilter: cannot read 'missing.log': No such file or directory\napp.log:1\n", code=2)
    same(world.run(LOGFILTER, modes=MODES), "logfilter: no TEXT to look for\n" + USAGE, code=2)
    same(world.run(LOGFILTER, "--since", "yesterday", "x", modes=MODES),
         'logfilter: --since needs a time like "2024-03-01 08:00:00"\n' + USAGE, code=2)
    same(world.run(LOGFILTER, "--help", modes=MODES), USAGE, code=0)


DICE_GAME = """\
Rolled 5.
Round 1 of 3: higher or lower than 5? [h/l/q]
Rolled 5: the same, no point.
Round 2 of 3: higher or lower than 5? [h/l/q]
Rolled 9: wrong.
Round 3 of 3: higher or lower than 9? [h/l/q]
Type h, l or q.
Round 3 of 3: higher or lower than 9? [h/l/q]
Rolled 6: wrong.

You scored 0 of 3.
"""


def test_dice_game_is_reproducible_with_a_seed(world):
    same(world.run(DICE, "3", "--seed", "7", stdin="h\nl\nx\n h \n", modes=MODES), DICE_GAME)
    # NYASH_RANDOM_SEED gives every run the same game too; q and the end of input stop it
    first = world.run(DICE, stdin="L\nl\nl\nl\nl\nl\n", env={"NYASH_RANDOM_SEED": "1"}, modes=MODES)
    same(first, first[0].stdout)
    assert first[0].stdout.endswith("\n\nYou scored 3 of 5.\n")
    same(world.run(DICE, "--seed", "7", stdin="q\n", modes=MODES),
         "Rolled 5.\nRound 1 of 5: higher or lower than 5? [h/l/q]\n\nYou scored 0 of 0.\n")
    same(world.run(DICE, "--seed", "7", stdin="", modes=MODES),
         "Rolled 5.\nRound 1 of 5: higher or lower than 5? [h/l/q]\n\nYou scored 0 of 0.\n")


def test_dice_game_rejects_bad_arguments(world):
    same(world.run(DICE, "0", modes=MODES),
         "dice: ROUNDS must be a number from 1 to 100, not '0'\nusage: dice [ROUNDS] [--seed N]\n", code=2)
    same(world.run(DICE, "--seed", modes=MODES), "dice: --seed needs a number\nusage: dice [ROUNDS] [--seed N]\n",
         code=2)


def test_dice_game_at_a_terminal(world):
    """Each prompt is on the terminal before the game waits for the answer typed there."""
    exe = [str(world.exe(DICE)), "2", "--seed", "7"]
    bare = {"PATH": "/usr/bin:/bin", "NYASH_RUNNER_CACHE": str(world.unpack)}
    for cmd, env in (([sys.executable, "-m", "nyash_build", "run", str(DICE), "2", "--seed", "7"], None),
                     (exe, bare), (exe, {**bare, "NYASH_FASTPATH": "0"})):
        master, slave = pty.openpty()
        p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env)
        os.close(slave)
        got = b""

        def read_until(token: bytes) -> None:
            nonlocal got
            while token not in got:
                ready, _, _ = select.select([master], [], [], 60)
                assert ready, got
                got += os.read(master, 4096)

        try:
            read_until(b"Round 1 of 2: higher or lower than 5? [h/l/q]")
            os.write(master, b"l\n")
            read_until(b"Round 2 of 2: higher or lower than 5? [h/l/q]")
            os.write(master, b"h\n")
            read_until(b"You scored 1 of 2.")
            assert p.wait(timeout=60) == 0
        finally:
            p.kill()
            os.close(master)
        assert b"Rolled 5: the same, no point." in got and b"Rolled 9: right!" in got
