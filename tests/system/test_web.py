"""thuky-webd over real HTTP: alert links (GET changes nothing; POSTs with
nonce, CSRF rules, PRG, undo, closed alerts), calendar tokens and their
conditional GETs, the JSON API with its scopes and problems, the live feed
and its exact resume, limits, and 503 while a daemon is down."""
import http.client
import json
import re
import socket
import subprocess

import icalendar
import pytest

from conftest import WEBD, add_task, base_config, run_daemon_once, wait_for
from web_site import OFFICE, OTHER, Site, fire_one_alert, site  # noqa: F401 (fixture)


def nonce_of(page):
    m = re.search(rb'name="nonce" value="([^"]+)"', page)
    assert m, page
    return m.group(1).decode()


# ---- alert links ------------------------------------------------------------

def test_the_mail_link_shows_the_alert_and_a_get_changes_nothing(site):
    task, link = fire_one_alert(site)
    alert_id = link.split("/")[2]
    before = [site.last_seq(d) for d in (site.taskd, site.notifyd)]
    for _ in range(3):  # a mail scanner, then the person, then a reload
        status, headers, page = site.get(link)
        assert status == 200
        assert "noindex" in headers["x-robots-tag"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "same-origin"
        text = page.decode()
        assert "Báo cáo thẩm tra dự án Luật Đất đai" in text
        assert "Nhắc trước hạn" in text and "20/05/2024" in text
        assert 'id="ack"' in text and "Xác nhận đã nhận" in text
    assert [site.last_seq(d) for d in (site.taskd, site.notifyd)] == before
    assert site.alert(alert_id)["state"] == "sent"
    status, _, page = site.get(link, {"Accept-Language": "en-GB,en;q=0.9,vi;q=0.5"})
    assert status == 200 and b"Acknowledge" in page and b"2024-05-20" in page


def test_acknowledge_is_idempotent_audited_and_undone_within_a_day(site):
    task, link = fire_one_alert(site)
    alert_id = link.split("/")[2]
    _, _, page = site.get(link)
    form = {"action": "ack", "nonce": nonce_of(page)}
    # a header with bytes that are not UTF-8 (latin-1 here) is cleaned, not refused
    status, headers, _ = site.post_form(link, form, {"User-Agent": "Tr\xecnh duy\xea\xf1t"})
    assert status == 303 and headers["location"] == link + "?done=ack"
    status, _, _ = site.post_form(link, form)  # a double click
    assert status == 303
    assert site.alert(alert_id)["state"] == "acked"
    reader = site.token("api")["secret"]
    _, _, page = site.api("GET", "/api/v1/events?after=t=0,s=0,n=0&type=alert.acked", reader)
    acked = page["events"]
    assert len(acked) == 1 and acked[0]["subject"] == alert_id
    assert acked[0]["data"]["caller"].startswith(f"web:link-k1 for {OFFICE} via ")
    _, _, page = site.get(link + "?done=ack")
    assert "Đã xác nhận".encode() in page and b'id="undo"' in page
    status, headers, _ = site.post_form(link, {"action": "undo", "nonce": nonce_of(page)})
    assert status == 303 and headers["location"].endswith("?done=undo")
    assert site.alert(alert_id)["state"] == "sent"
    # the later reminders are planned again
    assert any(a["state"] == "planned" and a["task"] == task
               for a in site.json("alert", "list", "--task", task))
    # a day later an ack can no longer be undone
    _, _, page = site.get(link)
    site.post_form(link, {"action": "ack", "nonce": nonce_of(page)})
    site.ok("clock", "advance", "25h")
    _, _, page = site.get(link)
    assert b'id="undo"' not in page


def test_the_progress_form_reports_for_the_office_and_redirects(site):
    task, link = fire_one_alert(site)
    tid = task[1:]
    _, _, page = site.get(link)
    assert b'name="progress"' in page and b'name="flag"' in page and b"required" in page
    nonce = nonce_of(page)
    status, _, body = site.post_form(link, {"action": "progress", "nonce": nonce, "task": tid,
                                            "progress": "40", "flag": "none", "note": "  "})
    assert status == 400 and "không được để trống".encode() in body
    assert site.json("task", "show", task)["progress"] == 0
    status, headers, _ = site.post_form(
        link, {"action": "progress", "nonce": nonce, "task": tid, "progress": "60",
               "flag": "dispute", "note": "Còn ý kiến khác nhau về Điều 5"},
        {"User-Agent": "Firefox/128.0 (thu nghiem)"})
    assert status == 303 and headers["location"].endswith("?done=progress")
    detail = site.json("task", "show", task)
    assert detail["progress"] == 60 and "dispute" in detail["flags"]
    last = detail["history"][-1]
    assert last["note"] == "Còn ý kiến khác nhau về Điều 5"
    assert last["caller"].startswith(f"web:link-k1 for {OFFICE} via ")
    assert "from 127.0.0.1 (Firefox/128.0 (thu nghiem))" in last["caller"]
    # a task that is not the alert's is refused, and nothing changes
    other = add_task(site, "Nhiệm vụ khác", lead=OFFICE, due="2024-06-30")
    status, _, _ = site.post_form(link, {"action": "progress", "nonce": nonce,
                                         "task": other[1:], "progress": "90", "flag": "none",
                                         "note": "x"})
    assert status == 400 and site.json("task", "show", other)["progress"] == 0
    _, _, page = site.get(link + "?done=progress")
    assert "Đã ghi nhận báo cáo tiến độ".encode() in page


def test_forged_reaimed_unknown_key_and_expired_links(site):
    _, link = fire_one_alert(site)
    head, mac = link.rsplit(".", 1)
    forged = head + "." + ("A" if mac[0] != "A" else "B") + mac[1:]
    reaimed = link.replace(f"/{OFFICE}.", f"/{OTHER}.")
    unknown = link.replace(".k1.", ".k9.")
    bodies = set()
    for bad in (forged, reaimed, unknown, "/a/x/y", link + "x"):
        status, headers, body = site.get(bad)
        assert status == 404, bad
        assert "noindex" in headers["x-robots-tag"]
        bodies.add(body)
        status, _, _ = site.post_form(bad, {"action": "ack", "nonce": "1.x"})
        assert status == 404
    assert len(bodies) == 1  # nothing tells a forgery from a typo
    site.ok("clock", "advance", "31d")
    status, _, body = site.get(link)
    assert status == 410 and "hết hạn".encode() in body
    status, _, _ = site.post_form(link, {"action": "ack", "nonce": "1.x"})
    assert status == 410


def test_posts_need_this_site_and_a_fresh_nonce_for_this_link(site):
    task, link = fire_one_alert(site)
    alert_id = link.split("/")[2]
    _, _, page = site.get(link)
    form = {"action": "ack", "nonce": nonce_of(page)}
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "http://evil.example"}, {}):
        status, _, _ = site.post_form(link, form, headers, same_origin=False)
        assert status == 403, headers
    # a browser without Sec-Fetch-Site on plain HTTP sends its Origin
    for bad in ("1.AAAAAAAAAAAAAAAAAAAAAA", form["nonce"].split(".")[0], ""):
        status, _, _ = site.post_form(link, {"action": "ack", "nonce": bad})
        assert status == 403
    assert site.alert(alert_id)["state"] == "sent"
    status, _, _ = site.post_form(link, form, {"Origin": site.base}, same_origin=False)
    assert status == 303 and site.alert(alert_id)["state"] == "acked"


