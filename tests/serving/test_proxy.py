"""Past one machine (issue 18): docs/nginx-bptt-sim.conf, run by Debian's nginx in front of two
``bptt-sim serve`` processes on loopback ports. Pages opened at nginx's one address are split
between the servers; every request of a page (the page, its files, its websocket) goes to the
server that built its session; each page trains and Steps; a shared link lands wherever nginx
sends it, with the linked state. nginx's own access log says where it sent each request."""
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from classroom import ROOT, STATUS, Serve, browser, close, open_page, train_and_step  # noqa: F401

NGINX = "/usr/sbin/nginx"
CONFIG = ROOT / "docs" / "nginx-bptt-sim.conf"
SHIPPED = ("127.0.0.1:5006", "127.0.0.1:5007")  # the servers the shipped file lists
LOG = "$http_user_agent|$upstream_addr|$status|$request"

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def site(servers, port):
    """The shipped file with these servers and this port in place of its examples."""
    text = CONFIG.read_text()
    for example, server in zip(SHIPPED, servers):
        assert text.count(example) == 3, f"{example}: the upstream line and the map's two"
        text = text.replace(example, server)
    assert text.count("listen 8080;") == 1
    return text.replace("listen 8080;", f"listen 127.0.0.1:{port};")


@pytest.fixture
def nginx(tmp_path):
    """Start nginx (in the foreground, files in tmp_path) on ``site(servers)``; yields start()."""
    if not os.path.exists(NGINX):
        pytest.fail(f"{NGINX} is missing: install Debian's nginx (apt-get install nginx-light)")
    procs = []

    def start(servers):
        port = free_port()
        (tmp_path / "bptt-sim.conf").write_text(site(servers, port))
        temp = "".join(f"{kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                             "uwsgi", "scgi"))
        (tmp_path / "nginx.conf").write_text(
            f"daemon off;\nmaster_process off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log info;\n"
            f"events {{ worker_connections 256; }}\nhttp {{\n{temp}log_format who '{LOG}';\n"
            f"access_log {tmp_path}/access.log who;\ninclude {tmp_path}/bptt-sim.conf;\n}}\n")
        proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                                 "-e", str(tmp_path / "error.log")], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        procs.append(proc)
        deadline = time.monotonic() + 30
        while not listening(port):  # nginx exits at once on a bad config
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "error.log").read_text()
            time.sleep(0.1)
        return f"http://127.0.0.1:{port}/", tmp_path / "access.log"

    def stop():
        for proc in procs:
            proc.send_signal(signal.SIGQUIT)  # graceful: the websockets' log lines are written as they close
            proc.wait(30)
    start.stop = stop
    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()


def requests(log):
    """user agent -> {(server, status, request without its query)} from nginx's access log."""
    sent = {}
    for line in log.read_text().splitlines():
        agent, upstream, status, request = line.split("|")
        sent.setdefault(agent, set()).add((upstream, status, request.split("?")[0]))
    return sent


def test_nginx_keeps_each_page_on_its_server_and_uses_both(browser, nginx, tmp_path):  # noqa: F811
    servers = [Serve(tmp_path / name, "--procs", "1", "--address", "127.0.0.1") for name in ("one", "two")]
    try:
        addresses = [s.url.split("//")[1].rstrip("/") for s in servers]
        url, log = nginx(addresses)
        a, b = open_page(browser, url, "student-a"), open_page(browser, url, "student-b")
        pinned = [{c["name"]: c["value"] for c in p.context.cookies()}["bptt_sim_server"] for p in (a, b)]
        assert sorted(pinned) == sorted(addresses), "the first two students go to the two servers"
        shown = train_and_step(a)
        train_and_step(b)
        assert a.url.startswith(url) and "w=" in a.url, "the shared link is nginx's address with the state"
        c = open_page(browser, a.url, "student-c")
        expect(c.locator(STATUS)).to_have_text(shown)
        for page in (a, b, c):
            close(page)
        # nginx logs a websocket when it closes: wait for the three.
        deadline = time.monotonic() + 30
        while len(sent := requests(log)) < 3 or not all(any(s == "101" for _, s, _ in v) for v in sent.values()):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        nginx.stop()
        for agent, pin in zip(("student-a", "student-b"), pinned):
            assert {u for u, _, _ in sent[agent]} == {pin}, f"{agent}: every request on its server"
            assert (pin, "101", "GET /ws HTTP/1.1") in sent[agent], f"{agent}: its websocket"
            assert (pin, "200", "GET / HTTP/1.1") in sent[agent], f"{agent}: its page"
        assert len({u for u, _, _ in sent["student-c"]}) == 1, "student-c: every request on one server"
    finally:
        codes = [s.stop() for s in servers]
    assert codes == [0, 0]
    assert not any("Traceback" in Path(s.err).read_text() for s in servers)
