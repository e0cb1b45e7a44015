"""Bad input gets a clear error, loses nothing, and the daemon keeps serving."""
import json
import random

import pytest

from conftest import (add_task, envelope_pb2, one_line, run_daemon_once, task_add_body,
                      task_pb2)

OK = envelope_pb2.OK
INVALID = envelope_pb2.INVALID_ARGUMENT
NOT_FOUND = envelope_pb2.NOT_FOUND


def code_name(code):
    return envelope_pb2.StatusCode.Name(code)


def assert_status(reply, code, *words):
    assert reply.status.code == code, \
        f"{code_name(reply.status.code)}: {reply.status.message}"
    for w in words:
        assert w in reply.status.message, reply.status.message
    assert reply.status.message  # always a human reason
    assert reply.protocol == envelope_pb2.PROTOCOL_CURRENT


def event_count(d):
    return d.json("status")[0]["last_event_seq"]


# ---- through the command line --------------------------------------------------


def test_unknown_task_id(program):
    add_task(program, "có thật")
    for args in (["task", "show", "T99"], ["task", "update", "T99", "--progress", "10"],
                 ["task", "done", "99"]):
        rc, out, err = program.cli(*args)
        assert rc == 3, (args, rc, out, err)
        assert "T99" in one_line(err) and "does not exist" in err
    rc, _, err = program.cli("task", "show", "T0")
    assert rc == 2 and one_line(err)
    rc, _, err = program.cli("task", "show", "abc")
    assert rc == 2 and one_line(err)
    program.assert_serving()


@pytest.mark.parametrize("bad", ["31/02/2024", "2024-13-01", "2024-02-30", "32/01/2024",
                                 "2024/05/20", "hôm nay"])
def test_invalid_dates(program, bad):
    before = event_count(program)
    rc, out, err = program.cli("task", "add", "--program", "2024", "--title", "x", "--lead",
                               "vu-thu-ky", "--due", bad)
    assert rc == 2, (rc, out, err)
    assert bad in one_line(err)
    rc, _, err = program.cli("task", "list", "--due-before", bad)
    assert rc == 2 and bad in one_line(err)
    rc, _, err = program.cli("report", "briefing", "--date", bad)
    assert rc == 2 and bad in one_line(err)
    assert event_count(program) == before  # nothing was written
    program.assert_serving()


def test_invalid_date_sent_raw_is_refused_by_the_daemon(program):
    for date in ("2024-02-31", "2024-13-01", "20240520", "31/02/2024"):
        reply, _ = program.call("task.add", task_add_body("x", due=date))
        assert_status(reply, INVALID, "deadline")
    t = task_pb2.Task(program_year=2024, title="x", lead_office="vu-thu-ky")
    t.deadline.resolved_date = "2024-05-20"  # neither rule set
    reply, _ = program.call("task.add", task_pb2.TaskAddRequest(task=t))
    assert_status(reply, INVALID, "deadline")
    reply, _ = program.call("task.list", task_pb2.TaskListRequest(due_before="2024-02-31"))
    assert_status(reply, INVALID, "due_before")
    assert program.json("task", "list", "--all") == []
    program.assert_serving()


def _rel_body(sitting_id="XV-7", anchor=1, unit=1, offset=-20):
    t = task_pb2.Task(program_year=2024, title="tương đối", lead_office="vu-thu-ky")
    rel = t.deadline.relative
    rel.sitting_id, rel.anchor, rel.unit, rel.offset = sitting_id, anchor, unit, offset
    return task_pb2.TaskAddRequest(task=t, allow_unscheduled=True)


def test_relative_deadline_checked_by_the_daemon(program):
    for body in (_rel_body(offset=3651), _rel_body(offset=-3651), _rel_body(anchor=0),
                 _rel_body(unit=7), _rel_body(sitting_id="XV 7")):
        reply, _ = program.call("task.add", body)
        assert_status(reply, INVALID, "deadline")
    reply, task = program.call("task.add", _rel_body(offset=-3650), task_pb2.Task)
    assert reply.status.code == OK and task.deadline.relative.offset == -3650
    program.assert_serving()


