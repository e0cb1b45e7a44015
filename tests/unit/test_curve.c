/* CURVE key files and secret files: what `thuky keygen` writes reads back,
 * and every way a key or secret file can be wrong is refused clearly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "runtime/curve.h"
#include "runtime/secret.h"
#include "tempdir.h"

static char s_root[256];
static char s_why[1024];

static int setup(void **state)
{
    (void)state;
    return tempdir_make(s_root, sizeof s_root, "curve") ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tempdir_remove(s_root);
    return 0;
}

static void write_file(const char *name, const char *text, mode_t mode, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", s_root, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

/* Many pairs, so that Z85 keys holding every awkward character ('#', '[',
 * '=', ...) go through the INI reader. */
static void test_keygen_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < 300; i++) {
        char name[32], path[512];
        snprintf(name, sizeof name, "k%d", i);
        assert_int_equal(curve_keygen(s_root, name, s_why, sizeof s_why), 0);
        curve_pair_t pair;
        snprintf(path, sizeof path, "%s/%s.secret", s_root, name);
        if (curve_load_pair(path, &pair, s_why, sizeof s_why) != 0)
            fail_msg("%s", s_why);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        char public_key[41], derived[41];
        snprintf(path, sizeof path, "%s/%s.key", s_root, name);
        assert_int_equal(curve_load_public(path, public_key, s_why, sizeof s_why), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644);
        assert_string_equal(public_key, pair.public_key);
        assert_int_equal(zmq_curve_public(derived, pair.secret_key), 0);
        assert_string_equal(derived, public_key);
    }
    /* never overwritten */
    assert_int_equal(curve_keygen(s_root, "k0", s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "exists already"));
}

static void test_bad_key_files(void **state)
{
    (void)state;
    curve_pair_t pair;
    char path[512], pub[41];
    assert_int_equal(curve_keygen(s_root, "good", s_why, sizeof s_why), 0);
    snprintf(path, sizeof path, "%s/good.secret", s_root);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(curve_load_pair(path, &pair, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "may be read by others"));
    assert_int_equal(chmod(path, 0640), 0); /* group read is fine: root:thuky */
    assert_int_equal(curve_load_pair(path, &pair, s_why, sizeof s_why), 0);

    snprintf(path, sizeof path, "%s/missing.secret", s_root);
    assert_int_equal(curve_load_pair(path, &pair, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "No such file"));

    write_file("junk.secret", "[curve]\nsecret_key = hello\n", 0600, path, sizeof path);
    assert_int_equal(curve_load_pair(path, &pair, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "not a thuky secret key file"));
    assert_null(strstr(s_why, "hello")); /* contents never echoed */

    char text[256], pk[41], sk[41], pk2[41], sk2[41];
    assert_int_equal(zmq_curve_keypair(pk, sk), 0);
    assert_int_equal(zmq_curve_keypair(pk2, sk2), 0);
    snprintf(text, sizeof text, "[curve]\npublic_key = %s\nsecret_key = %s\n", pk2, sk);
    write_file("mixed.secret", text, 0600, path, sizeof path);
    assert_int_equal(curve_load_pair(path, &pair, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "does not belong"));

    /* a public key file without its key, or a secret file read as public */
    write_file("empty.key", "# nothing\n[curve]\n", 0644, path, sizeof path);
    assert_int_equal(curve_load_public(path, pub, s_why, sizeof s_why), -1);
    write_file("other.key", "[other]\npublic_key = x\n", 0644, path, sizeof path);
    assert_int_equal(curve_load_public(path, pub, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "not a thuky public key file"));
}

static void test_secret_file_read(void **state)
{
    (void)state;
    char path[512], out[64];
    write_file("pw", "s3cret\r\n", 0600, path, sizeof path);
    assert_int_equal(secret_file_read(path, true, out, sizeof out, s_why, sizeof s_why), 0);
    assert_string_equal(out, "s3cret");
    assert_int_equal(chmod(path, 0604), 0);
    assert_int_equal(secret_file_read(path, true, out, sizeof out, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "mode 0604"));
    assert_int_equal(secret_file_read(path, false, out, sizeof out, s_why, sizeof s_why), 0);
    write_file("empty", "\n", 0600, path, sizeof path);
    assert_int_equal(secret_file_read(path, true, out, sizeof out, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "is empty"));
    char big[200];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    write_file("big", big, 0600, path, sizeof path);
    assert_int_equal(secret_file_read(path, true, out, sizeof out, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "larger than"));
    assert_int_equal(secret_file_read(s_root, true, out, sizeof out, s_why, sizeof s_why), -1);
    assert_non_null(strstr(s_why, "not a regular file"));
}

static void test_endpoint_kinds(void **state)
{
    (void)state;
    assert_true(curve_endpoint("tcp://10.0.0.1:7001"));
    assert_false(curve_endpoint("ipc:///run/thuky/taskd.cmd"));
    assert_false(curve_endpoint("inproc://x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keygen_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_key_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_file_read, setup, teardown),
        cmocka_unit_test(test_endpoint_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