def test_a_closed_alert_says_so_and_refuses_posts(site):
    task, link = fire_one_alert(site)
    _, _, page = site.get(link)
    nonce = nonce_of(page)
    site.ok("task", "done", task)
    status, _, page = site.get(link)
    assert status == 200 and b'id="closed"' in page and b'id="ack"' not in page
    status, _, body = site.post_form(link, {"action": "ack", "nonce": nonce})
    assert status == 409 and "đã đóng".encode() in body
    status, _, _ = site.get(link)  # a used link keeps working until it expires
    assert status == 200


# ---- calendars -----------------------------------------------------------------

def ics(body):
    return icalendar.Calendar.from_ical(body.decode())


def test_an_office_calendar_is_cached_validated_and_byte_stable(site):
    t1 = add_task(site, "Báo cáo giám sát", lead=OFFICE, due="2024-06-14")
    add_task(site, "Việc của vụ khác", lead=OTHER, due="2024-06-20")
    t3 = add_task(site, "Phối hợp thẩm tra", lead=OTHER, with_=[OFFICE], due="2024-07-01")
    created = site.token("calendar", OFFICE, "Outlook của Vụ")
    path = created["path"]
    assert path == f"/cal/{OFFICE}/{created['secret']}.ics"
    status, headers, body = site.get(path)
    assert status == 200 and headers["content-type"].startswith("text/calendar")
    etag, modified = headers["etag"], headers["last-modified"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert "noindex" in headers["x-robots-tag"]
    cal = ics(body)
    assert str(cal["REFRESH-INTERVAL"].to_ical().decode()) == "PT1H"
    assert str(cal["X-PUBLISHED-TTL"]) == "PT1H"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"task-{t1[1:]}-deadline@thuky", f"task-{t3[1:]}-deadline@thuky"}
    assert events[f"task-{t1[1:]}-deadline@thuky"]["DTSTART"].dt.isoformat() == "2024-06-14"
    # the same bytes again, and conditional requests need no body
    assert site.get(path)[2] == body
    assert site.get(path, {"If-None-Match": etag})[0] == 304
    assert site.get(path, {"If-Modified-Since": modified})[0] == 304
    assert site.get(path, {"If-None-Match": '"other"', "If-Modified-Since": modified})[0] == 200
    status, headers, head = site.request("HEAD", path)
    assert status == 200 and head == b"" and headers["etag"] == etag
    # a deadline moves: a new tag, and the event's SEQUENCE goes up
    seq = int(events[f"task-{t1[1:]}-deadline@thuky"]["SEQUENCE"])
    site.ok("task", "update", t1, "--due", "2024-06-21")
    status, headers, body = wait_for(lambda: (lambda r: r if r[1]["etag"] != etag else None)(
        site.get(path)), "a new calendar")
    moved = {str(e["UID"]): e for e in ics(body).walk("VEVENT")}[f"task-{t1[1:]}-deadline@thuky"]
    assert moved["DTSTART"].dt.isoformat() == "2024-06-21" and int(moved["SEQUENCE"]) > seq
    assert site.get(path, {"If-None-Match": etag})[0] == 200


