/* Translations: Vietnamese first, English complete (GNU gettext).
 *
 * Every string a person reads is written in English in the source, marked
 * with _() (translate here) or N_() (translate where it is used, e.g. in a
 * static table), and translated from po/vi.po. English is the msgid, so
 * the English output needs no catalog and is always complete.
 *
 * The catalog is looked up without depending on a generated vi_VN locale
 * (a fresh Debian server has only C and C.UTF-8): i18n_init() makes
 * LC_MESSAGES a UTF-8 locale other than "C" (glibc ignores LANGUAGE under
 * plain "C") and sets LANGUAGE once, before any thread starts. After that a
 * text is translated by asking for it in a language: i18n_text(LANG_VI, s)
 * reads the catalog, i18n_text(LANG_EN, s) is s. So a daemon answers each
 * request in the language of its caller without touching the environment
 * again, and one process can speak both.
 *
 * Catalogs are found in $THUKY_LOCALEDIR, else in locale/ beside the
 * executable (the build tree), else in /usr/share/locale. */
#ifndef THUKY_I18N_H
#define THUKY_I18N_H

#include <stdbool.h>

#define I18N_DOMAIN "thuky"

typedef enum {
    LANG_VI = 0, /* the default: the people who use thuky read Vietnamese */
    LANG_EN = 1,
} lang_t;

/* "vi", "vi_VN", "vi_VN.UTF-8" -> LANG_VI; "en", "en_GB.UTF-8", "C",
 * "POSIX" -> LANG_EN; false for anything else (C.UTF-8 names no language). */
bool lang_parse(const char *text, lang_t *out);
/* "vi" or "en": what a request carries on the wire. */
const char *lang_code(lang_t lang);

/* Binds the catalog and makes lang the process's language (what _() and
 * the log speak). Call once, early, before any thread is started. */
void i18n_init(lang_t lang);
/* Changes the process's language (after the config is read). */
void i18n_set_language(lang_t lang);
lang_t i18n_language(void);

/* msgid in lang; msgid itself when it has no translation. */
const char *i18n_text(lang_t lang, const char *msgid);
/* The plural form for n ("1 task" / "2 tasks"). */
const char *i18n_plural(lang_t lang, const char *singular, const char *plural, unsigned long n);

/* The process's language: _() translates now, N_() only marks a string
 * for xgettext (a static table); P_() is the plural form. */
#define _(msgid) i18n_text(i18n_language(), (msgid))
#define N_(msgid) msgid
#define P_(singular, plural, n) i18n_plural(i18n_language(), (singular), (plural), (n))

#endif
