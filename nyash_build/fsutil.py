"""Atomic file output: a reader sees the old file or the complete new one, never half."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike, data: bytes, mode: int = 0o644) -> None:
    """Write data to a temp file beside path, fsync, chmod, then rename over path.
    An OSError about the temp file names ``path`` instead (what the user asked for)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise _about(e, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError) and e.filename in (None, tmp):
            raise _about(e, path) from None
        raise


def _about(e: OSError, path: Path) -> OSError:
    """The same error (same errno, same OSError subclass) about ``path``."""
    return OSError(e.errno, e.strerror or str(e), str(path)) if e.errno else e
