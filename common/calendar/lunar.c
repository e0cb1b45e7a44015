/* The Vietnamese lunisolar calendar from new moons and solar terms at UTC+7.
 * See lunar.h for the rules; formulas from Meeus, Astronomical Algorithms. */
#include "calendar/lunar.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>

#include "base/date.h"

#define PI 3.14159265358979323846
#define DEG (PI / 180.0)

#define JD_UNIX_EPOCH 2440587.5   /* 1970-01-01 00:00 UT */
#define JD_J2000 2451545.0        /* 2000-01-01 12:00 TT */
#define TZ_DAYS (7.0 / 24.0)      /* UTC+7 */

/* ---- Time scales ---------------------------------------------------- */

/* ΔT = TT - UT in seconds (Espenak and Meeus, "Polynomial expressions for
   Delta T", NASA five millennium canon). Beyond 2005 it is an
   extrapolation, a few minutes uncertain by 2199; nothing better exists. */
static double s_delta_t(double year)
{
    double t;
    if (year < 1920) {
        t = year - 1900;
        return -2.79 + 1.494119 * t - 0.0598939 * t * t + 0.0061966 * t * t * t -
               0.000197 * t * t * t * t;
    }
    if (year < 1941) {
        t = year - 1920;
        return 21.20 + 0.84493 * t - 0.076100 * t * t + 0.0020936 * t * t * t;
    }
    if (year < 1961) {
        t = year - 1950;
        return 29.07 + 0.407 * t - t * t / 233 + t * t * t / 2547;
    }
    if (year < 1986) {
        t = year - 1975;
        return 45.45 + 1.067 * t - t * t / 260 - t * t * t / 718;
    }
    if (year < 2005) {
        t = year - 2000;
        return 63.86 + 0.3345 * t - 0.060374 * t * t + 0.0017275 * t * t * t +
               0.000651814 * t * t * t * t + 0.00002373599 * t * t * t * t * t;
    }
    if (year < 2050) {
        t = year - 2000;
        return 62.92 + 0.32217 * t + 0.005589 * t * t;
    }
    double u = (year - 1820) / 100;
    if (year < 2150)
        return -20 + 32 * u * u - 0.5628 * (2150 - year);
    return -20 + 32 * u * u;
}

static double s_year_of_jd(double jd)
{
    return 2000.0 + (jd - JD_J2000) / 365.25;
}

/* Local (UTC+7) civil day of an instant given as a Julian Ephemeris Day. */
static int32_t s_local_day(double jde)
{
    double jd_ut = jde - s_delta_t(s_year_of_jd(jde)) / 86400.0;
    return (int32_t)floor(jd_ut - JD_UNIX_EPOCH + TZ_DAYS);
}

/* Julian Ephemeris Day of local (UTC+7) midnight starting a civil day. */
static double s_local_midnight_jde(int32_t day)
{
    double jd_ut = JD_UNIX_EPOCH + day - TZ_DAYS;
    return jd_ut + s_delta_t(s_year_of_jd(jd_ut)) / 86400.0;
}

/* ---- New moons (Meeus ch. 49) ----------------------------------------- */

/* Periodic terms of the true new moon: coefficient (days), power of E
   (the eccentricity factor that scales terms with the sun's anomaly), and
   the multiples of M (sun's anomaly), M' (moon's anomaly), F (moon's
   argument of latitude) and Ω (node) in the argument. */
typedef struct {
    double coef;
    signed char e_pow, m, mp, f, om;
} nm_term_t;

static const nm_term_t s_nm_terms[] = {
    {-0.40720, 0, 0, 1, 0, 0}, {0.17241, 1, 1, 0, 0, 0},  {0.01608, 0, 0, 2, 0, 0},
    {0.01039, 0, 0, 0, 2, 0},  {0.00739, 1, -1, 1, 0, 0}, {-0.00514, 1, 1, 1, 0, 0},
    {0.00208, 2, 2, 0, 0, 0},  {-0.00111, 0, 0, 1, -2, 0}, {-0.00057, 0, 0, 1, 2, 0},
    {0.00056, 1, 1, 2, 0, 0},  {-0.00042, 0, 0, 3, 0, 0}, {0.00042, 1, 1, 0, 2, 0},
    {0.00038, 1, 1, 0, -2, 0}, {-0.00024, 1, -1, 2, 0, 0}, {-0.00017, 0, 0, 0, 0, 1},
    {-0.00007, 0, 2, 1, 0, 0}, {0.00004, 0, 0, 2, -2, 0}, {0.00004, 0, 3, 0, 0, 0},
    {0.00003, 0, 1, 1, -2, 0}, {0.00003, 0, 0, 2, 2, 0},  {-0.00003, 0, 1, 1, 2, 0},
    {0.00003, 0, -1, 1, 2, 0}, {-0.00002, 0, -1, 1, -2, 0}, {-0.00002, 0, 1, 3, 0, 0},
    {0.00002, 0, 0, 4, 0, 0},
};

