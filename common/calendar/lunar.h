/* The Vietnamese lunisolar calendar (âm lịch), computed from astronomy.
 *
 * Months begin on the local day (UTC+7) of a new moon. The month that holds
 * the winter solstice is month 11. When 13 months separate two month-11
 * starts, the first month after month 11 in which no major solar term
 * (trung khí: the sun's apparent longitude reaching a multiple of 30°)
 * begins is the leap month and repeats the number of the month before it.
 * Every "day" of an event is its local day in UTC+7 — the only thing that
 * sets the Vietnamese calendar apart from the Chinese one (UTC+8): Tết 1985
 * is 21/01 here but 20/02 in China.
 *
 * Astronomy (J. Meeus, Astronomical Algorithms, 2nd ed.): new moons from the
 * mean lunation with the main periodic and planetary terms (ch. 49), the
 * sun's apparent longitude from the abridged VSOP87 series with FK5,
 * nutation and aberration (ch. 25, 32), and ΔT (TT - UT) from the
 * Espenak-Meeus polynomials. Against JPL DE431 over 1900-2020 the new moons
 * are within 16 s and the solar terms within 24 s, so a day is only in
 * doubt when an event falls that close to local midnight. One such event
 * decides a month: the new moon of 7 July 1967 comes out at 16:59:58 UT,
 * DE431 has 17:00:04, so month 6 of 1967 starts here on 7/7, not 8/7
 * (tests/system/test_lunar_ephem.py lists it). After today, ΔT is
 * an extrapolation minutes uncertain by 2199; with another plausible one a
 * few month starts move a day (Tết 2175: new moon 24 s before midnight).
 *
 * Supported: civil days 1900-01-01 .. 2199-12-31 (date.h's range). The whole
 * range is computed once, on first use (about 12 ms; thread safe);
 * after that every call is a binary search. */
#ifndef THUKY_LUNAR_H
#define THUKY_LUNAR_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int year;   /* lunar year, named by the Gregorian year its month 1 starts in */
    int month;  /* 1..12 */
    int day;    /* 1..30 */
    bool leap;  /* the leap (tháng nhuận) repetition of `month` */
} lunar_date_t;

/* The lunar date of a civil day (days since 1970-01-01, as in date.h).
   false, with *out untouched, outside 1900-01-01 .. 2199-12-31. */
bool lunar_from_day(int32_t day, lunar_date_t *out);

/* The civil day of a lunar date. false, with *day untouched, if there is no
   such date (a 30th in a 29-day month, a leap month the year does not have,
   month or day out of 1..12 / 1..30) or it falls outside the supported
   range (e.g. the start of lunar year 1899, which lies in 1899). */
bool lunar_to_day(const lunar_date_t *date, int32_t *day);

/* Tết Nguyên đán: the civil day of 1/1 of lunar year `year` (1900..2199). */
bool lunar_new_year(int year, int32_t *day);

/* The leap month of lunar year `year` (1..12), 0 if it has none, -1 if the
   year is outside 1900..2199. */
int lunar_leap_month(int year);

#endif /* THUKY_LUNAR_H */
