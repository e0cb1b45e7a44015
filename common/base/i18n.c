#include "base/i18n.h"

#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef THUKY_LOCALEDIR
#define THUKY_LOCALEDIR "/usr/share/locale"
#endif

/* Read by every thread that logs (notifyd's worker too), changed on a
 * config reload: atomic. */
static _Atomic(lang_t) s_language = LANG_VI;

/* glibc's own messages (strerror) come from its "libc" catalog, which the
 * process-wide LANGUAGE=vi would choose in English too: they follow the
 * process's language instead, in UTF-8 (never "?" for a letter under a C
 * locale). In English "libc" is bound to "/dev/null", where no catalog can
 * be, which leaves glibc's English. */
static void s_system_messages(lang_t lang)
{
    bindtextdomain("libc", lang == LANG_EN ? "/dev/null" : THUKY_LOCALEDIR);
    bind_textdomain_codeset("libc", "UTF-8");
}

bool lang_parse(const char *text, lang_t *out)
{
    if (!text)
        return false;
    if (strcmp(text, "C") == 0 || strcmp(text, "POSIX") == 0) {
        *out = LANG_EN;
        return true;
    }
    /* A language code, then _TERRITORY, .CODESET or @MODIFIER. */
    size_t len = strcspn(text, "_.@");
    if (len == 2 && strncmp(text, "vi", 2) == 0) {
        *out = LANG_VI;
        return true;
    }
    if (len == 2 && strncmp(text, "en", 2) == 0) {
        *out = LANG_EN;
        return true;
    }
    return false;
}

const char *lang_code(lang_t lang) { return lang == LANG_EN ? "en" : "vi"; }

static bool s_has_catalog(const char *dir)
{
    char path[PATH_MAX];
    struct stat st;
    return snprintf(path, sizeof path, "%s/vi/LC_MESSAGES/" I18N_DOMAIN ".mo", dir) <
               (int)sizeof path &&
           stat(path, &st) == 0;
}

/* $THUKY_LOCALEDIR, else locale/ beside the executable (the build tree),
 * else ../share/locale from it (/usr/bin -> /usr/share/locale, /usr/local/bin
 * -> /usr/local/share/locale: where make install put it), else the system's. */
static void s_locale_dir(char *out, size_t len)
{
    const char *env = getenv("THUKY_LOCALEDIR");
    if (env && env[0]) {
        snprintf(out, len, "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const relative[] = {"%s/locale", "%s/../share/locale"};
            for (size_t i = 0; i < sizeof relative / sizeof relative[0]; i++) {
                char dir[PATH_MAX];
                if (snprintf(dir, sizeof dir, relative[i], exe) < (int)sizeof dir &&
                    s_has_catalog(dir)) {
                    snprintf(out, len, "%s", dir);
                    return;
                }
            }
        }
    }
    snprintf(out, len, "%s", THUKY_LOCALEDIR);
}

void i18n_init(lang_t lang)
{
    s_language = lang;
    /* gettext reads the LC_MESSAGES category's name: under "C" or "POSIX"
     * it translates nothing and ignores LANGUAGE. Keep a locale the user
     * has; else take C.UTF-8, which glibc always has. */
    const char *messages = setlocale(LC_MESSAGES, "");
    if (!messages || strcmp(messages, "C") == 0 || strcmp(messages, "POSIX") == 0)
        setlocale(LC_MESSAGES, "C.UTF-8");
    /* Before any thread: setenv is not safe against a concurrent getenv. */
    setenv("LANGUAGE", "vi", 1);
    char dir[PATH_MAX];
    s_locale_dir(dir, sizeof dir);
    bindtextdomain(I18N_DOMAIN, dir);
    /* The catalog is UTF-8; never convert it to a "C" locale's ASCII. */
    bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
    s_system_messages(lang);
}

void i18n_set_language(lang_t lang)
{
    s_language = lang;
    s_system_messages(lang);
}
lang_t i18n_language(void) { return s_language; }

const char *i18n_text(lang_t lang, const char *msgid)
{
    if (lang == LANG_EN || !msgid || !msgid[0])
        return msgid;
    return dgettext(I18N_DOMAIN, msgid);
}

const char *i18n_plural(lang_t lang, const char *singular, const char *plural, unsigned long n)
{
    if (lang == LANG_EN)
        return n == 1 ? singular : plural;
    return dngettext(I18N_DOMAIN, singular, plural, n);
}