/* Planetary perturbations: argument = a0 + a1 * k (degrees), coefficient. */
static const struct {
    double a0, a1, coef;
} s_nm_planetary[] = {
    {299.77, 0.107408, 0.000325}, {251.88, 0.016321, 0.000165}, {251.83, 26.651886, 0.000164},
    {349.42, 36.412478, 0.000126}, {84.66, 18.206239, 0.000110}, {141.74, 53.303771, 0.000062},
    {207.14, 2.453732, 0.000060}, {154.84, 7.306860, 0.000056}, {34.52, 27.261239, 0.000047},
    {207.19, 0.121824, 0.000042}, {291.34, 1.844379, 0.000040}, {161.72, 24.198154, 0.000037},
    {239.56, 25.513099, 0.000035}, {331.55, 3.592518, 0.000023},
};

/* JDE of new moon number k (k = 0 is the new moon of 2000-01-06). */
static double s_new_moon_jde(int k)
{
    double t = k / 1236.85; /* Julian centuries from J2000 */
    double t2 = t * t, t3 = t2 * t, t4 = t3 * t;
    double jde = 2451550.09766 + 29.530588861 * k + 0.00015437 * t2 - 0.000000150 * t3 +
                 0.00000000073 * t4;
    double e = 1 - 0.002516 * t - 0.0000074 * t2;
    double m = (2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3) * DEG;
    double mp = (201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 -
                 0.000000058 * t4) * DEG;
    double f = (160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 +
                0.000000011 * t4) * DEG;
    double om = (124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3) * DEG;

    for (size_t i = 0; i < sizeof s_nm_terms / sizeof s_nm_terms[0]; i++) {
        const nm_term_t *p = &s_nm_terms[i];
        double c = p->coef;
        for (int j = 0; j < p->e_pow; j++)
            c *= e;
        jde += c * sin(p->m * m + p->mp * mp + p->f * f + p->om * om);
    }
    for (size_t i = 0; i < sizeof s_nm_planetary / sizeof s_nm_planetary[0]; i++) {
        double a = s_nm_planetary[i].a0 + s_nm_planetary[i].a1 * k;
        if (i == 0)
            a -= 0.009173 * t2;
        jde += s_nm_planetary[i].coef * sin(a * DEG);
    }
    return jde;
}

/* ---- The sun's apparent longitude (Meeus ch. 25, 32, appendix III) ------ */

/* One VSOP87 term: A cos(B + C tau), tau in Julian millennia from J2000. */
typedef struct {
    double a, b, c;
} vsop_term_t;

/* The abridged VSOP87D series for the Earth's heliocentric longitude
   (units of 1e-8 radian) and radius vector (1e-8 AU). The radius is only
   needed for the aberration, so its smallest terms are left out. */
static const vsop_term_t s_l0[] = {
    {175347046, 0, 0},
    {3341656, 4.6692568, 6283.0758500},
    {34894, 4.62610, 12566.15170},
    {3497, 2.7441, 5753.3849},
    {3418, 2.8289, 3.5231},
    {3136, 3.6277, 77713.7715},
    {2676, 4.4181, 7860.4194},
    {2343, 6.1352, 3930.2097},
    {1324, 0.7425, 11506.7698},
    {1273, 2.0371, 529.6910},
    {1199, 1.1096, 1577.3435},
    {990, 5.233, 5884.927},
    {902, 2.045, 26.298},
    {857, 3.508, 398.149},
    {780, 1.179, 5223.694},
    {753, 2.533, 5507.553},
    {505, 4.583, 18849.228},
    {492, 4.205, 775.523},
    {357, 2.920, 0.067},
    {317, 5.849, 11790.629},
    {284, 1.899, 796.298},
    {271, 0.315, 10977.079},
    {243, 0.345, 5486.778},
    {206, 4.806, 2544.314},
    {205, 1.869, 5573.143},
    {202, 2.458, 6069.777},
    {156, 0.833, 213.299},
    {132, 3.411, 2942.463},
    {126, 1.083, 20.775},
    {115, 0.645, 0.980},
    {103, 0.636, 4694.003},
    {102, 0.976, 15720.839},
    {102, 4.267, 7.114},
    {99, 6.21, 2146.17},
    {98, 0.68, 155.42},
    {86, 5.98, 161000.69},
    {85, 1.30, 6275.96},
    {85, 3.67, 71430.70},
    {80, 1.81, 17260.15},
    {79, 3.04, 12036.46},
    {75, 1.76, 5088.63},
    {74, 3.50, 3154.69},
    {74, 4.68, 801.82},
    {70, 0.83, 9437.76},
    {62, 3.98, 8827.39},
    {61, 1.82, 7084.90},
    {57, 2.78, 6286.60},
    {56, 4.39, 14143.50},
    {56, 3.47, 6279.55},
    {52, 0.19, 12139.55},
    {52, 1.33, 1748.02},
    {51, 0.28, 5856.48},
    {49, 0.49, 1194.45},
    {41, 5.37, 8429.24},
    {41, 2.40, 19651.05},
    {39, 6.17, 10447.39},
    {37, 6.04, 10213.29},
    {37, 2.57, 1059.38},
    {36, 1.71, 2352.87},
    {36, 1.78, 6812.77},
    {33, 0.59, 17789.85},
    {30, 0.44, 83996.85},
    {30, 2.74, 1349.87},
    {25, 3.16, 4690.48},
};