def test_an_office_calendar_holds_the_sittings_that_concern_it(site):
    for sid, kind, title, start in (("UBTV-33", "standing", "Phiên họp thứ 33", "2024-05-14"),
                                    ("UBTV-34", "standing", "Phiên họp thứ 34", "2024-06-11"),
                                    ("XV-7", "plenary", "Kỳ họp thứ bảy", "2024-05-20")):
        site.ok("session", "add", "--id", sid, "--kind", kind, "--title", title,
                "--start", start, "--end", start)
    hung = add_task(site, "Hồ sơ trình phiên họp", lead=OFFICE, due_rel="UBTV-33:open:-3d",
                    before_sitting=False)
    path = site.token("calendar", OFFICE)["path"]
    events = {str(e["UID"]): e for e in ics(site.get(path)[2]).walk("VEVENT")}
    summaries = {str(e["SUMMARY"]) for e in events.values()}
    # its task's sitting and every plenary session; not another office's meeting
    assert {"Phiên họp thứ 33", "Kỳ họp thứ bảy"} <= summaries
    assert "Phiên họp thứ 34" not in summaries
    assert events[f"task-{hung[1:]}-deadline@thuky"]["DTSTART"].dt.isoformat() == "2024-05-11"


def test_unknown_revoked_and_wrong_office_tokens_get_the_same_404(site):
    created = site.token("calendar", OFFICE)
    path, tid = created["path"], created["token"]["id"]
    assert site.get(path)[0] == 200
    listed = {t["id"]: t for t in site.json("web", "token", "list")}
    assert listed[tid]["last_used_ms"] > 0 and "secret_hash" not in listed[tid]
    answers = set()
    wrong_office = path.replace(f"/cal/{OFFICE}/", f"/cal/{OTHER}/")
    unknown = f"/cal/{OFFICE}/{'A' * 22}.ics"
    for bad in (wrong_office, unknown, f"/cal/{OFFICE}/short.ics"):
        status, _, body = site.get(bad)
        answers.add((status, body))
    rotated = site.json("web", "token", "rotate", tid)
    status, _, body = site.get(path)
    answers.add((status, body))
    assert answers == {answers.copy().pop()} and answers.pop()[0] == 404
    assert site.get(rotated["path"])[0] == 200
    site.ok("web", "token", "revoke", rotated["token"]["id"])
    assert site.get(rotated["path"])[0] == 404
    assert {t["id"] for t in site.json("web", "token", "list")} == set()
    assert len(site.json("web", "token", "list", "--all")) == 2


