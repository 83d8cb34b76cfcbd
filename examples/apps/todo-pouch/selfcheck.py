#!/usr/bin/env python3
"""A quick by-hand check of todo-pouch in headless Chromium (not part of the harness's suite).

    .venv/bin/python examples/apps/todo-pouch/selfcheck.py [--keep-logs]

Starts `node server.js --port 0` and, with selenium + chromedriver:
  1. opens the app, waits for data-app-state=ready, online, banner hidden; no connectivity change while idle
     for 12 s (long polls recycled every 5 s), and lists the requests of that idle time;
  2. adds a todo (Enter), waits until it is synced, and finds it on the server (_all_docs);
  3. edits it and deletes a second one, both reach the server;
  4. a document created on the server (POST /db/todos) appears in the list;
  5. dead link with no OS signal: the page is served through a TCP relay that is then shut (connections
     dropped, new ones refused); the banner shows, a write made offline stays pending, and after the relay
     is back the banner hides and the write reaches the server;
  6. CDP offline emulation: the browser's offline event shows the banner at once;
  7. cold start through a dead proxy (--proxy-server=127.0.0.1:1, --proxy-bypass-list=<-loopback>) on the
     profile of step 1: the service worker's cached shell opens, the items are read from IndexedDB, and the
     banner shows;
  8. DELETE + PUT /db/todos resets the server's database.
Prints the request paths the client used (Chrome's performance log), so the idle ones are known.
"""
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

HERE = os.path.dirname(os.path.abspath(__file__))
LONGPOLL_MAX_MS = 5000
QUERY = f"?probe_ms=500&request_timeout_ms=3000&longpoll_max_ms={LONGPOLL_MAX_MS}"
IDLE_S = 12