static const vsop_term_t s_l1[] = {
    {628331966747.0, 0, 0},
    {206059, 2.678235, 6283.075850},
    {4303, 2.6351, 12566.1517},
    {425, 1.590, 3.523},
    {119, 5.796, 26.298},
    {109, 2.966, 1577.344},
    {93, 2.59, 18849.23},
    {72, 1.14, 529.69},
    {68, 1.87, 398.15},
    {67, 4.41, 5507.55},
    {59, 2.89, 5223.69},
    {56, 2.17, 155.42},
    {45, 0.40, 796.30},
    {36, 0.47, 775.52},
    {29, 2.65, 7.11},
    {21, 5.34, 0.98},
    {19, 1.85, 5486.78},
    {19, 4.97, 213.30},
    {17, 2.99, 6275.96},
    {16, 0.03, 2544.31},
    {16, 1.43, 2146.17},
    {15, 1.21, 10977.08},
    {12, 2.83, 1748.02},
    {12, 3.26, 5088.63},
    {12, 5.27, 1194.45},
    {12, 2.08, 4694.00},
    {11, 0.77, 553.57},
    {10, 1.30, 6286.60},
    {10, 4.24, 1349.87},
    {9, 2.70, 242.73},
    {9, 5.64, 951.72},
    {8, 5.30, 2352.87},
    {6, 2.65, 9437.76},
    {6, 4.67, 4690.48},
};

static const vsop_term_t s_l2[] = {
    {52919, 0, 0},
    {8720, 1.0721, 6283.0758},
    {309, 0.867, 12566.152},
    {27, 0.05, 3.52},
    {16, 5.19, 26.30},
    {16, 3.68, 155.42},
    {10, 0.76, 18849.23},
    {9, 2.06, 77713.77},
    {7, 0.83, 775.52},
    {5, 4.66, 1577.34},
    {4, 1.03, 7.11},
    {4, 3.44, 5573.14},
    {3, 5.14, 796.30},
    {3, 6.05, 5507.55},
    {3, 1.19, 242.73},
    {3, 6.12, 529.69},
    {3, 0.31, 398.15},
    {3, 2.28, 553.57},
    {2, 4.38, 5223.69},
    {2, 3.75, 0.98},
};

static const vsop_term_t s_l3[] = {
    {289, 5.844, 6283.076}, {35, 0, 0},          {17, 5.49, 12566.15}, {3, 5.20, 155.42},
    {1, 4.72, 3.52},        {1, 5.30, 18849.23}, {1, 5.97, 242.73},
};

static const vsop_term_t s_l4[] = {
    {114, 3.142, 0},
    {8, 4.13, 6283.08},
    {1, 3.84, 12566.15},
};

static const vsop_term_t s_l5[] = {
    {1, 3.14, 0},
};

static const vsop_term_t s_r0[] = {
    {100013989, 0, 0},
    {1670700, 3.0984635, 6283.0758500},
    {13956, 3.05525, 12566.15170},
    {3084, 5.1985, 77713.7715},
    {1628, 1.1739, 5753.3849},
    {1576, 2.8469, 7860.4194},
    {925, 5.453, 11506.770},
    {542, 4.564, 3930.210},
};

static const vsop_term_t s_r1[] = {
    {103019, 1.107490, 6283.075850},
    {1721, 1.0644, 12566.1517},
};

static const vsop_term_t s_r2[] = {
    {4359, 5.7846, 6283.0758},
};