def test_relative_offset_int_min_is_refused(program):
    # abs(INT32_MIN) overflows: the check must not rely on it
    for offset in (-2**31, 2**31 - 1):
        reply, _ = program.call("task.add", _rel_body(offset=offset))
        assert_status(reply, INVALID, "deadline")
    program.assert_serving()


def test_deadline_update_is_applied_or_refused_never_dropped(program):
    tid = int(add_task(program, "hạn mới", due="2024-05-20")[1:])
    req = task_pb2.TaskUpdateRequest(id=tid)
    req.deadline.absolute.date = "2024-07-01"
    req.deadline.resolved_date = "x" * 600
    reply, task = program.call("task.update", req, task_pb2.Task)
    if reply.status.code == OK:
        assert task.deadline.resolved_date == "2024-07-01", "OK, but the deadline was dropped"
        assert program.json("task", "show", f"T{tid}")["deadline"]["date"] == "2024-07-01"
    else:
        assert_status(reply, INVALID, "deadline")
    program.assert_serving()


@pytest.mark.parametrize("value", ["101", "-1", "1000", "abc", "50%"])
def test_progress_out_of_range(program, value):
    tid = add_task(program, "tiến độ")
    rc, out, err = program.cli("task", "update", tid, "--progress", value)
    assert rc == 2, (rc, out, err)
    assert value in one_line(err) and "0-100" in err
    assert program.json("task", "show", tid)["progress"] == 0
    program.assert_serving()


def test_progress_over_100_refused_by_the_daemon(program):
    tid = int(add_task(program, "tiến độ")[1:])
    req = task_pb2.TaskUpdateRequest(id=tid, progress=101)
    reply, _ = program.call("task.update", req)
    assert_status(reply, INVALID, "101", "0-100")
    assert program.json("task", "show", f"T{tid}")["version"] == 1


def test_empty_title(program):
    before = event_count(program)
    rc, out, err = program.cli("task", "add", "--program", "2024", "--title", "", "--lead",
                               "vu-thu-ky")
    assert rc == 2, (rc, out, err)
    assert "--title" in one_line(err)
    # and the daemon itself refuses it from any client
    reply, _ = program.call("task.add", task_add_body(""))
    assert_status(reply, INVALID, "title", "empty")
    tid = add_task(program, "có tên")
    rc, _, err = program.cli("task", "update", tid, "--title", "")
    assert rc == 2 and "title" in one_line(err)
    assert program.json("task", "show", tid)["title"] == "có tên"
    assert event_count(program) == before + 1
    program.assert_serving()


def test_invalid_utf8_title_over_the_raw_socket(program):
    placeholder = "TITLE-PLACEHOLDER"
    body = task_add_body(placeholder).SerializeToString()
    bad = b"Vi\xe1\xbb\x87c \xc3\x28 \xff\xfe"  # valid "Việc ", then invalid bytes
    bad = bad.ljust(len(placeholder), b"x")
    assert len(bad) == len(placeholder)
    body = body.replace(placeholder.encode(), bad)
    before = event_count(program)
    reply, _ = program.call("task.add", body)
    assert_status(reply, INVALID, "title", "UTF-8")
    assert event_count(program) == before
    assert program.json("task", "list", "--all") == []
    program.assert_serving()


def replace_placeholder(message, placeholder, raw):
    """Serializes message with the text `placeholder` swapped for raw bytes
    of the same length: what a client that does not check could send."""
    data = message.SerializeToString()
    assert len(raw) == len(placeholder) and data.count(placeholder.encode()) == 1
    return data.replace(placeholder.encode(), raw)


