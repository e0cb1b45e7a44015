"""The four daemons on one temporary directory, webd on a loopback port,
for the web face's tests (HTTP over real sockets, and the browser tests)."""
import email
import email.policy
import http.client
import json
import re
import urllib.parse

import pytest

from conftest import Daemon, Services, add_task, free_ports, wait_for

KEY = bytes(range(32))
OFFICE = "vu-thu-ky"
OTHER = "vu-thong-tin"


class Site(Services):
    """taskd, sessiond, notifyd and webd; public_url is webd's own address."""

    def __init__(self, tmp, extra_web=""):
        self.tmp = tmp
        self.port, = free_ports(1)
        self.base = f"http://127.0.0.1:{self.port}"
        keys = tmp / "link-keys"
        keys.mkdir(parents=True, exist_ok=True)
        (keys / "k1.key").write_text(KEY.hex() + "\n")
        (keys / "k1.key").chmod(0o600)
        super().__init__(tmp, f"[web]\npublic_url = {self.base}\nlisten = 127.0.0.1:{self.port}\n"
                              f"link_key_dir = {keys}\n{extra_web}")
        self.webd = Daemon(tmp, name="webd")
        self.all = (self.sessiond, self.taskd, self.notifyd, self.webd)

    def start(self):
        super().start()
        wait_for(lambda: self.get("/healthz")[0] == 200, "webd's health")

    def setup_program(self, clock="2024-05-01T00:00"):
        self.ok("clock", "set", clock)
        self.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
        for office, name in ((OFFICE, "Vụ Thư ký"), (OTHER, "Vụ Thông tin")):
            self.ok("office", "add", office, "--name", name, "--kind", "department",
                    "--email", f"{office}@demo.quochoi.vn")

    # ---- HTTP -----------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, timeout=10):
        """(status, headers dict with lower-case names, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post_form(self, path, fields, headers=None, same_origin=True):
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        if same_origin:
            h["Sec-Fetch-Site"] = "same-origin"
        h.update(headers or {})
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(), h)

    def api(self, method, path, token, body=None, headers=None):
        h = {"Authorization": f"Bearer {token}"}
        if body is not None:
            h["Content-Type"] = "application/json"
            body = json.dumps(body).encode()
        h.update(headers or {})
        status, hdrs, data = self.request(method, path, body, h)
        return status, hdrs, (json.loads(data) if data else None)

    # ---- tokens and links ---------------------------------------------------------

    def token(self, kind, office=None, label=None):
        """web token create; returns the TokenCreated JSON (secret, path, url, token)."""
        args = ["web", "token", "create", "--kind", kind]
        if office:
            args += ["--office", office]
        if label:
            args += ["--label", label]
        return self.json(*args)

    def spooled(self):
        spool = self.tmp / "var" / "mail-spool"
        if not spool.exists():
            return {}
        return {p.stem: email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(spool.glob("*.eml"))}

    def links_in(self, stem):
        mail = wait_for(lambda: self.spooled().get(stem), f"the digest {stem}")
        return re.findall(re.escape(self.base) + r"(/a/\S+)", mail.get_content())

    def alert(self, alert_id):
        return next(a for a in self.json("alert", "list") if a["id"] == alert_id)

    def last_seq(self, daemon):
        return daemon.json("status")[["taskd", "sessiond", "notifyd", "webd"].index(
            daemon.name)]["last_event_seq"]


@pytest.fixture
def site(tmpdir_short):
    """The four daemons running, with the 2024 program and two offices."""
    s = Site(tmpdir_short)
    s.start()
    try:
        s.setup_program()
        yield s
    finally:
        try:
            s.stop()
        finally:
            s.close()


def fire_one_alert(site, office=OFFICE, title="Báo cáo thẩm tra dự án Luật Đất đai"):
    """A task due 2024-05-20 led by office; the clock moves to the 7-day
    reminder. Returns (task id "T1", the link path in the mail)."""
    task = add_task(site, title, lead=office, due="2024-05-20")
    site.ok("clock", "set", "2024-05-13T08:00")
    links = site.links_in(f"D-{office}-202405130800")
    assert len(links) == 1, links
    return task, links[0]