#define VSOP_SUM(series, tau) s_vsop_sum(series, sizeof series / sizeof series[0], tau)

static double s_vsop_sum(const vsop_term_t *terms, size_t n, double tau)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += terms[i].a * cos(terms[i].b + terms[i].c * tau);
    return sum;
}

/* Apparent geocentric longitude of the sun, degrees in [0, 360), at JDE. */
static double s_sun_longitude(double jde)
{
    double tau = (jde - JD_J2000) / 365250.0;
    double t = tau * 10; /* Julian centuries */
    double l = VSOP_SUM(s_l0, tau) +
               tau * (VSOP_SUM(s_l1, tau) +
                      tau * (VSOP_SUM(s_l2, tau) +
                             tau * (VSOP_SUM(s_l3, tau) +
                                    tau * (VSOP_SUM(s_l4, tau) + tau * VSOP_SUM(s_l5, tau)))));
    double r = (VSOP_SUM(s_r0, tau) + tau * (VSOP_SUM(s_r1, tau) + tau * VSOP_SUM(s_r2, tau))) *
               1e-8;

    /* Geocentric longitude of the sun is the Earth's heliocentric one + 180°. */
    double lon = l * 1e-8 / DEG + 180.0;
    /* From the VSOP dynamical frame to FK5 (Meeus 32.3). */
    lon -= 0.09033 / 3600.0;
    /* Nutation in longitude, the four largest terms (Meeus ch. 22, 0.5"). */
    double omega = (125.04452 - 1934.136261 * t) * DEG;
    double l_sun = (280.4665 + 36000.7698 * t) * DEG;
    double l_moon = (218.3165 + 481267.8813 * t) * DEG;
    double dpsi = -17.20 * sin(omega) - 1.32 * sin(2 * l_sun) - 0.23 * sin(2 * l_moon) +
                  0.21 * sin(2 * omega);
    lon += dpsi / 3600.0;
    /* Annual aberration (Meeus 25.10). */
    lon -= 20.4898 / 3600.0 / r;
    lon = fmod(lon, 360.0);
    return lon < 0 ? lon + 360.0 : lon;
}

/* ---- The month table ---------------------------------------------------- */

/* Lunar years 1899 (its months 11 and 12 cover January 1900) to 2199:
   301 intervals between winter solstices of about 12.37 months each. */
#define MONTHS_MAX 3800
/* The solstice month of 1899 and of 2200 bound the table. */
#define FIRST_SOLSTICE_YEAR (DATE_MIN_YEAR - 1)
#define LAST_SOLSTICE_YEAR (DATE_MAX_YEAR + 1)
/* Sectors are the sun's longitude in whole 30° steps; the winter solstice
   (270°) is the start of sector 9. */
#define SOLSTICE_SECTOR 9

typedef struct {
    int32_t start[MONTHS_MAX + 1]; /* first civil day; start[count] ends the last */
    int32_t key[MONTHS_MAX];       /* s_key(year, month, leap): increasing */
    int count;
    int32_t first_day, last_day;   /* supported civil days */
    bool ok;
} table_t;

static table_t s_table;
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static int32_t s_key(int year, int month, bool leap)
{
    return (int32_t)year * 32 + month * 2 + (leap ? 1 : 0);
}

/* Sector (0..11) of the sun at local midnight starting `day`. */
static int s_sector(int32_t day)
{
    return (int)(s_sun_longitude(s_local_midnight_jde(day)) / 30.0) % 12;
}

/* Does the month between sectors `from` (at its first midnight) and `to`
   (at the next month's) contain the start of sector s? A month can hold
   zero, one or (near perihelion) two major solar terms. */
static bool s_holds(int from, int to, int s)
{
    int span = (to - from + 12) % 12;
    int d = (s - from + 12) % 12;
    return d >= 1 && d <= span;
}

/* Fills s_table. Month i runs from new moon k0 + i; the scratch arrays hold
   every new moon from late 1899 to early 2201. */
