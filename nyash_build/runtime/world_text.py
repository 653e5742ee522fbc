"""Immortal strings of the world runtime (``world.wat``, ``files.wat``, ``time.wat``):
messages, and the text of every WASI errno (what a native program's strerror says on
Linux, so I/O errors read as users know them).

Merged into the generated string area by ``tables.py`` (``$strtab_<name>``).
"""
from __future__ import annotations

MESSAGES: dict[str, str] = {
    "w_env_name": "env() requires a string name",
    "w_exit_status": "exit() requires an integer status 0-255, got ",
    "w_kind_open": " (",
    "w_stdin": "cannot read standard input: ",
    "w_unknown_errno": "Unknown error",
}

# WASI preview1 errno -> Linux strerror text; 76 (notcapable: a path outside every
# preopened directory, or escaping one through `..` or a symlink) reads "access denied".
ERRNO_TEXT: list[str] = [
    "Success",
    "Argument list too long", "Permission denied", "Address already in use",
    "Cannot assign requested address", "Address family not supported by protocol",
    "Resource temporarily unavailable", "Operation already in progress", "Bad file descriptor",
    "Bad message", "Device or resource busy", "Operation canceled", "No child processes",
    "Software caused connection abort", "Connection refused", "Connection reset by peer",
    "Resource deadlock avoided", "Destination address required", "Numerical argument out of domain",
    "Disk quota exceeded", "File exists", "Bad address", "File too large", "No route to host",
    "Identifier removed", "Invalid or incomplete multibyte or wide character",
    "Operation now in progress", "Interrupted system call", "Invalid argument",
    "Input/output error", "Transport endpoint is already connected", "Is a directory",
    "Too many levels of symbolic links", "Too many open files", "Too many links",
    "Message too long", "Multihop attempted", "File name too long", "Network is down",
    "Network dropped connection on reset", "Network is unreachable",
    "Too many open files in system", "No buffer space available", "No such device",
    "No such file or directory", "Exec format error", "No locks available",
    "Link has been severed", "Cannot allocate memory", "No message of desired type",
    "Protocol not available", "No space left on device", "Function not implemented",
    "Transport endpoint is not connected", "Not a directory", "Directory not empty",
    "State not recoverable", "Socket operation on non-socket", "Operation not supported",
    "Inappropriate ioctl for device", "No such device or address",
    "Value too large for defined data type", "Owner died", "Operation not permitted",
    "Broken pipe", "Protocol error", "Protocol not supported", "Protocol wrong type for socket",
    "Numerical result out of range", "Read-only file system", "Illegal seek", "No such process",
    "Stale file handle", "Connection timed out", "Text file busy", "Invalid cross-device link",
    "access denied",
]
assert len(ERRNO_TEXT) == 77

TABLES: dict[str, list[str]] = {"w_errno": ERRNO_TEXT}