@pytest.mark.parametrize("where, placeholder, raw, field", [
    ("title", "TITLE-XXX", b"Vi\xe1\xbb\x87c\x00ab", "task.title"),
    ("description", "DESC-XXX", b"mo\x00 ta\x00x", "task.description"),
    ("with_offices", "OFFICE-X", b"ban-\x00dan", "task.with_offices[1]"),
])
def test_nul_byte_in_a_string_is_refused_naming_the_field(program, where, placeholder, raw,
                                                          field):
    task = task_pb2.Task(program_year=2024, title="Việc", lead_office="vu-thu-ky")
    if where == "title":
        task.title = placeholder
    elif where == "description":
        task.description = placeholder
    else:
        task.with_offices.extend(["ban-dan-nguyen", placeholder])
    body = replace_placeholder(task_pb2.TaskAddRequest(task=task), placeholder, raw)
    before = event_count(program)
    reply, _ = program.call("task.add", body)
    assert_status(reply, INVALID, f"'{field}'", "NUL")
    assert event_count(program) == before
    assert program.json("task", "list", "--all") == []
    program.assert_serving()


def test_a_tag_the_decoder_accepts_cannot_hide_a_nul_byte(program):
    """libprotobuf-c decodes field 0 written as the two bytes 80 00 and keeps
    it as an unknown field; the text check must not stop reading there."""
    task = task_pb2.Task(program_year=2024, title="TITLE-XXX", lead_office="vu-thu-ky")
    body = replace_placeholder(task_pb2.TaskAddRequest(task=task), "TITLE-XXX", b"ti\x00tle-xx")
    before = event_count(program)
    reply, _ = program.call("task.add", b"\x80\x00\x00" + body)
    assert_status(reply, INVALID, "'task.title' of task.add", "NUL")
    assert event_count(program) == before
    assert program.json("task", "list", "--all") == []
    program.assert_serving()


def test_nul_byte_in_a_note_or_oneof_string_of_an_update_is_refused(program):
    tid = add_task(program, "có tên")
    number = int(tid.lstrip("T"))
    for name in ("note", "title"):
        update = task_pb2.TaskUpdateRequest(id=number)
        setattr(update, name, "PLACEHOLDER")
        body = replace_placeholder(update, "PLACEHOLDER", b"ghi\x00chu-abc")
        reply, _ = program.call("task.update", body)
        assert_status(reply, INVALID, f"'{name}'", "NUL")
    shown = program.json("task", "show", tid)
    assert shown["title"] == "có tên" and shown["version"] == 1
    program.assert_serving()


def test_client_id_over_255_bytes_is_refused_and_255_still_deduplicates(program):
    body = task_add_body("một lần", due="2024-06-30")
    for _ in range(2):
        reply, _ = program.call("task.add", body, client_id="c" * 256, request_no=1)
        assert_status(reply, INVALID, "client_id", "256", "255")
    assert program.json("task", "list", "--all") == []
    ids = set()
    for _ in range(2):  # a retry of the same request is applied once
        reply, task = program.call("task.add", body, task_pb2.Task, client_id="é" * 127 + "c",
                                   request_no=1)
        assert reply.status.code == OK, reply.status.message
        ids.add(task.id)
    assert len(ids) == 1
    assert len(program.json("task", "list", "--all")) == 1


def test_request_id_over_255_bytes_is_refused(daemon):
    reply = daemon.raw(daemon.request("status", request_id="r" * 256))
    assert_status(reply, INVALID, "request_id", "256")
    assert reply.request_id == "r" * 256


def test_invalid_utf8_in_the_envelope_gets_a_reply_strict_decoders_read(daemon):
    request = envelope_pb2.Request(protocol=envelope_pb2.PROTOCOL_CURRENT,
                                   request_id="RID-PLACEHOLDER", command="CMD-PLACEHOLDER")
    raw = request.SerializeToString()
    for field, old, bad in (("command", b"CMD-PLACEHOLDER", b"stat\xffus\xc3\x28xxxxxx"),
                            ("request_id", b"RID-PLACEHOLDER", b"rid-\xe1\xbbxxxxxxxxx"),
                            ("command", b"CMD-PLACEHOLDER", b"sta\x00tusxxxxxxxx")):
        assert len(bad) == len(old)
        data = raw.replace(old, bad)
        if field == "command":
            data = data.replace(b"RID-PLACEHOLDER", b"rid-" + field.encode() + b"-xxx")
        reply = daemon.raw_send(data)
        assert reply is not None
        decoded = envelope_pb2.Reply.FromString(reply)  # strict: refuses bad UTF-8
        assert_status(decoded, INVALID, f"'{field}'")
        if field == "command":
            assert decoded.request_id == "rid-command-xxx"
        else:
            assert decoded.request_id.startswith("rid-")
    daemon.assert_serving()


