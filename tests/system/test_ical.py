"""The iCalendar feed (thuky session ical), read back with an independent
parser: Debian's python3-icalendar, and dateutil for the recurrence set."""
from datetime import date, datetime, timedelta, timezone

from dateutil.rrule import rrulestr
from icalendar import Calendar

ICT = timezone(timedelta(hours=7))
LONG_ITEM = ("Thảo luận ở hội trường về dự án Luật Tổ chức Tòa án nhân dân (sửa đổi); "
             "dự án Luật Bảo hiểm xã hội (sửa đổi), đường dẫn C:\\tai-lieu")


def feed(s, *args):
    rc, out, err = s.cli("session", "ical", *args)
    assert rc == 0, err
    return out


def parse(text):
    raw = text.encode("utf-8")
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"", "the feed ends with CRLF"
    for line in lines[:-1]:
        assert b"\n" not in line and b"\r" not in line, "lines end in CRLF only"
        assert len(line) <= 75, f"{len(line)} octets: {line!r}"
        line.decode("utf-8")  # a fold never splits a character
    events = {}
    cal = Calendar.from_ical(raw)
    for ev in cal.walk("VEVENT"):
        rid = ev.decoded("RECURRENCE-ID") if "RECURRENCE-ID" in ev else None
        events[(str(ev["UID"]), rid)] = ev
    return cal, events


def test_feed_round_trips_through_an_independent_parser(services):
    s = services
    s.ok("session", "add", "--kind", "plenary", "--term", "XV", "--number", "7", "--title",
         "Kỳ họp thứ bảy, Quốc hội khóa XV", "--start", "2024-05-20", "--end", "2024-06-28",
         "--venue", "Nhà Quốc hội, Hà Nội", "--confirmed")
    s.ok("session", "agenda", "XV-7", "add", "Khai mạc kỳ họp")
    s.ok("session", "agenda", "XV-7", "add", LONG_ITEM)
    s.ok("session", "add", "--kind", "standing", "--term", "XV", "--number", "33", "--title",
         "Phiên họp thứ 33 của Ủy ban Thường vụ Quốc hội", "--start", "2024-05-13T08:30",
         "--end", "2024-05-14T17:00")
    s.ok("session", "add", "--kind", "conference", "--id", "HN-1", "--title", "Hội nghị",
         "--start", "2024-07-10")
    s.ok("session", "cancel", "HN-1", "--reason", "Trùng lịch")
    s.ok("session", "add", "--kind", "briefing", "--id", "GB-1", "--title",
         "Giao ban định kỳ Ban Thư ký", "--start", "2024-01-01T08:00", "--end",
         "2024-01-01T10:00", "--repeat", "monthly first MON until 2024-06-30")
    s.ok("session", "cancel", "GB-1@2024-03-04")
    s.ok("session", "move", "GB-1@2024-04-01", "--start", "2024-04-02T14:00", "--end",
         "2024-04-02T16:00")

    text = feed(s)
    cal, events = parse(text)
    assert str(cal["VERSION"]) == "2.0" and str(cal["METHOD"]) == "PUBLISH"
    assert sorted({uid for uid, _ in events}) == ["GB-1@thuky", "HN-1@thuky",
                                                   "UBTV-XV-33@thuky", "XV-7@thuky"]

    xv7 = events[("XV-7@thuky", None)]
    assert str(xv7["SUMMARY"]) == "Kỳ họp thứ bảy, Quốc hội khóa XV"
    assert str(xv7["LOCATION"]) == "Nhà Quốc hội, Hà Nội"
    assert xv7.decoded("DTSTART") == date(2024, 5, 20)
    assert xv7.decoded("DTEND") == date(2024, 6, 29)  # exclusive
    assert LONG_ITEM in str(xv7["DESCRIPTION"])
    assert str(xv7["STATUS"]) == "CONFIRMED"

    ub = events[("UBTV-XV-33@thuky", None)]
    assert ub.decoded("DTSTART") == datetime(2024, 5, 13, 8, 30, tzinfo=ICT)
    assert ub.decoded("DTEND") == datetime(2024, 5, 14, 17, 0, tzinfo=ICT)
    assert str(ub["STATUS"]) == "TENTATIVE"

    hn = events[("HN-1@thuky", None)]
    assert str(hn["STATUS"]) == "CANCELLED" and hn.decoded("SEQUENCE") == 1

    master = events[("GB-1@thuky", None)]
    assert master["RRULE"]["FREQ"] == ["MONTHLY"] and master["RRULE"]["BYDAY"] == ["1MO"]
    exdates = [d.dt for d in master["EXDATE"].dts]
    assert exdates == [datetime(2024, 3, 4, 8, 0, tzinfo=ICT)]
    moved = events[("GB-1@thuky", datetime(2024, 4, 1, 8, 0, tzinfo=ICT))]
    assert moved.decoded("DTSTART") == datetime(2024, 4, 2, 14, 0, tzinfo=ICT)
    assert moved.decoded("SEQUENCE") >= 1

    # What a calendar client shows equals what the service lists.
    start = master.decoded("DTSTART")
    shown = [d for d in rrulestr(master["RRULE"].to_ical().decode(), dtstart=start)
             if d not in exdates]
    shown = [moved.decoded("DTSTART") if d == moved.decoded("RECURRENCE-ID") else d
             for d in shown]
    listed = s.json("session", "list", "--from", "2024-01-01", "--to", "2024-06-30", "--kind",
                    "briefing")
    assert [d.strftime("%Y-%m-%dT%H:%M") for d in shown] == [r["start"] for r in listed]


def test_uid_is_stable_and_sequence_grows_when_moved(services):
    s = services
    s.ok("session", "add", "--kind", "plenary", "--term", "XV", "--number", "8", "--title",
         "Kỳ họp thứ tám", "--start", "2024-10-21", "--end", "2024-11-30")
    _, before = parse(feed(s))
    s.ok("session", "move", "XV-8", "--start", "2024-10-28", "--end", "2024-12-06")
    _, after = parse(feed(s))
    assert list(before) == list(after) == [("XV-8@thuky", None)]
    ev0, ev1 = before[("XV-8@thuky", None)], after[("XV-8@thuky", None)]
    assert ev1.decoded("SEQUENCE") == ev0.decoded("SEQUENCE") + 1
    assert ev1.decoded("DTSTART") == date(2024, 10, 28)
    # --kind narrows the feed
    assert parse(feed(s, "--kind", "briefing"))[1] == {}
