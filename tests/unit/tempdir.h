/* Temporary directories for unit tests: made under /tmp, removed whole. */
#ifndef THUKY_TEST_TEMPDIR_H
#define THUKY_TEST_TEMPDIR_H

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static int tempdir_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Creates /tmp/thuky-test-NAME-XXXXXX into root (size len). */
static inline bool tempdir_make(char *root, size_t len, const char *name)
{
    snprintf(root, len, "/tmp/thuky-test-%s-XXXXXX", name);
    return mkdtemp(root) != NULL;
}

static inline void tempdir_remove(const char *root)
{
    nftw(root, tempdir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
