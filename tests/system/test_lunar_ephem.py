"""The lunar calendar (common/calendar/lunar.c) against an independent ephemeris.

For every Gregorian year 1900-2199 this recomputes, with PyEphem, Tết (1/1),
the Hùng Kings' day (10/3) and the leap month of the lunar year starting in
that year, and the first day, number and leap flag of every lunar month,
by the same rules at UTC+7, and compares them with BUILD/tests/lunar_dump:

  * months start on the local (UTC+7) day of a new moon;
  * the month holding the winter solstice (sun at 270°) is month 11;
  * when 13 months separate two month-11 starts, the first month after
    month 11 in which no major solar term (sun at a multiple of 30°) falls
    is the leap month.

PyEphem finds new moons and sun positions with its own theories (libastro),
so this checks lunar.c's Meeus formulas, its time scales and its rules, not
just its arithmetic. PyEphem's ΔT (TT - UT) agrees with lunar.c's to a
second up to 2030 and within 25 s after that (both follow the Espenak-Meeus
extrapolation, itself minutes uncertain by 2199), so the future is compared
on nearly equal terms. The two can only disagree when a new moon or a major
solar term falls within seconds of local midnight; such a month must be
listed in KNOWN_DIFFERENCES with the event and its margins, and everything
else must still match. Tết, the Hùng Kings' day and the leap month must
match in every year, with no exception.
"""
import datetime
import functools
import math
import subprocess

import pytest

from conftest import BUILD

ephem = pytest.importorskip("ephem")

LUNAR_DUMP = BUILD / "tests" / "lunar_dump"
FIRST_YEAR, LAST_YEAR = 1900, 2199
TZ = 7 * ephem.hour   # UTC+7, in days
SUN = ephem.Sun()

# Lunar months whose first day lunar.c and PyEphem are allowed to put on
# different days, (lunar year, month, leap) -> the astronomical reason. Each
# was checked against a third ephemeris, the Swiss Ephemeris (JPL DE431).
# Anything not listed must match exactly, and a listed month that matches
# again must be removed.
KNOWN_DIFFERENCES = {
    (1967, 6, False):
        "The new moon of 7 July 1967 falls within seconds of local midnight: "
        "Meeus ch. 49 puts it at 16:59:58 UT (23:59:58 local, so month 6 "
        "starts on 7 July), PyEphem at 17:00:03 UT and the Swiss Ephemeris "
        "(DE431) at 17:00:04 UT (8 July local). Meeus' truncated series is "
        "good to about 16 s in time; here it errs by 6 s across midnight.",
}


def local_day(when):
    """The UTC+7 civil date of an ephem.Date (UT)."""
    return ephem.Date(when + TZ).datetime().date()


def minutes_from_midnight(when):
    """Signed minutes from the nearest local midnight (for reports)."""
    local = (float(when) + TZ + 0.5) % 1.0   # ephem days start at noon
    return (local if local < 0.5 else local - 1.0) * 1440


def sun_longitude(when):
    """Apparent geocentric ecliptic longitude of the sun, degrees, of date."""
    SUN.compute(when)
    ecl = ephem.Ecliptic(ephem.Equatorial(SUN.g_ra, SUN.g_dec, epoch=when), epoch=when)
    return math.degrees(ecl.lon) % 360.0


def solar_term(target, near):
    """The instant (ephem.Date) near `near` when the sun reaches `target`°."""
    when = float(near)
    for _ in range(50):
        delta = (target - sun_longitude(when) + 180.0) % 360.0 - 180.0
        when += delta / 0.9856   # mean motion, degrees per day
        if abs(delta) < 1e-7:
            break
    return ephem.Date(when)


def new_moons(start, end):
    moons, when = [], ephem.next_new_moon(start)
    while when < end:
        moons.append(when)
        when = ephem.next_new_moon(when + 1)
    return moons


def major_terms(first_year, last_year):
    """Every major solar term (instant, longitude) of those years, in order."""
    terms = []
    for year in range(first_year, last_year + 1):
        for target in range(0, 360, 30):
            # The sun is at 0° near 20 March; ~30.4 days per 30°.
            near = ephem.Date(f"{year}/3/20") + (target / 30) * 30.44
            terms.append((solar_term(target, near), target))
    terms.sort()
    return terms


@functools.lru_cache(maxsize=None)
def compute_calendar():
    """Month list [(start_day, year, month, leap)] from the 1899 winter
    solstice month to the 2200 one, plus the events for reports."""
    moons = new_moons(ephem.Date("1899/10/1"), ephem.Date("2201/3/1"))
    terms = major_terms(1899, 2201)
    starts = [local_day(m) for m in moons]
    term_days = [(local_day(t), lon) for t, lon in terms]

    # The longitudes of the major terms falling inside month i.
    held = [[] for _ in starts]
    j = 0
    for i in range(len(starts) - 1):
        while j < len(term_days) and term_days[j][0] < starts[i]:
            j += 1
        k = j
        while k < len(term_days) and term_days[k][0] < starts[i + 1]:
            held[i].append(term_days[k][1])
            k += 1

    m11 = [i for i in range(len(starts) - 1) if 270 in held[i]]
    # Month 11 starts between late November and the solstice itself.
    m11 = [i for i in m11 if 1899 <= starts[i].year <= 2200]
    assert len(m11) == 2200 - 1899 + 1

    months = []
    for y, (a, b) in enumerate(zip(m11, m11[1:])):
        year, month, leap_done = 1899 + y, 10, False
        assert b - a in (12, 13)
        for i in range(a, b):
            if b - a == 13 and not leap_done and i > a and not held[i]:
                months.append((starts[i], year, month, True))
                leap_done = True
                continue
            month = month % 12 + 1
            if month == 1:
                year += 1
            months.append((starts[i], year, month, False))
        assert b - a == 12 or leap_done
    return months, moons, terms


