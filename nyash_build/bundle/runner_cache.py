"""Freeze runtime_stub/ once per runner key and cache the result outside any app.

A cached runner directory `<cache>/<key>/` holds what every executable is made of:
  launcher        the C launcher ELF (runtime_stub/launcher.c, liblzma linked in)
  runner.xz       the PyInstaller one-dir runner packed as launcher records, xz
                  (x86 BCJ + LZMA2 -9e); its sha256 names the directory the launcher
                  unpacks it to on the target
  manifest.json   key inputs, archive sha256 and raw size

The key hashes everything the result depends on: runner sources (runtime_stub/*.py
and launcher.c), wasmtime, Python and PyInstaller versions, gcc version and the
freeze options. Concurrent builds are serialised by an flock on `<key>.lock`; the
directory is published with one rename, so readers never see half a runner.
"""
from __future__ import annotations

import fcntl
import hashlib
import io
import json
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import runtime_stub
from runtime_stub import payload as P
from runtime_stub.variants import wasmtime_version

RUNNER_NAME = "nyash-runner"
STUB_DIR = Path(runtime_stub.__file__).resolve().parent
RUNNER_SOURCES = ("__init__.py", "payload.py", "runner.py", "variants.py", "launcher.c")

# Standard-library modules the runner never needs (smaller archive, faster unpack).
EXCLUDES = (
    "tkinter", "unittest", "pydoc", "doctest", "pdb", "email", "http", "xml", "xmlrpc",
    "ssl", "_ssl", "_hashlib", "bz2", "_bz2", "lzma", "_lzma", "decimal", "_decimal",
    "multiprocessing", "asyncio", "concurrent", "sqlite3", "_sqlite3", "csv", "_csv",
    "curses", "readline", "distutils", "setuptools", "pkg_resources", "lib2to3",
    "unicodedata", "_multibytecodec", "_codecs_cn", "_codecs_hk", "_codecs_iso2022",
    "_codecs_jp", "_codecs_kr", "_codecs_tw", "pickle", "_pickle", "_datetime",
    "datetime", "socket", "_socket", "select", "selectors", "subprocess", "getpass",
    "argparse", "optparse", "gettext", "calendar", "nyash_build", "inspect",
    "dataclasses", "ast", "dis", "tokenize", "logging", "tarfile", "statistics", "gzip",
    "_strptime", "fractions", "tracemalloc", "stringprep", "quopri", "py_compile",
    "getopt", "pydoc_data", "_statistics", "resource", "grp",
)
XZ_FILTERS = [{"id": lzma.FILTER_X86},
              {"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME}]
FREEZE_OPTIONS = {"mode": "onedir", "strip": True, "excludes": list(EXCLUDES),
                  "xz": "x86+lzma2-9e", "archive": 1, "launcher_cflags": ["-Os", "-s"]}


class RunnerBuildError(Exception):
    """Freezing the runner or compiling the launcher failed (message for humans)."""


def default_cache_dir() -> Path:
    """$NYASH_CACHE_DIR/runners, else ~/.cache/nyash-build/runners."""
    env = os.environ.get("NYASH_CACHE_DIR")
    base = Path(env) if env else Path.home() / ".cache" / "nyash-build"
    return base / "runners"


def _tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
        return out.splitlines()[0] if out else "missing"
    except OSError:
        return "missing"


def runner_key_inputs() -> dict:
    """Everything the cached runner depends on (hashed into the key)."""
    import PyInstaller

    sources = {name: hashlib.sha256((STUB_DIR / name).read_bytes()).hexdigest()
               for name in RUNNER_SOURCES}
    return {"sources": sources, "wasmtime": wasmtime_version(),
            "python": sys.version, "pyinstaller": PyInstaller.__version__,
            "gcc": _tool_version(["gcc", "--version"]), "options": FREEZE_OPTIONS}


def runner_key() -> str:
    blob = json.dumps(runner_key_inputs(), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


def ensure_runner(cache_dir: Path | None = None) -> Path:
    """The cached runner directory for the current key, building it if missing."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    key = runner_key()
    final = root / key
    if (final / "manifest.json").is_file():
        return final
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (final / "manifest.json").is_file():  # built while we waited
            return final
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=root))
        try:
            _build(tmp)
            os.chmod(tmp, 0o755)
            os.rename(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def _build(out: Path) -> None:
    work = out / "work"
    onedir = freeze(work)
    raw = pack_tree(onedir)
    xz = lzma.compress(raw, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, filters=XZ_FILTERS)
    (out / "runner.xz").write_bytes(xz)
    compile_launcher(out / "launcher", work)
    manifest = {"key_inputs": runner_key_inputs(), "runner_name": RUNNER_NAME,
                "archive_sha256": hashlib.sha256(xz).hexdigest(), "archive_raw_size": len(raw)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    shutil.rmtree(work, ignore_errors=True)


def freeze(work: Path) -> Path:
    """PyInstaller one-dir freeze of runtime_stub/runner.py; returns the dist dir."""
    import wasmtime

    lib = Path(wasmtime.__file__).parent / "linux-x86_64" / "_libwasmtime.so"
    args = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--onedir", "--strip",
            "--log-level", "WARN", "--name", RUNNER_NAME,
            "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
            "--specpath", str(work), "--paths", str(STUB_DIR.parent),
            "--add-binary", f"{lib}:wasmtime/linux-x86_64", "--copy-metadata", "wasmtime",
            "--hidden-import", "runtime_stub.payload", "--hidden-import", "runtime_stub.variants"]
    for mod in EXCLUDES:
        args += ["--exclude-module", mod]
    args.append(str(STUB_DIR / "runner.py"))
    env = dict(os.environ, PYTHONHASHSEED="0", SOURCE_DATE_EPOCH="315532800")
    res = subprocess.run(args, capture_output=True, text=True, env=env, cwd=work.parent)
    dist = work / "dist" / RUNNER_NAME
    if res.returncode != 0 or not (dist / RUNNER_NAME).is_file():
        tail = "\n".join((res.stderr or res.stdout).splitlines()[-15:])
        raise RunnerBuildError(f"PyInstaller failed to freeze the runner:\n{tail}")
    return dist


def _restore_zip(data: bytes) -> bytes:
    """Rewrite a deflated zip as stored: xz then compresses the whole much better."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, info.date_time)
            new.external_attr = info.external_attr
            dst.writestr(new, src.read(info))
    return buf.getvalue()


_RECORD = struct.Struct("<BIIQ")


def pack_tree(root: Path) -> bytes:
    """The one-dir runner as launcher records (sorted, no timestamps: deterministic)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = Path(dirpath).relative_to(root)
        if str(rel_dir) != ".":
            out.append(_RECORD.pack(1, 0o755, len(str(rel_dir).encode()), 0)
                       + str(rel_dir).encode())
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = str(rel_dir / name if str(rel_dir) != "." else Path(name)).encode()
            if path.is_symlink():
                target = os.readlink(path).encode()
                out.append(_RECORD.pack(3, 0o777, len(rel), len(target)) + rel + target)
                continue
            data = path.read_bytes()
            if name == "base_library.zip":
                data = _restore_zip(data)
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            out.append(_RECORD.pack(2, mode, len(rel), len(data)) + rel + data)
    out.append(_RECORD.pack(0, 0, 0, 0))
    return b"".join(out)


def launcher_defines() -> list[str]:
    """gcc -D flags carrying the trailer layout from runtime_stub/payload.py."""
    defs = [f"-DTRAILER_SIZE={P.TRAILER_SIZE}", f"-DTRAILER_VERSION={P.TRAILER_VERSION}",
            f'-DRUNNER_NAME="{RUNNER_NAME}"',
            '-DTRAILER_MAGIC="' + "".join(f"\\x{b:02x}" for b in P.TRAILER_MAGIC) + '"',
            '-DTRAILER_END="' + "".join(f"\\x{b:02x}" for b in P.TRAILER_END) + '"']
    defs += [f"-DOFF_{name.upper()}={off}" for name, off in P.trailer_field_offsets().items()]
    return defs


def compile_launcher(out: Path, work: Path) -> None:
    """gcc the launcher; liblzma is linked statically when its archive exists."""
    src = STUB_DIR / "launcher.c"
    static = any(Path(d, "liblzma.a").is_file()
                 for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"))
    lzma_flags = ["-Wl,-Bstatic", "-llzma", "-Wl,-Bdynamic"] if static else ["-llzma"]
    cmd = ["gcc", *FREEZE_OPTIONS["launcher_cflags"], "-std=c11", "-Wall",
           f"-ffile-prefix-map={STUB_DIR}=.", *launcher_defines(), "-o", str(out),
           str(src), *lzma_flags]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=work)
    except OSError as e:
        raise RunnerBuildError(f"cannot run gcc to build the launcher: {e}") from None
    if res.returncode != 0:
        raise RunnerBuildError("gcc failed to build the launcher (needs gcc and "
                               f"liblzma-dev):\n{res.stderr[-2000:]}")
