"""Freeze runtime_stub/ once per runner key and cache the result outside any app.

A cached runner directory `<cache>/<key>/` holds what every executable is made of:
  launcher        the launcher ELF (runtime_stub/launcher/*.c, prebuilt by zig, see
                  nyash_build/bundle/launcher_build.py)
  runner.xz       the PyInstaller one-dir runner packed as launcher records and
                  compressed as raw LZMA2 over the x86 BCJ filter (no .xz container:
                  the launcher decodes it with its own decoder, runtime_stub/launcher/
                  lzma2.c; the file name is historical); its sha256 names the directory
                  the launcher unpacks it to on the target
  manifest.json   key inputs, archive sha256 and raw size

The one-dir runner also carries `nyash-fastpath.json`: the settings the launcher's
native fast path needs from the Python definitions (variant tables and compat keys,
engine stack sizes, the variables the launcher hides), written here so C and Python
cannot drift apart.

The key hashes everything the result depends on: runner and launcher sources, wasmtime,
Python and PyInstaller versions and the freeze options. The expensive part (freezing
and compressing, no C compiler involved) is cached on its own as
`<cache>/archive-<archive key>/` (runner.xz + manifest.json), so a launcher change only
re-assembles a directory. Concurrent builds are serialised by an flock on
`<name>.lock`; directories are published with one rename, so readers never see half a
runner.
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
from nyash_build.bundle import launcher_build
from nyash_build.bundle.launcher_build import RUNNER_NAME
from runtime_stub.variants import wasmtime_version

STUB_DIR = Path(runtime_stub.__file__).resolve().parent
RUNNER_SOURCES = ("__init__.py", "payload.py", "runner.py", "variants.py")
FASTPATH_FILE = "nyash-fastpath.json"
ARCHIVE_PREFIX = "archive-"

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
                  "compression": "raw x86+lzma2-9e", "archive": 2, "fastpath": 1}


class RunnerBuildError(Exception):
    """Freezing the runner or compiling the launcher failed (message for humans)."""


def default_cache_dir() -> Path:
    """$NYASH_CACHE_DIR/runners, else ~/.cache/nyash-build/runners."""
    env = os.environ.get("NYASH_CACHE_DIR")
    base = Path(env) if env else Path.home() / ".cache" / "nyash-build"
    return base / "runners"


def archive_key_inputs() -> dict:
    """Everything the frozen runner archive depends on (hashed into its key)."""
    import PyInstaller

    sources = {name: hashlib.sha256((STUB_DIR / name).read_bytes()).hexdigest()
               for name in RUNNER_SOURCES}
    return {"sources": sources, "wasmtime": wasmtime_version(), "python": sys.version,
            "pyinstaller": PyInstaller.__version__, "options": FREEZE_OPTIONS}


def runner_key_inputs() -> dict:
    """Everything a cached runner directory depends on: the archive and the launcher."""
    return {**archive_key_inputs(), "launcher": launcher_build.launcher_identity()}


def _key(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:24]


def archive_key() -> str:
    return _key(archive_key_inputs())


def runner_key() -> str:
    return _key(runner_key_inputs())


def ensure_runner(cache_dir: Path | None = None) -> Path:
    """The cached runner directory for the current key, building it if missing.

    Two levels: the frozen archive (`archive-<archive key>/`, minutes to make) is
    cached on its own, so a new launcher only costs assembling a directory."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    key = runner_key()
    final = root / key
    if (final / "manifest.json").is_file():
        return final
    archive = _publish(root, ARCHIVE_PREFIX + archive_key(), _freeze_archive)
    os.utime(archive)  # in use (nyash cache prune)
    return _publish(root, key, lambda out: _assemble(out, archive))


def _publish(root: Path, name: str, build) -> Path:
    """`root/name`, made by build(tmp_dir) under `name.lock` and published with one rename."""
    final = root / name
    if (final / "manifest.json").is_file():
        return final
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (final / "manifest.json").is_file():  # built while we waited
            return final
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=root))
        try:
            build(tmp)
            os.chmod(tmp, 0o755)
            os.rename(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def _freeze_archive(out: Path) -> None:
    work = out / "work"
    onedir = freeze(work)
    write_fastpath_settings(onedir)
    raw = pack_tree(onedir)
    xz = compress_archive(raw)
    (out / "runner.xz").write_bytes(xz)
    manifest = {"key_inputs": archive_key_inputs(), "runner_name": RUNNER_NAME,
                "archive_sha256": hashlib.sha256(xz).hexdigest(), "archive_raw_size": len(raw)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    shutil.rmtree(work, ignore_errors=True)


def _assemble(out: Path, archive: Path) -> None:
    """A runner directory: the cached archive plus the launcher for this installation."""
    try:
        launcher_build.install_launcher(out / "launcher")
    except launcher_build.LauncherBuildError as e:
        raise RunnerBuildError(str(e)) from None
    try:
        os.link(archive / "runner.xz", out / "runner.xz")
    except OSError:
        shutil.copyfile(archive / "runner.xz", out / "runner.xz")
    manifest = json.loads((archive / "manifest.json").read_text())
    manifest["key_inputs"] = runner_key_inputs()
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))


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


def compress_archive(raw: bytes) -> bytes:
    """The archive as the launcher decodes it: raw LZMA2 (no container) over x86 BCJ."""
    return lzma.compress(raw, format=lzma.FORMAT_RAW, filters=XZ_FILTERS)


def fastpath_settings(onedir: Path) -> dict:
    """What the launcher's fast path reads from the runner (runtime_stub/launcher/
    fastpath.c): every value comes from the runner's own Python definitions."""
    import threading

    from runtime_stub import runner as R
    from runtime_stub import variants as V

    libs = sorted(onedir.rglob("_libwasmtime.so"))
    if not libs:
        raise RunnerBuildError("the frozen runner has no _libwasmtime.so")
    variants = [{"name": v, "target": V.TARGET, "cranelift_flags": list(V.CRANELIFT_FLAGS[v]),
                 "cpu_features": list(V.CPU_FEATURES[v]),
                 "compat_key": {"release": V.compat_key(v), "debug": V.compat_key(v, debug=True)}}
                for v in V.VARIANTS]
    return {"format": 1,
            "wasmtime_library": libs[0].relative_to(onedir).as_posix(),
            "library_dir": "_internal",
            "variants": variants,
            "variant_choices": list(R.VARIANT_CHOICES),
            "info_only_keys": sorted(V.INFO_ONLY_KEYS),
            "hidden_env_prefixes": list(R._LAUNCHER_ENV),
            "opt_level": V.OPT_LEVELS.index("speed"),
            "max_wasm_stack": V.MAX_WASM_STACK,
            "async_stack_size": V.ASYNC_STACK,
            "native_stack": V.NATIVE_STACK,
            "default_max_memory": R.DEFAULT_MAX_MEMORY,
            "stack_frames_shown": R.STACK_FRAMES_SHOWN,
            "timeout_max": threading.TIMEOUT_MAX}


def write_fastpath_settings(onedir: Path) -> None:
    (onedir / FASTPATH_FILE).write_text(
        json.dumps(fastpath_settings(onedir), indent=1, sort_keys=True) + "\n")