def key_dates(months):
    """{year: (tet, hung, leap_month)} for 1900..2199."""
    out = {}
    for start, year, month, leap in months:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            continue
        tet, hung, leap_month = out.get(year, (None, None, 0))
        if month == 1 and not leap:
            tet = start
        if month == 3 and not leap:
            hung = start + datetime.timedelta(days=9)
        if leap:
            leap_month = month
        out[year] = (tet, hung, leap_month)
    return out


def near_midnight(events, days, limit_min=30):
    """Events (instant, label) within limit_min of local midnight starting
    one of `days`, for the failure report."""
    found = []
    for when, label in events:
        if local_day(when) in days or local_day(ephem.Date(when + 1)) in days:
            m = minutes_from_midnight(when)
            if abs(m) < limit_min:
                found.append(f"{label} at {ephem.Date(when + TZ)} local ({m:+.1f} min)")
    return found


def run_dump(*args):
    assert LUNAR_DUMP.exists(), f"{LUNAR_DUMP} is missing: run 'make all'"
    return subprocess.run([str(LUNAR_DUMP), *args], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def test_lunar_dump_matches_ephem():
    dumped = {}
    for line in run_dump().splitlines():
        year, tet, hung, leap = line.split()
        dumped[int(year)] = (datetime.date.fromisoformat(tet),
                             datetime.date.fromisoformat(hung), int(leap))
    assert sorted(dumped) == list(range(FIRST_YEAR, LAST_YEAR + 1))

    months, moons, terms = compute_calendar()
    expected = key_dates(months)
    assert sorted(expected) == list(range(FIRST_YEAR, LAST_YEAR + 1))

    events = [(m, "new moon") for m in moons] + [(t, f"sun at {lon}°") for t, lon in terms]
    problems = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if dumped[year] == expected[year]:
            continue
        days = {d for d in dumped[year][:2] + expected[year][:2]}
        days |= {d - datetime.timedelta(days=9) for d in (dumped[year][1], expected[year][1])}
        detail = (f"{year}: lunar_dump tet {dumped[year][0]} hung {dumped[year][1]} "
                  f"leap {dumped[year][2]}; ephem tet {expected[year][0]} hung "
                  f"{expected[year][1]} leap {expected[year][2]}; near midnight: "
                  f"{near_midnight(events, days) or 'none'}")
        problems.append(detail)
    assert not problems, "lunar.c and PyEphem disagree:\n" + "\n".join(problems)


def test_every_month_matches_ephem():
    """Not just the key dates: every month start 1900-2199, with its number."""
    dumped = []
    for line in run_dump("--months").splitlines():
        start, year, month, leap = line.split()
        dumped.append((datetime.date.fromisoformat(start), int(year), int(month), leap == "1"))

    months, moons, terms = compute_calendar()
    first, last = datetime.date(FIRST_YEAR, 1, 1), datetime.date(LAST_YEAR, 12, 31)
    expected = [m for m in months if first <= m[0] <= last]
    events = [(m, "new moon") for m in moons] + [(t, f"sun at {lon}°") for t, lon in terms]

    ours, theirs = set(dumped), set(expected)
    problems, excused = [], set()
    for month in sorted(ours ^ theirs):
        if month[1:] in KNOWN_DIFFERENCES:
            excused.add(month[1:])
            continue
        side = "lunar_dump" if month in ours else "ephem"
        near = near_midnight(events, {month[0], month[0] + datetime.timedelta(days=1)})
        problems.append(f"{month[0]}: only {side} starts {month[1]} month {month[2]}"
                        f"{' (leap)' if month[3] else ''} here; near midnight: {near or 'none'}")
    assert not problems, "lunar.c and PyEphem disagree:\n" + "\n".join(problems)
    assert len(dumped) == len(expected)
    stale = set(KNOWN_DIFFERENCES) - excused
    assert not stale, f"KNOWN_DIFFERENCES lists months that now agree: {sorted(stale)}"


def test_published_dates_by_ephem():
    """The ephemeris side reproduces published Vietnamese dates, so a
    disagreement above points at lunar.c and not at this script."""
    months, _, _ = compute_calendar()
    dates = key_dates(months)
    assert dates[1985][0] == datetime.date(1985, 1, 21)   # 20/02 in China (UTC+8)
    assert dates[2007][0] == datetime.date(2007, 2, 17)   # 18/02 in China
    assert dates[1968][0] == datetime.date(1968, 1, 29)
    assert dates[2030][0] == datetime.date(2030, 2, 2)    # 03/02 in China
    assert dates[2024] == (datetime.date(2024, 2, 10), datetime.date(2024, 4, 18), 0)
    assert dates[2025] == (datetime.date(2025, 1, 29), datetime.date(2025, 4, 7), 6)
    assert dates[2023][2] == 2 and dates[2020][2] == 4