def test_the_public_calendar_lists_the_sittings(site):
    site.ok("session", "add", "--id", "XV-7", "--kind", "plenary", "--title", "Kỳ họp thứ bảy",
            "--start", "2024-05-20", "--end", "2024-06-28")
    status, headers, body = site.get("/cal/public.ics")
    assert status == 200
    summaries = [str(e["SUMMARY"]) for e in ics(body).walk("VEVENT")]
    assert "Kỳ họp thứ bảy" in summaries
    assert "x-robots-tag" not in headers


# ---- the JSON API ------------------------------------------------------------------

def test_api_tokens_read_within_their_scope_and_errors_are_problems(site):
    mine = add_task(site, "Của Vụ Thư ký", lead=OFFICE, due="2024-06-14")
    theirs = add_task(site, "Của Vụ Thông tin", lead=OTHER, due="2024-06-20")
    reader = site.token("api")["secret"]
    office = site.token("api", OFFICE)["secret"]
    status, _, page = site.api("GET", "/api/v1/tasks", reader)
    assert status == 200 and {t["id"] for t in page["tasks"]} == {int(mine[1:]), int(theirs[1:])}
    status, _, page = site.api("GET", f"/api/v1/tasks?office={OTHER}", office)
    assert status == 200 and [t["id"] for t in page["tasks"]] == [int(mine[1:])]
    status, headers, problem = site.api("GET", f"/api/v1/tasks/{theirs[1:]}", office)
    assert status == 403 and headers["content-type"] == "application/problem+json"
    assert problem["status"] == 403 and problem["title"]
    status, _, problem = site.api("GET", "/api/v1/tasks/99999", reader)
    assert status == 404 and problem["status"] == 404
    status, _, problem = site.api("GET", "/api/v1/tasks?due_before=2024-13-45", reader)
    assert status == 400 and "due_before" in problem["detail"]
    status, headers, _ = site.request("GET", "/api/v1/tasks")
    assert status == 401 and headers["www-authenticate"].startswith("Bearer")
    status, _, body = site.request("GET", f"/api/v1/tasks?token={reader}",
                                   headers={"Accept-Language": "en"})
    assert status == 400 and b"never in a query string" in body
    # the detail is for a person: in the language asked for, Vietnamese first
    status, _, body = site.request("GET", f"/api/v1/tasks?token={reader}")
    assert status == 400 and b"never in a query string" not in body
    assert "Authorization: Bearer" in json.loads(body)["detail"]
    status, _, _ = site.api("GET", "/api/v1/tasks", "x" * 22)
    assert status == 401


