"""The launcher's own decoders against Python's reference implementations.

The launcher cannot link liblzma or zlib (zig ships neither), so it carries its own
SHA-256, LZMA2 + x86 BCJ, inflate and JSON code (runtime_stub/launcher/). A small
driver (launcher_selftest.c) runs them on files written here; every result must equal
hashlib / lzma / zlib / json on the same input, including on the real runner archive.
"""
from __future__ import annotations

import hashlib
import json
import lzma
import os
import random
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from nyash_build.bundle import launcher_build as LB
from nyash_build.bundle import runner_cache as RC

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def selftest(tmp_path_factory) -> Path:
    """launcher_selftest.c linked with the launcher's codec sources (zig, else gcc)."""
    out = tmp_path_factory.mktemp("selftest") / "selftest"
    src_dir = LB.REPO / LB.LAUNCHER_DIR
    sources = [str(HERE / "launcher_selftest.c")] + [
        str(src_dir / n) for n in ("sha256.c", "lzma2.c", "inflate.c", "json.c")]
    try:
        import ziglang  # noqa: F401
        cc = [sys.executable, "-m", "ziglang", "cc", "-fno-sanitize=all"]
    except ImportError:
        if shutil.which("gcc") is None:
            pytest.skip("neither ziglang nor gcc is available")
        cc = ["gcc"]
    res = subprocess.run([*cc, "-O2", "-std=c11", "-Wall", "-I", str(src_dir), *sources,
                          "-o", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return out


def run(selftest: Path, tmp_path: Path, mode: str, data: bytes, *args: str):
    path = tmp_path / "input"
    path.write_bytes(data)
    return subprocess.run([str(selftest), mode, str(path), *args], capture_output=True)


def samples() -> list[bytes]:
    rng = random.Random(18)
    text = (LB.REPO / "runtime_stub" / "runner.py").read_bytes()
    return [b"", b"a", bytes(rng.randrange(256) for _ in range(70_000)), b"ab" * 40_000,
            text, text * 7, Path(sys.executable).resolve().read_bytes()[:2_000_000]]


@pytest.mark.parametrize("size", [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 300_001])
def test_sha256_both_implementations(selftest, tmp_path, size):
    data = os.urandom(size)
    lines = run(selftest, tmp_path, "sha256", data).stdout.decode().split()
    want = hashlib.sha256(data).hexdigest()
    assert lines == [want, want]  # dispatching (SHA-NI when present) and portable


def test_zlib_every_level_and_block_type(selftest, tmp_path):
    for data in samples():
        for level in (0, 1, 6, 9):
            proc = run(selftest, tmp_path, "zlib", zlib.compress(data, level))
            assert proc.returncode == 0 and proc.stdout == data, (len(data), level)


def test_zlib_refuses_damaged_streams(selftest, tmp_path):
    good = zlib.compress(samples()[4], 9)
    bad_check = good[:-1] + bytes([good[-1] ^ 1])
    for damaged in (bad_check, good[:len(good) // 2], b"\x78\x9c\xff\xff", b"xx"):
        assert run(selftest, tmp_path, "zlib", damaged).returncode == 1


def test_lzma2_with_x86_filter(selftest, tmp_path):
    for data in samples():
        packed = lzma.compress(data, format=lzma.FORMAT_RAW, filters=RC.XZ_FILTERS)
        proc = run(selftest, tmp_path, "lzma2", packed, str(len(data)))
        assert proc.returncode == 0 and proc.stdout == data, len(data)


def test_lzma2_stored_chunks_and_other_properties(selftest, tmp_path):
    """Incompressible input gives stored chunks; other presets other lc/lp/pb."""
    data = os.urandom(200_000) + b"x" * 100_000 + samples()[4]
    x86 = {"id": lzma.FILTER_X86}
    for lzma2 in ({"id": lzma.FILTER_LZMA2, "preset": 0},
                  {"id": lzma.FILTER_LZMA2, "preset": 6, "lc": 0, "lp": 2, "pb": 0},
                  {"id": lzma.FILTER_LZMA2, "preset": 6, "lc": 4, "lp": 0, "pb": 4}):
        packed = lzma.compress(data, format=lzma.FORMAT_RAW, filters=[x86, lzma2])
        proc = run(selftest, tmp_path, "lzma2", packed, str(len(data)))
        assert proc.returncode == 0 and proc.stdout == data, lzma2


def test_lzma2_refuses_damage_and_wrong_sizes(selftest, tmp_path):
    data = samples()[4]
    packed = lzma.compress(data, format=lzma.FORMAT_RAW, filters=RC.XZ_FILTERS)
    assert run(selftest, tmp_path, "lzma2", packed[:-20], str(len(data))).returncode == 1
    assert run(selftest, tmp_path, "lzma2", packed, str(len(data) + 1)).returncode == 1
    assert run(selftest, tmp_path, "lzma2", packed, str(len(data) - 1)).returncode == 1
    assert run(selftest, tmp_path, "lzma2", b"\x00", "0").returncode == 0


def test_lzma2_real_runner_archive(selftest, tmp_path, runner_dir):
    """The archive every executable carries decodes to the bytes the build packed."""
    manifest = json.loads((runner_dir / "manifest.json").read_text())
    packed = (runner_dir / "runner.xz").read_bytes()
    proc = run(selftest, tmp_path, "lzma2", packed, str(manifest["archive_raw_size"]))
    assert proc.returncode == 0
    assert proc.stdout == lzma.decompress(packed, format=lzma.FORMAT_RAW, filters=RC.XZ_FILTERS)


@pytest.mark.parametrize("value", [
    {"a": [1, -2, {"b": None, "c": True, "d": False}], "é": "h\u00e9\U0001F600\n\"\\/\t"},
    [], {}, "", 0, [[[]]], {"k": 1, "k2": 12345678901234},
])
def test_json_round_trip(selftest, tmp_path, value):
    proc = run(selftest, tmp_path, "json", json.dumps(value).encode())
    assert proc.returncode == 0 and json.loads(proc.stdout) == value


@pytest.mark.parametrize("text", ['{"a":1,}', "[1 2]", '{"a"}', '"\\ud800"', "nul", "1e",
                                  "[1]x", '"\x01"', "1" * 30, "[" * 100 + "]" * 100])
def test_json_refuses_what_it_cannot_read_exactly(selftest, tmp_path, text):
    assert run(selftest, tmp_path, "json", text.encode()).returncode == 1