def test_reply_quoting_a_long_unknown_command_stays_valid_utf8(daemon):
    name = "ệ" * 40  # the message quotes at most 64 bytes: mid-character
    reply = daemon.raw(daemon.request(name))
    assert_status(reply, NOT_FOUND, "unknown command")
    reply.status.message.encode("utf-8")


def test_title_too_long(program):
    rc, _, err = program.cli("task", "add", "--program", "2024", "--title", "ệ" * 167,
                             "--lead", "vu-thu-ky")  # 501 bytes
    assert rc == 2 and "at most 500" in one_line(err)
    add_task(program, "ệ" * 166 + "xx")  # exactly 500 bytes
    program.assert_serving()


def test_bad_import_files_change_nothing(daemon):
    bad_json = daemon.tmp / "broken.json"
    bad_json.write_text('{"program": {"year": 2024,\n  "title": }\n', encoding="utf-8")
    rc, _, err = daemon.cli("import", bad_json)
    assert rc == 1 and f"{bad_json}:2" in one_line(err)

    bad_date = daemon.tmp / "bad-date.json"
    bad_date.write_text(json.dumps({
        "program": {"year": 2024, "decision": "x", "title": "y",
                    "groups": [{"number": 1, "title": "g"}]},
        "tasks": [{"ref": "ok-1", "group": 1, "title": "tốt", "lead": "vu-thu-ky",
                   "due": "2024-05-20"},
                  {"ref": "bad-2", "group": 1, "title": "xấu", "lead": "vu-thu-ky",
                   "due": "31/02/2024"}]}), encoding="utf-8")
    rc, _, err = daemon.cli("import", bad_date)
    assert rc == 2 and "bad-2" in one_line(err) and "31/02/2024" in err

    bad_group = daemon.tmp / "bad-group.json"
    bad_group.write_text(bad_date.read_text().replace('"31/02/2024"', '"2024-06-01"')
                         .replace('"group": 1, "title": "x', '"group": 7, "title": "x'),
                         encoding="utf-8")
    rc, _, err = daemon.cli("import", bad_group)
    assert rc == 3 and "bad-2" in one_line(err) and "group 7" in err
    # each import is all or nothing
    assert daemon.json("task", "list", "--all") == []
    assert daemon.json("status")[0]["last_event_seq"] == 0
    daemon.assert_serving()


@pytest.mark.parametrize("year", ["1899", "2200", "1"])
def test_program_year_out_of_range(daemon, year):
    rc, out, err = daemon.cli("program", "add", year, "--decision", "x", "--title", "y")
    assert rc == 2, (rc, out, err)
    assert "1900-2199" in one_line(err)
    rc, out, err = daemon.cli("task", "add", "--program", year, "--title", "x", "--lead",
                              "vu-thu-ky")
    assert rc == 2 and "1900-2199" in one_line(err)
    assert daemon.json("program", "list") == []
    daemon.assert_serving()


def test_edges_of_the_year_range_are_accepted(daemon):
    daemon.ok("program", "add", "1900", "--decision", "x", "--title", "đầu")
    daemon.ok("program", "add", "2199", "--decision", "x", "--title", "cuối")
    assert [p["year"] for p in daemon.json("program", "list")] == [1900, 2199]


def test_unknown_program(program):
    rc, out, err = program.cli("task", "add", "--program", "2030", "--title", "x", "--lead",
                               "vu-thu-ky")
    assert rc == 3, (rc, out, err)
    assert "2030" in one_line(err)
    rc, _, err = program.cli("task", "add", "--program", "2024", "--group", "9", "--title", "x",
                             "--lead", "vu-thu-ky")
    assert rc == 3 and "group 9" in one_line(err)
    assert program.json("task", "list", "--all") == []
    program.assert_serving()


def test_bad_office_id(program):
    rc, _, err = program.cli("task", "add", "--program", "2024", "--title", "x", "--lead",
                             "Vụ Thư ký")
    assert rc == 2 and "lead office" in one_line(err)
    program.assert_serving()