def test_api_pages_with_an_opaque_cursor_cover_every_task_once(site):
    ids = {int(add_task(site, f"Nhiệm vụ {i}", due=f"2024-06-{10 + i:02d}")[1:]) for i in range(7)}
    reader = site.token("api")["secret"]
    seen, cursor = [], None
    while True:
        path = "/api/v1/tasks?limit=3" + (f"&cursor={cursor}" if cursor else "")
        status, _, page = site.api("GET", path, reader)
        assert status == 200
        seen += [t["id"] for t in page["tasks"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert sorted(seen) == sorted(ids)
    status, _, _ = site.api("GET", "/api/v1/tasks?cursor=%%%", reader)
    assert status == 400


def test_api_writes_act_for_the_office_once_per_idempotency_key(site):
    task = add_task(site, "Báo cáo tổng hợp", lead=OFFICE, due="2024-06-14")
    office = site.token("api", OFFICE)["secret"]
    reader = site.token("api")["secret"]
    body = {"progress": 30, "flag": "quality", "note": "Chưa đạt yêu cầu"}
    key = {"Idempotency-Key": "report-2024-05-01-1"}
    for _ in range(2):
        status, _, t = site.api("POST", f"/api/v1/tasks/{task[1:]}/progress", office, body, key)
        assert status == 200 and t["progress"] == 30 and "FLAG_QUALITY" in t["flags"]
    notes = [h for h in site.json("task", "show", task)["history"] if h["note"]]
    assert len(notes) == 1 and notes[0]["caller"].startswith(f"web:{site_token_id(site, OFFICE)}")
    status, _, _ = site.api("POST", f"/api/v1/tasks/{task[1:]}/progress", reader, body)
    assert status == 403
    status, _, problem = site.api("POST", f"/api/v1/tasks/{task[1:]}/progress", office,
                                  {"progress": 101, "note": "x"})
    assert status == 400
    status, _, _ = site.request("POST", f"/api/v1/tasks/{task[1:]}/progress", b"{not json",
                                {"Authorization": f"Bearer {office}",
                                 "Content-Type": "application/json"})
    assert status == 400
    status, _, _ = site.request("POST", f"/api/v1/tasks/{task[1:]}/progress",
                                b'{"note":"' + b"x" * 70000 + b'"}',
                                {"Authorization": f"Bearer {office}",
                                 "Content-Type": "application/json"})
    assert status == 413
    assert site.json("task", "show", task)["progress"] == 30


def site_token_id(site, office):
    return next(t["id"] for t in site.json("web", "token", "list") if t.get("office") == office)


def test_openapi_describes_what_the_server_answers(site):
    task = add_task(site, "Nhiệm vụ mẫu", lead=OFFICE, due="2024-06-14")
    reader = site.token("api")["secret"]
    status, _, doc = site.api("GET", "/api/v1/openapi.json", reader)
    assert status == 200 and doc["openapi"].startswith("3.1")
    schemas = doc["components"]["schemas"]

    def check(schema, value):
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
        for key in schema.get("required", []):
            assert key in value, (key, value)
        for key, sub in schema.get("properties", {}).items():
            if key in value and sub.get("type") == "array":
                assert isinstance(value[key], list), key
                if "items" in sub:
                    for item in value[key]:
                        check(sub["items"], item)

    checked = 0
    for path, ops in doc["paths"].items():
        if "get" not in ops:
            continue
        url = "/api/v1" + path.replace("{id}", task[1:])
        status, headers, body = site.api("GET", url, reader)
        assert status == 200, url
        schema = ops["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        check(schema, body)
        checked += 1
    assert checked >= 7


# ---- the live feed ---------------------------------------------------------------------

class Stream:
    """An SSE connection read line by line."""

    def __init__(self, site, token, last_id=None, query=""):
        self.sock = socket.create_connection(("127.0.0.1", site.port), timeout=10)
        headers = f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n"
        if last_id:
            headers += f"Last-Event-ID: {last_id}\r\n"
        self.sock.sendall(f"GET /api/v1/events{query} HTTP/1.1\r\nHost: x\r\n{headers}\r\n"
                          .encode())
        self.buf = b""
        head = self._until(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        assert b"text/event-stream" in head and b"X-Accel-Buffering: no" in head

    def _until(self, sep):
        while sep not in self.buf:
            # the last chunk of a chunked body ends the stream too
            assert not self.buf.endswith(b"\r\n0\r\n\r\n"), "stream closed"
            chunk = self.sock.recv(65536)
            assert chunk, "stream closed"
            self.buf += chunk
        out, self.buf = self.buf.split(sep, 1)
        return out

    def events(self, count):
        """The next count events as (id, CloudEvent)."""
        out = []
        while len(out) < count:
            block = self._until(b"\n\n")
            # chunked transfer: drop chunk-size lines
            lines = [ln for ln in block.split(b"\n") if ln and not re.fullmatch(rb"\r?[0-9a-fA-F]+\r?", ln)]
            fields = dict(ln.split(b": ", 1) for ln in lines if b": " in ln and not ln.startswith(b":"))
            if b"data" in fields:
                out.append((fields[b"id"].decode().strip(), json.loads(fields[b"data"])))
        return out

    def close(self):
        self.sock.close()


def task_seqs(events):
    return [int(e["sequence"]) for _, e in events if e["thukysource"] == "taskd"]


def test_the_feed_resumes_exactly_across_restarts_of_webd_and_taskd(site):
    reader = site.token("api")["secret"]
    first = add_task(site, "Một", due="2024-06-10")
    s = Stream(site, reader, last_id="t=0,s=0,n=0", query="?type=task.")
    got = s.events(1)   # from the log: program.created is not a task. event
    assert got[0][1]["type"] == "vn.gov.quochoi.thuky.task.created"
    assert got[0][1]["subject"] == first and got[0][1]["specversion"] == "1.0"
    assert got[0][1]["data"]["task"]["title"] == "Một"
    add_task(site, "Hai", due="2024-06-11")
    got += s.events(1)  # live
    assert got[1][1]["data"]["task"]["title"] == "Hai"
    last_id = got[-1][0]
    s.close()
    # webd restarts; changes happen meanwhile; the resume misses nothing
    site.webd.stop()
    add_task(site, "Ba", due="2024-06-12")
    site.webd.start()
    add_task(site, "Bốn", due="2024-06-13")
    s = Stream(site, reader, last_id=last_id, query="?type=task.")
    more = s.events(2)
    s.close()
    seqs = task_seqs(got + more)
    assert seqs == sorted(set(seqs))   # no repeat
    # and taskd restarts too
    last_id = more[-1][0]
    site.taskd.restart()
    add_task(site, "Năm", due="2024-06-14")
    s = Stream(site, reader, last_id=last_id, query="?type=task.")
    rest = s.events(1)
    s.close()
    seqs = task_seqs(got + more + rest)
    titles = [e["data"]["task"]["title"] for _, e in got + more + rest
              if e["type"].endswith("task.created")]
    assert seqs == sorted(set(seqs))
    assert titles == ["Một", "Hai", "Ba", "Bốn", "Năm"]


def test_an_office_stream_sees_only_its_own_and_pollers_page_the_same(site):
    add_task(site, "Của vụ khác", lead=OTHER, due="2024-06-10")
    mine = add_task(site, "Của Vụ Thư ký", lead=OFFICE, due="2024-06-11")
    office = site.token("api", OFFICE)["secret"]
    status, _, page = site.api("GET", "/api/v1/events?after=t=0,s=0,n=0&type=task.", office)
    assert status == 200
    assert [e["subject"] for e in page["events"]] == [mine]
    status, _, again = site.api("GET", f"/api/v1/events?after={page['next']}&type=task.", office)
    assert status == 200 and again["events"] == []
    status, _, problem = site.api("GET", "/api/v1/events?after=garbage", office)
    assert status == 400


# ---- limits and failures -----------------------------------------------------------------

def test_a_daemon_down_gives_503_and_webd_recovers(site):
    reader = site.token("api")["secret"]
    site.taskd.stop()
    status, headers, problem = site.api("GET", "/api/v1/tasks", reader)
    assert status == 503 and int(headers["retry-after"]) > 0 and problem["status"] == 503
    assert site.get("/healthz")[0] == 503
    site.taskd.start()
    wait_for(lambda: site.api("GET", "/api/v1/tasks", reader)[0] == 200, "recovery",
             timeout=15)


def test_oversized_and_overlong_requests_are_refused(site):
    status, _, _ = site.get("/a/" + "x" * 3000)
    assert status == 414
    status, _, _ = site.post_form("/a/x/y", {"note": "x" * 20000})
    assert status == 413
    status, _, _ = site.request("DELETE", "/cal/public.ics")
    assert status == 405
    assert site.get("/healthz")[0] == 200


def test_too_many_requests_from_one_address_get_429(tmpdir_short):
    s = Site(tmpdir_short, "requests_per_minute = 20\n")
    s.start()
    try:
        statuses = [s.get("/cal/public.ics")[0] for _ in range(30)]
        assert statuses.count(429) >= 5 and statuses[0] == 200
        status, headers, _ = s.get("/cal/public.ics")
        assert status == 429 and int(headers["retry-after"]) >= 1
    finally:
        s.stop()
        s.close()


def test_the_board_needs_a_login_link_whose_cookie_ends_with_its_token(site):
    add_task(site, "Nhiệm vụ chậm", lead=OFFICE, due="2024-04-10")
    assert site.get("/")[0] == 401
    login = site.token("login", label="Tổng Thư ký")
    status, headers, _ = site.get(login["path"])
    assert status == 303 and headers["location"] == "/"
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    value = cookie.split(";", 1)[0]
    status, _, page = site.get("/", {"Cookie": value})
    assert status == 200
    text = page.decode()
    assert "Chậm tiến độ" in text and "Nhiệm vụ chậm" in text and "<svg" in text
    assert 'id="today"' in text
    site.ok("web", "token", "revoke", login["token"]["id"])
    assert site.get("/", {"Cookie": value})[0] == 401
    forged = value[:-3] + "AAA"
    assert site.get("/", {"Cookie": forged})[0] == 401


def test_a_stream_ticket_opens_the_feed_once(site):
    office = site.token("api", OFFICE)["secret"]
    add_task(site, "Của Vụ Thư ký", lead=OFFICE, due="2024-06-11")
    status, _, t = site.api("POST", "/api/v1/events/ticket", office)
    assert status == 200 and t["expires_in"] == 60 and t["url"].startswith("/api/v1/events?")
    page = t["url"] + "&after=t=0,s=0,n=0&type=task."
    status, _, body = site.request("GET", page)   # no Authorization: the ticket is it
    assert status == 200 and len(json.loads(body)["events"]) == 1
    assert site.request("GET", page)[0] == 401     # used
    forged = t["url"][:-3] + ("AAA" if not t["url"].endswith("AAA") else "BBB")
    assert site.request("GET", forged)[0] == 401
    status, _, t = site.api("POST", "/api/v1/events/ticket", office)
    site.ok("clock", "advance", "2m")
    assert site.request("GET", t["url"])[0] == 401  # expired


def test_an_allowed_address_sees_the_board_without_a_login(tmpdir_short):
    s = Site(tmpdir_short, "board_allow = 10.0.0.0/8, 127.0.0.1\n")
    s.start()
    try:
        s.setup_program()
        add_task(s, "Nhiệm vụ chậm", lead=OFFICE, due="2024-04-10")
        status, _, page = s.get("/")
        assert status == 200 and "Theo đơn vị chủ trì".encode() in page
        assert b"<td>vu-thu-ky</td><td>1</td>" in page
        assert s.request("GET", "/api/v1/tasks")[0] == 200
    finally:
        s.stop()
        s.close()


def test_https_when_a_certificate_is_configured(tmpdir_short):
    import ssl
    cert, key = tmpdir_short / "cert.pem", tmpdir_short / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    s = Site(tmpdir_short, f"tls_cert_file = {cert}\ntls_key_file = {key}\n")
    try:
        s.sessiond.start(), s.taskd.start(), s.notifyd.start(), s.webd.start()
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.check_hostname = False

        def get():
            conn = http.client.HTTPSConnection("127.0.0.1", s.port, context=ctx, timeout=10)
            try:
                conn.request("GET", "/healthz")
                return conn.getresponse().status
            finally:
                conn.close()
        assert wait_for(get, "https") == 200
        with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
            s.get("/healthz")   # plain HTTP is not spoken on that port
    finally:
        s.stop()
        s.close()


@pytest.mark.parametrize("web,why", [
    ("listen = 127.0.0.1:99999\n", "bad value '127.0.0.1:99999' for web.listen"),
    ("listen = example.org:80\n", "bad value 'example.org:80' for web.listen"),
    ("board_allow = 10.0.0.0/33\n", "for web.board_allow"),
    ("tls_cert_file = /nonexistent.pem\n", "tls_cert_file and tls_key_file go together"),
])
def test_a_bad_web_configuration_stops_webd_with_one_line(tmpdir_short, web, why):
    config = tmpdir_short / "bad.conf"
    config.write_text(base_config(tmpdir_short) + f"[web]\nlisten = 127.0.0.1:1\n{web}")
    rc, err = run_daemon_once(config, binary=WEBD)
    assert rc == 1 and why in err, err


def test_the_access_log_never_shows_a_secret(site):
    _, link = fire_one_alert(site)
    cal = site.token("calendar", OFFICE)
    login = site.token("login")
    api = site.token("api")["secret"]
    for path in (link, cal["path"], login["path"], "/cal/public.ics"):
        site.get(path)
    site.api("GET", "/api/v1/tasks", api)
    wait_for(lambda: "GET /api/v1/tasks" in site.webd.stderr_text(), "the access log")
    log = site.webd.stderr_text()
    assert f"GET /cal/{OFFICE}/…" in log and "GET /login/…" in log and "GET /cal/public.ics" in log
    for secret in (cal["secret"], login["secret"], api, link.rsplit(".", 1)[1]):
        assert secret not in log


# ---- what an outside review found (each failed before its fix) -----------------

@pytest.mark.parametrize("cursor", ["A" * 1016, "====", "AAAA====", "A", "%00", "AA=A"])
def test_a_forged_cursor_is_refused_and_webd_lives(site, cursor):
    reader = site.token("api")["secret"]
    status, _, problem = site.api("GET", "/api/v1/tasks?cursor=" + cursor.replace("=", "%3D"),
                                  reader)
    assert status == 400 and "cursor" in problem["detail"]
    assert site.get("/healthz")[0] == 200


def test_an_office_session_sees_only_its_own_tasks_history(site):
    theirs = add_task(site, "Việc mật của vụ khác", lead=OTHER, due="2024-06-20")
    site.ok("task", "update", theirs, "--note", "Ghi chú nội bộ")
    login = site.token("login", OFFICE)
    _, headers, _ = site.get(login["path"])
    cookie = headers["set-cookie"].split(";", 1)[0]
    status, _, page = site.get(f"/?task={theirs[1:]}", {"Cookie": cookie})
    assert status == 200 and "Ghi chú nội bộ".encode() not in page
    assert "Việc mật của vụ khác".encode() not in page


def test_an_old_position_with_a_filter_that_matches_nothing_moves_on_in_steps(site):
    for i in range(3):
        add_task(site, f"Nhiệm vụ {i}", due="2024-06-10")
    reader = site.token("api")["secret"]
    after = "t=0,s=0,n=0"
    for _ in range(20):
        status, _, page = site.api("GET", f"/api/v1/events?after={after}&type=nothing.", reader)
        assert status == 200 and page["events"] == []
        if page["next"] == after:
            break
        after = page["next"]
    assert after.startswith(f"t={site.last_seq(site.taskd)},")


def test_revoking_a_token_ends_its_open_stream(site):
    created = site.token("api")
    s = Stream(site, created["secret"], query="?type=task.")
    add_task(site, "Một", due="2024-06-10")
    s.events(1)
    site.ok("web", "token", "revoke", created["token"]["id"])
    add_task(site, "Hai", due="2024-06-11")   # wakes the stream, which ends
    with pytest.raises(AssertionError, match="stream closed"):
        s.events(1)
    s.close()


@pytest.mark.parametrize("note", ["ok%00rest", "%FF%FE", "x" * 9000])
def test_a_note_that_is_not_text_or_too_long_is_refused_whole(site, note):
    task, link = fire_one_alert(site)
    _, _, page = site.get(link)
    body = (f"action=progress&nonce={nonce_of(page)}&task={task[1:]}&progress=50&flag=none"
            f"&note={note}").encode()
    status, _, answer = site.request("POST", link, body, {
        "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"})
    assert status == 400 and "tối đa 2000 ký tự".encode() in answer
    detail = site.json("task", "show", task)
    assert detail["progress"] == 0 and not [h for h in detail["history"] if h["note"]]


def test_a_path_cannot_forge_a_line_of_the_access_log(site):
    site.get("/x%0A%3C6%3Ethuky-webd:%20info:%20forged")
    # the line is written once the answer has gone out
    lines = wait_for(lambda: [ln for ln in site.webd.stderr_text().splitlines()
                              if "/x\\x0a<6>" in ln], "the access log line")
    assert lines and not any(line.startswith("<6>thuky-webd: info: forged")
                             for line in site.webd.stderr_text().splitlines())
