"""Real servers for the tests, started and stopped by the tests themselves: the Streamlit app and Debian's
Chromium (browser tests), PostgreSQL (Debian's ``postgresql`` package: ``initdb`` into a temporary directory,
``pg_ctl`` on a free loopback port) and nginx (Debian's ``nginx``, a configuration written for the test). Each helper returns None with the reason when the
server's binaries are missing, so the tests skip saying what to install (``scripts/test.sh`` installs both).

>>> free_port() > 0
True
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
        time.sleep(0.1)
    return False


# --- Streamlit and Chromium ------------------------------------------------------------------------------------

#: Chromium as the browser tests run it: headless, as root (no sandbox), nothing fetched from the network.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def streamlit(launch: list[str], env: dict, log_path: Path, cwd: Path, timeout: float = 60):
    """``python LAUNCH --server.port P …`` on loopback until its health check answers; yields the URL, stops it after.

    ``launch`` is ``["-m", "streamlit", "run", "app.py", *options]`` or ``["-c", code]`` (code that runs
    Streamlit with ``sys.argv[1:]``). Output goes to ``log_path``.
    """
    port = free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, *launch, "--server.port", str(port), "--server.address", "127.0.0.1",
                                 "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                                cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise RuntimeError(f"streamlit did not start; see {log_path}") from None
                time.sleep(0.5)
        try:
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@contextlib.contextmanager
def chromium():
    """Debian's ``chromium`` under Playwright (never ``playwright install``); closed after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


# --- PostgreSQL -------------------------------------------------------------------------------------------------

def postgres_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/N/bin`` holding initdb and pg_ctl."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


@dataclass
class Postgres:
    url: str
    port: int
    data: Path
    bin: Path
    user: str | None   # the system user the server runs as (initdb refuses root)

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / argv[0]), *argv[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "stop", "-m", "fast", "-w", check=False)
        shutil.rmtree(self.data.parent, ignore_errors=True)


def start_postgres() -> tuple[Postgres | None, str]:
    """A PostgreSQL server of our own on a free port (trust authentication, loopback only), or (None, why)."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        return None, "PostgreSQL is not installed (apt-get install -y postgresql; scripts/test.sh does it)"
    user = None
    if os.geteuid() == 0:   # initdb and postgres refuse to run as root
        for name in ("postgres", "nobody"):
            with contextlib.suppress(KeyError):
                pwd.getpwnam(name)
                user = name
                break
        if user is None:
            return None, "running as root and no postgres or nobody user to run PostgreSQL as"
    root = Path(tempfile.mkdtemp(prefix="assistant-pg-"))   # under /tmp: the server's user must reach it
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if user:
        entry = pwd.getpwnam(user)
        for p in (root, sockets):
            os.chown(p, entry.pw_uid, entry.pw_gid)
    port = free_port()
    server = Postgres(f"postgresql://postgres@127.0.0.1:{port}/postgres", port, data, bin_dir, user)
    try:
        server._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
        server._run("pg_ctl", "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60", "-o",
                    f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=200", "start")
    except subprocess.CalledProcessError as exc:
        server.stop()
        return None, f"PostgreSQL did not start: {exc.cmd[-1]}: {(exc.stderr or exc.stdout).strip()[-400:]}"
    return server, ""


# --- nginx ------------------------------------------------------------------------------------------------------

def nginx_bin() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


NGINX_CONF = """
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream assistant {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://assistant;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout http_502 http_503;
            proxy_read_timeout 120s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


@dataclass
class Nginx:
    port: int
    root: Path
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)   # graceful: the master ends its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def start_nginx(upstream_ports: list[int]) -> tuple[Nginx | None, str]:
    """nginx in the foreground on a free loopback port, balancing over ``upstream_ports``, or (None, why)."""
    binary = nginx_bin()
    if binary is None:
        return None, "nginx is not installed (apt-get install -y nginx; scripts/test.sh does it)"
    root = Path(tempfile.mkdtemp(prefix="assistant-nginx-"))
    port = free_port()
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in upstream_ports)
    (root / "nginx.conf").write_text(NGINX_CONF.format(root=root, servers=servers, port=port))
    process = subprocess.Popen([binary, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if not wait_port(port, 20):
        process.kill()
        err = process.communicate()[1].decode(errors="replace")[-400:]
        shutil.rmtree(root, ignore_errors=True)
        return None, f"nginx did not start: {err}"
    return Nginx(port, root, process), ""