# ---- configuration and store ------------------------------------------------------


@pytest.mark.parametrize("content,line,words", [
    ("[core]\nruntime_dir = {tmp}/run2\nbogus_key = 1\n", 3, ["bogus_key"]),
    ("[client]\ntimeout_ms = 2000\nretries = many\n", 3, ["many", "retries"]),
    ("# comment\n[taskd]\nmax_message = 12Q\n", 3, ["12Q"]),
    ("[nowhere]\nkey = 1\n", 2, ["nowhere"]),
])
def test_bad_config_file(daemon, content, line, words):
    bad = daemon.tmp / "bad.conf"
    bad.write_text(content.format(tmp=daemon.tmp), encoding="utf-8")
    rc, out, err = daemon.cli("status", config=bad)
    assert rc != 0 and out == ""
    msg = one_line(err)
    assert f"{bad}:{line}:" in msg and all(w in msg for w in words), msg
    rc, err = run_daemon_once(bad)
    assert rc != 0
    msg = one_line(err)
    assert f"{bad}:{line}:" in msg and all(w in msg for w in words), msg
    daemon.assert_serving()


def test_missing_config_file(daemon):
    missing = daemon.tmp / "none.conf"
    rc, _, err = daemon.cli("status", config=missing)
    assert rc != 0 and str(missing) in one_line(err)
    rc, err = run_daemon_once(missing)
    assert rc != 0 and str(missing) in one_line(err)


def test_store_directory_cannot_be_created(daemon):
    blocker = daemon.tmp / "not-a-dir"
    blocker.write_text("a regular file where the state directory should be\n")
    conf = daemon.tmp / "nostore.conf"
    conf.write_text(f"[core]\nlanguage = en\nruntime_dir = {daemon.tmp}/run-nostore\n"
                    f"state_dir = {blocker}\n")
    rc, err = run_daemon_once(conf)
    assert rc != 0
    msg = one_line(err)
    assert str(blocker) in msg and "state directory" in msg, msg
    daemon.assert_serving()


def test_second_daemon_on_the_same_store_refuses(program):
    add_task(program, "đã có")
    rc, err = run_daemon_once(program.config)
    assert rc != 0
    assert "in use" in one_line(err)
    program.assert_serving()
    assert len(program.json("task", "list")) == 1


# ---- the raw command socket ------------------------------------------------------


def test_garbage_bytes(daemon):
    rng = random.Random(20240520)
    samples = [b"\xff", b"\x00", b"hello thuky", b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
               b"\x08\x01\x12\x7fshort", bytes(range(256))]
    samples += [bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 2000)))
                for _ in range(20)]
    for data in samples:
        reply = daemon.raw(data)
        assert reply.status.code == INVALID, (data[:20], reply)
        assert reply.status.message
    # an empty message and several frames are answered too
    reply = daemon.raw(b"")
    assert_status(reply, INVALID, "empty")
    daemon.assert_serving()


def test_oversized_message(daemon_factory):
    d = daemon_factory("[taskd]\nmax_message = 64K\n")
    d.ok("program", "add", "2024", "--decision", "x", "--title", "y")
    reply = d.raw(b"\x00" * 100_000)
    assert_status(reply, INVALID, "100000", "65536")
    # a well-formed request over the limit is refused before it is decoded
    big = d.request("task.add", task_add_body("t", due="2024-05-20").SerializeToString()
                    + b"\x12" + b"\x80\x80\x04" + b"d" * 65536)
    assert len(big) > 65536
    reply = d.raw(big)
    assert_status(reply, INVALID, "exceeds the limit", "65536")
    # just under the limit is fine
    body = task_pb2.TaskAddRequest(task=task_pb2.Task(
        program_year=2024, title="dài", lead_office="vu-thu-ky", description="x" * 9000))
    reply, task = d.call("task.add", body, task_pb2.Task)
    assert reply.status.code == OK and len(task.description) == 9000
    d.assert_serving()


