/* Signed alert links: a link signed with the newest key verifies with the
 * loaded keys; any change to it (alert, office, expiry, key, MAC) is refused
 * as forged or malformed, an old key still verifies its links, and an
 * expired link is told apart from a forged one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/signed_link.h"
#include "tempdir.h"

static char s_root[256];
static char s_why[1024];

static void s_write_key(const char *id, const char *hex, mode_t mode)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.key", s_root, id);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", hex);
    fclose(f);
    chmod(path, mode);
}

static const char KEY_A[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
static const char KEY_B[] = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

static int setup(void **state)
{
    (void)state;
    return tempdir_make(s_root, sizeof s_root, "link") ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tempdir_remove(s_root);
    return 0;
}

static void test_a_signed_link_verifies_and_names_its_alert_and_office(void **state)
{
    (void)state;
    s_write_key("2026-01", KEY_A, 0600);
    link_keys_t keys;
    assert_int_equal(link_keys_load(s_root, &keys, s_why, sizeof s_why), 0);
    char path[LINK_PATH_MAX];
    assert_true(link_sign(&keys, "A12-20240930-L7-vu-thu-ky", "vu-thu-ky", 1900000000, path));
    assert_non_null(strstr(path, "/a/A12-20240930-L7-vu-thu-ky/vu-thu-ky.1900000000.2026-01."));
    link_t link;
    assert_int_equal(link_verify(&keys, path, 1800000000, &link), LINK_VALID);
    assert_string_equal(link.alert, "A12-20240930-L7-vu-thu-ky");
    assert_string_equal(link.office, "vu-thu-ky");
    assert_int_equal(link.expiry_s, 1900000000);
    /* past its expiry it is genuine but expired, not forged */
    assert_int_equal(link_verify(&keys, path, 1900000000, &link), LINK_EXPIRED);
}

