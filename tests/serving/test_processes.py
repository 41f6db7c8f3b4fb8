"""Every core (issue 18): ``bptt-sim serve --procs 2`` forks two warmed server processes behind
one address; each page, its files and its websocket stay on one process; the class is split
between them; a shared link opened at the address shows the linked state wherever it lands;
Ctrl+C stops them all."""
import argparse
import subprocess
import sys
import threading

import psutil
import pytest
from playwright.sync_api import expect

from classroom import ROOT, STATUS, Serve, browser, close, open_page, port_of, train_and_step, wait_gone  # noqa: F401
from simulator.serving import processes


def test_procs_is_checked_and_defaults_to_the_cores():
    assert processes.procs_count("3") == 3
    for bad in ("0", "65", "two"):
        with pytest.raises(argparse.ArgumentTypeError):
            processes.procs_count(bad)
    from simulator.cli import build_parser
    assert build_parser().parse_args(["serve"]).procs == processes.default_procs() >= 1
    assert processes.child_ports(5006, 2) == [5007, 5008] and processes.child_ports(0, 3) == [0, 0, 0]
    with pytest.raises(ValueError, match="65535"):
        processes.child_ports(65535, 2)


def test_no_fork_while_threads_run():
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, name="a-worker")
    worker.start()
    try:
        with pytest.raises(ValueError, match="a-worker"):
            processes.fork_safe()
    finally:
        stop.set()
        worker.join()


def test_the_server_forks_with_no_thread_running():
    """What a server does before forking (prepare: kernels, socket patches; bind the port) starts
    no thread, so the fork copies no lock held by one."""
    code = ("import threading; from simulator.serving.server import prepare; prepare(); "
            "from bokeh.server.util import bind_sockets; bind_sockets('localhost', 0); "
            "from simulator.serving.processes import fork_safe; fork_safe(); print(threading.active_count())")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "1", done.stderr[-2000:]


@pytest.mark.ui
@pytest.mark.slow
def test_two_processes_split_the_class_and_keep_each_page_on_one(browser, tmp_path):  # noqa: F811
    server = Serve(tmp_path, "--procs", "2")
    try:
        children = [c.pid for c in psutil.Process(server.proc.pid).children()]
        assert len(children) == 2, "one server process per --procs"
        entry = port_of(server.url)
        a, b = open_page(browser, server.url), open_page(browser, server.url)
        ports = {port_of(a.url), port_of(b.url)}
        assert len(ports) == 2 and entry not in ports, "the two pages are served by the two processes"
        for page in (a, b):
            assert [port_of(u) for u in page.sockets] == [port_of(page.url)], "the websocket goes where the page came from"
        shown = [train_and_step(a), train_and_step(b)]
        # A's address bar is the link a student shares; opened at the class's address it lands on
        # whichever process is next, with the linked state.
        link = a.url.replace(f":{port_of(a.url)}/", f":{entry}/")
        c = open_page(browser, link)
        expect(c.locator(STATUS)).to_have_text(shown[0])
        assert [port_of(u) for u in c.sockets] == [port_of(c.url)]
        for page in (a, b, c):
            close(page)
    finally:
        code = server.stop()
    wait_gone(children)
    assert code == 0 and "Traceback" not in server.err.read_text(), server.err.read_text()[-3000:]
    assert server.out.read_text().count("serving on") == 1, "the address is printed once"