static void s_build(void)
{
    enum { SCRATCH = MONTHS_MAX + 40 };
    static int32_t nm_day[SCRATCH];
    static signed char sector[SCRATCH];
    table_t *t = &s_table;

    /* k of a new moon in September of the first solstice year, well before
       its solstice month: 12.3685 lunations a year from k = 0 in January
       2000, less one for safety. */
    int k0 = (int)floor((FIRST_SOLSTICE_YEAR + 0.75 - 2000.0) * 12.3685) - 1;
    int n = 0;
    int32_t stop;
    if (!date_from_ymd(DATE_MAX_YEAR, 12, 31, &stop, NULL))
        return;
    /* date.h ends with 2199: step over 2200 (365 days) by hand, then past
       the month after its solstice month. */
    stop += 365 + 70;
    for (; n < SCRATCH; n++) {
        nm_day[n] = s_local_day(s_new_moon_jde(k0 + n));
        sector[n] = (signed char)s_sector(nm_day[n]);
        if (nm_day[n] > stop)
            break;
    }
    if (n == SCRATCH)
        return;

    /* Month-11 starts: the months holding the winter solstice. */
    int m11[LAST_SOLSTICE_YEAR - FIRST_SOLSTICE_YEAR + 2];
    int n11 = 0;
    for (int i = 0; i + 1 < n; i++)
        if (s_holds(sector[i], sector[i + 1], SOLSTICE_SECTOR)) {
            if (n11 == (int)(sizeof m11 / sizeof m11[0]))
                return;
            m11[n11++] = i;
        }
    if (n11 != LAST_SOLSTICE_YEAR - FIRST_SOLSTICE_YEAR + 1)
        return;

    t->count = 0;
    for (int y = 0; y + 1 < n11; y++) {
        int a = m11[y], b = m11[y + 1];
        int year = FIRST_SOLSTICE_YEAR + y; /* months 11 and 12 belong to it */
        bool leap_year = b - a == 13;
        bool leap_done = false;
        int month = 10;
        for (int i = a; i < b; i++) {
            bool leap = false;
            if (leap_year && !leap_done && i > a && sector[i] == sector[i + 1]) {
                leap = true; /* no major solar term: repeats the month before */
                leap_done = true;
            } else {
                month = month % 12 + 1;
                if (month == 1)
                    year++;
            }
            if (t->count == MONTHS_MAX)
                return;
            t->start[t->count] = nm_day[i];
            t->key[t->count] = s_key(year, month, leap);
            t->count++;
        }
        if (b - a != 12 && !(leap_year && leap_done))
            return; /* a month too many or too few: the astronomy is broken */
    }
    t->start[t->count] = nm_day[m11[n11 - 1]];

    if (!date_from_ymd(DATE_MIN_YEAR, 1, 1, &t->first_day, NULL) ||
        !date_from_ymd(DATE_MAX_YEAR, 12, 31, &t->last_day, NULL))
        return;
    t->ok = t->start[0] <= t->first_day && t->start[t->count] > t->last_day;
}

static const table_t *s_get(void)
{
    pthread_once(&s_once, s_build);
    return s_table.ok ? &s_table : NULL;
}

/* ---- Public API ----------------------------------------------------------- */

bool lunar_from_day(int32_t day, lunar_date_t *out)
{
    const table_t *t = s_get();
    if (!t || day < t->first_day || day > t->last_day)
        return false;
    /* The last month starting on or before day. */
    int lo = 0, hi = t->count - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (t->start[mid] <= day)
            lo = mid;
        else
            hi = mid - 1;
    }
    int32_t key = t->key[lo];
    out->year = key / 32;
    out->month = key % 32 / 2;
    out->leap = key % 2 != 0;
    out->day = (int)(day - t->start[lo]) + 1;
    return true;
}

/* Index of the month with that key, or -1. */
static int s_find(const table_t *t, int32_t key)
{
    int lo = 0, hi = t->count - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (t->key[mid] == key)
            return mid;
        if (t->key[mid] < key)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

bool lunar_to_day(const lunar_date_t *date, int32_t *day)
{
    const table_t *t = s_get();
    if (!t || !date || date->month < 1 || date->month > 12 || date->day < 1 ||
        date->day > 30 || date->year < FIRST_SOLSTICE_YEAR || date->year > DATE_MAX_YEAR)
        return false;
    int i = s_find(t, s_key(date->year, date->month, date->leap));
    if (i < 0 || date->day > t->start[i + 1] - t->start[i])
        return false;
    int32_t d = t->start[i] + date->day - 1;
    if (d < t->first_day || d > t->last_day)
        return false;
    *day = d;
    return true;
}

bool lunar_new_year(int year, int32_t *day)
{
    if (year < DATE_MIN_YEAR || year > DATE_MAX_YEAR)
        return false;
    lunar_date_t tet = {.year = year, .month = 1, .day = 1, .leap = false};
    return lunar_to_day(&tet, day);
}

int lunar_leap_month(int year)
{
    const table_t *t = s_get();
    if (!t || year < DATE_MIN_YEAR || year > DATE_MAX_YEAR)
        return -1;
    for (int month = 1; month <= 12; month++)
        if (s_find(t, s_key(year, month, true)) >= 0)
            return month;
    return 0;
}