static void test_every_change_to_a_link_is_refused(void **state)
{
    (void)state;
    s_write_key("k1", KEY_A, 0600);
    link_keys_t keys;
    assert_int_equal(link_keys_load(s_root, &keys, s_why, sizeof s_why), 0);
    char path[LINK_PATH_MAX];
    assert_true(link_sign(&keys, "A1-x", "ubtc.qh", 1900000000, path));
    assert_int_equal(link_verify(&keys, path, 0, NULL), LINK_VALID);

    char other[LINK_PATH_MAX];
    /* another office (with a dot, which the parser must split right) */
    snprintf(other, sizeof other, "%s", path);
    memcpy(strstr(other, "ubtc.qh"), "ubtc.qx", 7);
    assert_int_equal(link_verify(&keys, other, 0, NULL), LINK_FORGED);
    /* a later expiry */
    snprintf(other, sizeof other, "%s", path);
    strstr(other, "1900000000")[0] = '2';
    assert_int_equal(link_verify(&keys, other, 0, NULL), LINK_FORGED);
    /* another alert */
    snprintf(other, sizeof other, "%s", path);
    strstr(other, "A1-x")[3] = 'y';
    assert_int_equal(link_verify(&keys, other, 0, NULL), LINK_FORGED);
    /* a flipped MAC character */
    snprintf(other, sizeof other, "%s", path);
    char *last = other + strlen(other) - 1;
    *last = *last == 'A' ? 'B' : 'A';
    assert_int_equal(link_verify(&keys, other, 0, NULL), LINK_FORGED);
    /* an unknown key id */
    snprintf(other, sizeof other, "%s", path);
    memcpy(strstr(other, ".k1."), ".k2.", 4);
    assert_int_equal(link_verify(&keys, other, 0, NULL), LINK_UNKNOWN_KEY);

    static const char *const malformed[] = {
        "", "/a/", "/a/A1-x", "/a/A1-x/", "/a/A1-x/ubtc.1900000000.k1",
        "/a/A1-x/ubtc.19x0000000.k1.AAAAAAAAAAAAAAAAAAAAAA",
        "/a/A1-x/ubtc.1900000000.k1.AAAA", "/a/A 1/ubtc.1900000000.k1.AAAAAAAAAAAAAAAAAAAAAA",
        "/a/A1-x/.1900000000.k1.AAAAAAAAAAAAAAAAAAAAAA", "/b/A1-x/ubtc.1.k1.AAAAAAAAAAAAAAAAAAAAAA",
        "/a/A1-x/ubtc.1900000000000000.k1.AAAAAAAAAAAAAAAAAAAAAA",
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
        assert_int_equal(link_verify(&keys, malformed[i], 0, NULL), LINK_MALFORMED);
    assert_int_equal(link_verify(&keys, NULL, 0, NULL), LINK_MALFORMED);
}

static void test_the_newest_key_signs_and_the_old_one_still_verifies(void **state)
{
    (void)state;
    s_write_key("2026-01", KEY_A, 0600);
    link_keys_t old;
    assert_int_equal(link_keys_load(s_root, &old, s_why, sizeof s_why), 0);
    char before[LINK_PATH_MAX];
    assert_true(link_sign(&old, "A1", "vu-thu-ky", 1900000000, before));

    s_write_key("2026-07", KEY_B, 0640);
    link_keys_t keys;
    assert_int_equal(link_keys_load(s_root, &keys, s_why, sizeof s_why), 0);
    assert_int_equal(keys.count, 2);
    char after[LINK_PATH_MAX];
    assert_true(link_sign(&keys, "A1", "vu-thu-ky", 1900000000, after));
    assert_non_null(strstr(after, ".2026-07."));
    assert_int_equal(link_verify(&keys, before, 0, NULL), LINK_VALID);
    assert_int_equal(link_verify(&keys, after, 0, NULL), LINK_VALID);
    /* a key's own MAC does not pass under the other key's id */
    char swapped[LINK_PATH_MAX];
    snprintf(swapped, sizeof swapped, "%s", before);
    memcpy(strstr(swapped, ".2026-01."), ".2026-07.", 9);
    assert_int_equal(link_verify(&keys, swapped, 0, NULL), LINK_FORGED);
    link_keys_wipe(&keys);
    assert_int_equal(keys.count, 0);
}

static void test_bad_key_files_are_refused_clearly(void **state)
{
    (void)state;
    link_keys_t keys;
    assert_int_equal(link_keys_load(s_root, &keys, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "no link key"));

    s_write_key("open", KEY_A, 0644);
    assert_int_equal(link_keys_load(s_root, &keys, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "open.key"));
    assert_null(strstr(s_why, KEY_A));
    char path[512];
    snprintf(path, sizeof path, "%s/open.key", s_root);
    remove(path);

    s_write_key("short", "0011", 0600);
    assert_int_equal(link_keys_load(s_root, &keys, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "64 hex digits"));
    snprintf(path, sizeof path, "%s/short.key", s_root);
    remove(path);

    s_write_key("Upper", KEY_A, 0600);
    assert_int_equal(link_keys_load(s_root, &keys, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "key id"));

    assert_int_equal(link_keys_load("/nonexistent/keys", &keys, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "/nonexistent/keys"));
}

static void test_nothing_unsafe_for_a_url_is_signed(void **state)
{
    (void)state;
    s_write_key("k1", KEY_A, 0600);
    link_keys_t keys;
    assert_int_equal(link_keys_load(s_root, &keys, s_why, sizeof s_why), 0);
    char path[LINK_PATH_MAX];
    assert_false(link_sign(&keys, "A1/../x", "vu", 1, path));
    assert_false(link_sign(&keys, "A1", "vụ", 1, path));
    assert_false(link_sign(&keys, "", "vu", 1, path));
    assert_false(link_sign(&keys, "A1", "vu", 0, path));
    char long_id[LINK_ID_MAX + 2];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_false(link_sign(&keys, long_id, "vu", 1, path));
    assert_string_equal(path, "");
    link_keys_t none = {0};
    assert_false(link_sign(&none, "A1", "vu", 1, path));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_signed_link_verifies_and_names_its_alert_and_office,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_change_to_a_link_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_newest_key_signs_and_the_old_one_still_verifies,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_key_files_are_refused_clearly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_unsafe_for_a_url_is_signed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