@pytest.mark.parametrize("mib", [5, 16, 24])
def test_oversized_request_up_to_16_mib_and_more_gets_its_reply(daemon, mib):
    big = daemon.request("task.add", b"x" * (mib << 20), request_id=f"gross-{mib}")
    reply = daemon.raw_send(big, timeout=15)
    assert reply is not None, f"no reply to a {mib} MiB request"
    decoded = envelope_pb2.Reply.FromString(reply)
    assert_status(decoded, INVALID, "exceeds the limit", str(4 << 20))
    assert decoded.request_id == f"gross-{mib}"
    daemon.assert_serving()
    assert daemon.json("task", "list", "--all") == []


def test_far_oversized_message_is_cut_off_before_buffering(daemon_factory):
    d = daemon_factory("[taskd]\nmax_message = 64K\n")
    try:
        # far past the hard cap (32 MiB here) the peer is disconnected
        assert d.raw_send(b"\x00" * (33 << 20), timeout=2) is None
    finally:
        d.assert_serving()


def test_wrong_protocol_version(daemon):
    for version in (0, 2, 99):
        raw = daemon.request("status", protocol=version, request_id=f"rid-{version}")
        reply = daemon.raw(raw)
        assert_status(reply, INVALID, "version", str(version), "1")
        assert reply.request_id == f"rid-{version}"
    daemon.assert_serving()


def test_unknown_command(daemon):
    reply = daemon.raw(daemon.request("task.delete_everything", request_id="r1"))
    assert_status(reply, NOT_FOUND, "task.delete_everything")
    assert reply.request_id == "r1"
    reply = daemon.raw(daemon.request("", request_id="r2"))
    assert reply.status.code == NOT_FOUND
    daemon.assert_serving()


def test_valid_envelope_with_garbage_body(program):
    for command in ("task.add", "task.update", "task.list", "program.add", "events.read"):
        reply = program.raw(program.request(command, b"\xff\xff\xff\xff", request_id="rb"))
        assert_status(reply, INVALID, command)
        assert reply.request_id == "rb"
    assert event_count(program) == 1  # just the program
    program.assert_serving()


def test_update_with_bad_enum_values(program):
    tid = int(add_task(program, "x")[1:])
    for req, word in ((task_pb2.TaskUpdateRequest(id=tid, status=9), "status"),
                      (task_pb2.TaskUpdateRequest(id=tid, set_flags=[7]), "flag"),
                      (task_pb2.TaskUpdateRequest(id=tid, clear_flags=[0]), "flag")):
        reply, _ = program.call("task.update", req)
        assert_status(reply, INVALID, word)
    assert program.json("task", "show", f"T{tid}")["version"] == 1
    program.assert_serving()


def test_unknown_fields_libprotobuf_c_cannot_reencode_are_dropped(program):
    """An unknown field numbered 0 (tag bytes 81 00) is accepted by
    libprotobuf-c but written back as a tag it refuses to read: a stored copy
    would be unreadable, and a deadline re-encoded from it crashed taskd.
    Unknown fields are dropped before any handler sees a request."""
    d = program
    tid = int(add_task(d, "trường lạ")[1:])
    field0 = b"\x81\x00" + b"\x00" * 8
    deadline = task_pb2.Deadline()
    deadline.absolute.date = "2024-06-30"
    dl = deadline.SerializeToString() + field0
    body = task_pb2.TaskUpdateRequest(id=tid).SerializeToString() + b"\x3a" + bytes([len(dl)]) + dl
    reply = d.raw(d.request("task.update", body))
    assert reply.status.code == envelope_pb2.OK, reply.status.message
    t = task_pb2.Task(program_year=2024, title="cũng lạ", lead_office="vu-thu-ky")
    task_bytes = t.SerializeToString() + field0
    add = b"\x0a" + bytes([len(task_bytes)]) + task_bytes    # TaskAddRequest.task
    reply = d.raw(d.request("task.add", add))
    assert reply.status.code == envelope_pb2.OK, reply.status.message
    d.assert_serving()
    shown = d.json("task", "show", f"T{tid}")
    assert shown["deadline"]["date"] == "2024-06-30"
    listed = d.json("task", "list", "--all")       # every stored record reads back
    assert any(x["id"] == f"T{tid}" for x in listed)