def http(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait(what, cond, timeout=20.0, step=0.1):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = cond()
            if last:
                return last
        except Exception as e:  # stale elements while the list is redrawn
            last = e
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for: {what} (last: {last!r})")


class Relay:
    """A TCP relay 127.0.0.1:port -> target that can be shut (refuse + drop) and reopened on the same port."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.port = None
        self.loop = asyncio.new_event_loop()
        self.server = None
        self.conns = set()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except Exception:
            pass
        finally:
            writer.close()

    async def _handle(self, cr, cw):
        try:
            ur, uw = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            cw.close()
            return
        self.conns.update({cw, uw})
        await asyncio.gather(self._pipe(cr, uw), self._pipe(ur, cw))
        self.conns.difference_update({cw, uw})

    async def _open(self):
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port or 0, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _shut(self):
        self.server.close()
        for w in list(self.conns):
            w.transport.abort()
        self.conns.clear()

    def open(self):
        self._call(self._open())

    def shut(self):
        self._call(self._shut())


def chrome(profile, extra_args=()):
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              f"--user-data-dir={profile}", *extra_args):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(options=opts, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))


PATHS = Counter()


def collect_paths(driver, into=PATHS):
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            req = msg["params"]["request"]
            u = urlsplit(req["url"])
            if u.scheme.startswith("http"):
                path = re.sub(r"(since|rev|open_revs|_nonce)=[^&]*", r"\1=…", u.path + ("?" + u.query if u.query else ""))
                path = re.sub(r"/db/todos/_local/[^?/]+", "/db/todos/_local/<replication id>", path)
                into[f"{req['method']} {path}"] += 1


def body(d, attr):
    return d.find_element(By.TAG_NAME, "body").get_attribute(attr)


def banner_visible(d):
    return d.find_element(By.CSS_SELECTOR, "[data-testid=offline-banner]").is_displayed()


def pending(d):
    return d.find_element(By.CSS_SELECTOR, "[data-testid=sync-status]").get_attribute("data-pending")


def items(d):
    # read in one script: every render replaces the list's elements, so element handles go stale quickly
    return [tuple(x) for x in d.execute_script(
        "return [...document.querySelectorAll('[data-testid=todo-item]')].map(e => [e.dataset.id,"
        " e.querySelector('[data-testid=todo-text]').textContent, e.dataset.syncState]);")]


def add(d, title):
    box = d.find_element(By.CSS_SELECTOR, "[data-testid=new-todo]")
    box.send_keys(title, Keys.ENTER)
    return wait(f"item {title!r} shown", lambda: next((i for i in items(d) if i[1] == title), None))


def click(d, css):
    """Click, finding the element again if the list was redrawn in between (every render replaces the items)."""
    def attempt():
        d.find_element(By.CSS_SELECTOR, css).click()
        return True
    wait(f"click {css}", attempt, 5)


def server_docs(base):
    st, res = http("GET", base + "db/todos/_all_docs?include_docs=true")
    assert st == 200, (st, res)
    return {r["id"]: r["doc"] for r in res["rows"]}


def main():
    keep = "--keep-logs" in sys.argv
    work = tempfile.mkdtemp(prefix="todo-pouch-check-")
    srv = subprocess.Popen(["node", "server.js", "--port", "0"], cwd=HERE, stdout=subprocess.PIPE, text=True)
    drivers = []
    try:
        line = srv.stdout.readline().strip()
        m = re.fullmatch(r"todo-pouch listening on (http://[^\s/]+)/", line)
        assert m, f"unexpected readiness line {line!r}"
        base = m.group(1) + "/"
        port = urlsplit(base).port
        print("server:", line)
        assert http("GET", base + "health") == (200, {"ok": True})

        # 1-4: online ------------------------------------------------------------------------------
        profile = os.path.join(work, "profile-direct")
        d = chrome(profile)
        drivers.append(d)
        d.get(base + QUERY)
        wait("app ready", lambda: body(d, "data-app-state") == "ready")
        wait("online", lambda: body(d, "data-connectivity") == "online" and not banner_visible(d))
        print("1. ready, online, banner hidden")
        time.sleep(3)
        collect_paths(d)
        d.execute_script("window.__flips = []; new MutationObserver(() => window.__flips.push("
                         "document.body.dataset.connectivity)).observe(document.body, {attributes: true,"
                         " attributeFilter: ['data-connectivity']});")
        idle = Counter()
        time.sleep(IDLE_S)
        collect_paths(d, idle)
        flips = d.execute_script("return window.__flips")
        assert not flips and not banner_visible(d), f"connectivity changed while idle: {flips}"
        print(f"   idle {IDLE_S}s: stayed online (long polls recycled every {LONGPOLL_MAX_MS} ms); requests:")
        for k, n in sorted(idle.items()):
            print(f"  {n:5d}  {k}")

        a_id, _, _ = add(d, "buy milk")
        b_id, _, _ = add(d, "walk the dog")
        wait("both synced", lambda: pending(d) == "0" and all(s == "synced" for _, _, s in items(d)))
        docs = wait("on the server", lambda: (lambda s: s if {a_id, b_id} <= set(s) else None)(server_docs(base)))
        assert docs[a_id]["title"] == "buy milk" and "created_at" in docs[a_id], docs[a_id]
        print(f"2. added 2 items, synced, on the server: {a_id} rev {docs[a_id]['_rev']}")

        click(d, f"[data-testid=todo-item][data-id='{a_id}'] [data-testid=todo-edit]")
        box = d.find_element(By.CSS_SELECTOR, "[data-testid=edit-todo]")
        assert box.get_attribute("value") == "buy milk"
        box.clear()
        box.send_keys("buy oat milk")
        click(d, "[data-testid=save-todo]")
        click(d, f"[data-testid=todo-item][data-id='{b_id}'] [data-testid=todo-delete]")
        wait("edit + delete synced", lambda: pending(d) == "0" and [i[1] for i in items(d)] == ["buy oat milk"])
        wait("server has edit, not deleted", lambda: (lambda s: s.get(a_id, {}).get("title") == "buy oat milk"
                                                    and b_id not in s)(server_docs(base)))
        st, tomb = http("GET", base + f"db/todos/{b_id}?revs=true&open_revs=all")
        print(f"3. edited + deleted; server: {a_id} title 'buy oat milk', {b_id} gone (open_revs: {st})")

        st, res = http("POST", base + "db/todos", {"title": "from the server", "created_at": int(time.time() * 1000)})
        assert st == 201 and res["ok"], (st, res)
        wait("server change shown", lambda: any(t == "from the server" and s == "synced" for _, t, s in items(d)))
        print(f"4. POST /db/todos -> {st}, the new doc {res['id']} shown in the list, synced")

        # 5: dead link through a relay ---------------------------------------------------------------
        relay = Relay(port)
        relay.open()
        rbase = f"http://127.0.0.1:{relay.port}/"
        d2 = chrome(os.path.join(work, "profile-relay"))
        drivers.append(d2)
        d2.get(rbase + QUERY)
        wait("relay: ready + online", lambda: body(d2, "data-app-state") == "ready"
             and body(d2, "data-connectivity") == "online")
        wait("relay: list pulled", lambda: len(items(d2)) == 2)
        time.sleep(1)
        t0 = time.monotonic()
        relay.shut()
        wait("relay shut: banner", lambda: banner_visible(d2) and body(d2, "data-connectivity") == "offline", 15)
        print(f"5. relay shut: banner shown after {time.monotonic() - t0:.1f}s; "
              f"text: {d2.find_element(By.CSS_SELECTOR, '[data-testid=offline-banner]').text!r}")
        c_id, _, state = add(d2, "written offline")
        time.sleep(2)
        assert pending(d2) == "1" and dict((i, s) for i, _, s in items(d2))[c_id] == "pending", items(d2)
        assert c_id not in server_docs(base)
        print("   offline write: data-pending=1, item pending, not on the server")
        t0 = time.monotonic()
        relay.open()
        wait("relay back: online + synced", lambda: not banner_visible(d2) and pending(d2) == "0", 20)
        assert c_id in server_docs(base)
        print(f"   relay back: banner hidden, synced, on the server after {time.monotonic() - t0:.1f}s")
        wait("first browser pulled it", lambda: any(i[0] == c_id for i in items(d)))

        # 6: CDP offline emulation -------------------------------------------------------------------
        d.execute_cdp_cmd("Network.enable", {})
        d.execute_cdp_cmd("Network.emulateNetworkConditions",
                          {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        t0 = time.monotonic()
        wait("CDP offline: banner", lambda: banner_visible(d), 5, 0.05)
        print(f"6. CDP offline: banner after {time.monotonic() - t0:.2f}s")
        d.execute_cdp_cmd("Network.emulateNetworkConditions",
                          {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        wait("CDP online: banner hidden", lambda: not banner_visible(d), 10)
        n_before = len(items(d))
        collect_paths(d)
        collect_paths(d2)
        d.quit()
        drivers.remove(d)

        # 7: cold start through a dead proxy, same profile ----------------------------------------------
        d3 = chrome(profile, ["--proxy-server=127.0.0.1:1", "--proxy-bypass-list=<-loopback>"])
        drivers.append(d3)
        d3.get(base + QUERY)
        wait("cold start: ready", lambda: body(d3, "data-app-state") == "ready", 20)
        wait("cold start: banner", lambda: banner_visible(d3), 10)
        assert len(items(d3)) == n_before, (items(d3), n_before)
        print(f"7. cold start via dead proxy: shell from the service worker, {n_before} items from IndexedDB, "
              "banner shown")
        collect_paths(d3)

        # 8: reset -------------------------------------------------------------------------------------
        assert http("DELETE", base + "db/todos")[0] in (200, 404)
        assert http("PUT", base + "db/todos")[0] == 201
        assert server_docs(base) == {}
        print("8. DELETE + PUT /db/todos: the server's database is empty")

        print("\nrequests the client made (method, path with volatile values elided: count):")
        for k, n in sorted(PATHS.items()):
            print(f"  {n:5d}  {k}")
        print("\nselfcheck OK")
    finally:
        for dr in drivers:
            try:
                dr.quit()
            except Exception:
                pass
        srv.send_signal(signal.SIGTERM)
        try:
            srv.wait(5)
        except subprocess.TimeoutExpired:
            srv.kill()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)


if __name__ == "__main__":
    main()
