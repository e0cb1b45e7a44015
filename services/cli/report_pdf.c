/* The PDF form: the HTML form printed by headless Chromium.
 *
 * Chromium is $THUKY_CHROMIUM, else chromium or chromium-browser on PATH;
 * without it, one line says what to install. The page and Chromium's
 * profile go into a private temporary directory, removed afterwards;
 * Chromium runs in its own process group, is given CHROMIUM_TIMEOUT_S and
 * is killed with all its helpers when it takes longer, so a report never
 * hangs. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "base/log.h"
#include "report_private.h"

#define CHROMIUM_TIMEOUT_S 60

static bool s_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The Chromium to run (the caller frees it), or NULL. */
static char *s_find_chromium(const char **configured)
{
    *configured = getenv("THUKY_CHROMIUM");
    if (*configured && **configured)
        return s_executable(*configured) ? xstrdup(*configured) : NULL;
    *configured = NULL;
    static const char *const names[] = {"chromium", "chromium-browser"};
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (const char *p = path; *p;) {
            size_t n = strcspn(p, ":");
            strbuf_t candidate = {0};
            strbuf_printf(&candidate, "%.*s/%s", (int)n, n ? p : ".", names[i]);
            if (n && s_executable(candidate.data))
                return strbuf_take(&candidate);
            strbuf_free(&candidate);
            p += n + (p[n] == ':');
        }
    return NULL;
}

/* file:///tmp/thuky-report-XXXXXX/report.html, its bytes percent-encoded
 * where a URL needs it. */
static void s_file_url(strbuf_t *b, const char *path)
{
    strbuf_str(b, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p))
            strbuf_add(b, (const char *)p, 1);
        else
            strbuf_printf(b, "%%%02X", *p);
    }
}

/* Runs argv in its own process group with stdin from /dev/null and its
 * output into log; kills the group after timeout_s. The exit status, or
 * -1 when it could not be started, -2 when it timed out. */
static int s_run(char *const argv[], const char *log, int timeout_s)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setpgid(0, 0);
        int in = open("/dev/null", O_RDONLY);
        int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in >= 0)
            dup2(in, STDIN_FILENO);
        if (out >= 0) {
            dup2(out, STDOUT_FILENO);
            dup2(out, STDERR_FILENO);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no race with the kill below */
    struct timespec start, now, pause = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = 0;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            break;
        if (done < 0 && errno != EINTR) {
            status = -1;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= timeout_s) {
            kill(-pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            return -2;
        }
        nanosleep(&pause, NULL);
    }
    kill(-pid, SIGKILL); /* any helper it left behind */
    if (status == -1)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static bool s_is_pdf(const char *path)
{
    char head[5] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool ok = fread(head, 1, 5, f) == 5 && memcmp(head, "%PDF-", 5) == 0;
    fclose(f);
    return ok;
}

static int s_print(const char *chromium, const char *dir, report_out_t *out)
{
    strbuf_t html = {0}, pdf = {0}, log = {0}, profile = {0}, print = {0}, url = {0};
    strbuf_printf(&html, "%s/report.html", dir);
    strbuf_printf(&pdf, "%s/report.pdf", dir);
    strbuf_printf(&log, "%s/chromium.log", dir);
    strbuf_printf(&profile, "--user-data-dir=%s/profile", dir);
    strbuf_printf(&print, "--print-to-pdf=%s", pdf.data);
    s_file_url(&url, html.data);
    char *argv[] = {(char *)chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", "--no-first-run", "--no-default-browser-check",
                    "--disable-extensions", "--disable-dev-shm-usage", profile.data, print.data,
                    url.data, NULL};
    int rc = s_run(argv, log.data, CHROMIUM_TIMEOUT_S);
    int exit_code = EXIT_OK;
    if (rc == -1)
        exit_code = cli_error(EXIT_LOCAL, "cannot run %s: %s", chromium, strerror(errno));
    else if (rc == -2)
        exit_code = cli_error(EXIT_LOCAL, "Chromium did not print the PDF within %d s (%s)",
                              CHROMIUM_TIMEOUT_S, chromium);
    else if (rc != 0 || !s_is_pdf(pdf.data))
        exit_code = cli_error(EXIT_LOCAL, "Chromium could not print the PDF (%s, exit status %d)",
                              chromium, rc);
    else if (!report_out_copy(out, pdf.data))
        exit_code = EXIT_LOCAL;
    strbuf_free(&html);
    strbuf_free(&pdf);
    strbuf_free(&log);
    strbuf_free(&profile);
    strbuf_free(&print);
    strbuf_free(&url);
    return exit_code;
}

int report_write_pdf(const report_doc_t *doc, report_out_t *out)
{
    const char *configured;
    char *chromium = s_find_chromium(&configured);
    if (!chromium && configured)
        return cli_error(EXIT_LOCAL,
                         "a PDF needs Chromium, and THUKY_CHROMIUM=%s is not an executable "
                         "file: install it (apt-get install chromium) or correct the variable",
                         configured);
    if (!chromium)
        return cli_error(EXIT_LOCAL, "a PDF needs Chromium, which is not installed: apt-get "
                                     "install chromium (or set THUKY_CHROMIUM to its path)");
    char *dir = report_tmpdir_new();
    if (!dir) {
        free(chromium);
        return EXIT_LOCAL;
    }
    strbuf_t page = {0}, path = {0};
    report_html(doc, &page);
    strbuf_printf(&path, "%s/report.html", dir);
    FILE *f = fopen(path.data, "wb");
    int rc = EXIT_OK;
    if (!f || fwrite(page.data, 1, page.len, f) != page.len) {
        rc = cli_error(EXIT_LOCAL, "cannot write %s: %s", path.data, strerror(errno));
    }
    if (f && fclose(f) != 0 && rc == EXIT_OK)
        rc = cli_error(EXIT_LOCAL, "cannot write %s: %s", path.data, strerror(errno));
    if (rc == EXIT_OK)
        rc = s_print(chromium, dir, out);
    strbuf_free(&page);
    strbuf_free(&path);
    report_tmpdir_remove(&dir);
    free(chromium);
    return rc;
}
