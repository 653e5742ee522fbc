"""Fixtures for cache tests: a real nginx WebDAV server on 127.0.0.1 and a tiny project."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

NGINX_CONF = """\
{user}
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    client_max_body_size 0;
    server {{
        listen 127.0.0.1:{port};
        root {store};
        location / {{
            dav_methods PUT DELETE;
            create_full_put_path on;
            dav_access user:rw group:rw all:r;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Nginx:
    """One running nginx; `store` is its document root (the cache lives under it)."""

    proc: subprocess.Popen
    port: int
    store: Path
    dir: Path

    def url(self, prefix: str = "/nyash") -> str:
        return f"http://127.0.0.1:{self.port}{prefix}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def start_nginx(workdir: Path, store: Path) -> Nginx:
    """nginx -c CONF -p DIR in the foreground on a free loopback port; waits until it listens.

    Started as root, nginx runs its workers as an unprivileged user that cannot enter
    pytest's 0700 temp dirs (PUT would fail with 500): run them as root instead, which
    is harmless for a loopback-only test server.
    """
    binary = nginx_binary()
    if binary is None:
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run does it)")
    workdir.mkdir(parents=True, exist_ok=True)
    store.mkdir(parents=True, exist_ok=True)
    (workdir / "tmp").mkdir(exist_ok=True)
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user="user root;" if os.geteuid() == 0 else "",
                                      dir=workdir, port=port, store=store))
    proc = subprocess.Popen([binary, "-c", str(conf), "-p", str(workdir), "-e",
                             str(workdir / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            log = (workdir / "error.log").read_text() if (workdir / "error.log").exists() else ""
            pytest.fail(f"nginx did not start: {err}{log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return Nginx(proc, port, store, workdir)
        except OSError:
            time.sleep(0.05)
    proc.kill()
    pytest.fail("nginx did not start listening within 10 s")


@pytest.fixture
def nginx_factory(tmp_path: Path) -> Iterator[Callable[..., Nginx]]:
    """Start nginx servers (several may share one store); all are stopped afterwards."""
    started: list[Nginx] = []

    def start(store: Path | None = None) -> Nginx:
        server = start_nginx(tmp_path / f"nginx{len(started)}", store or tmp_path / "store")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
