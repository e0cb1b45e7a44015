#include "runtime/curve.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "base/i18n.h"
#include "runtime/secret.h"

bool curve_endpoint(const char *endpoint) { return strncmp(endpoint, "tcp://", 6) == 0; }

typedef struct {
    curve_pair_t *pair;
    bool bad;
} parse_t;

static int s_key(void *user, const char *section, const char *key, const char *value)
{
    parse_t *p = user;
    char *dst = NULL;
    if (strcmp(section, "curve") == 0 && strcmp(key, "public_key") == 0)
        dst = p->pair->public_key;
    else if (strcmp(section, "curve") == 0 && strcmp(key, "secret_key") == 0)
        dst = p->pair->secret_key;
    uint8_t raw[32];
    if (!dst || strlen(value) != CONFIG_Z85_KEY_LEN || !zmq_z85_decode(raw, value)) {
        p->bad = true;
        return 0;
    }
    memcpy(dst, value, CONFIG_Z85_KEY_LEN + 1);
    return 1;
}

static int s_load(const char *path, bool secret, curve_pair_t *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    char text[1024];
    if (secret_file_read(path, secret, text, sizeof text, why, why_len) != 0)
        return -1;
    parse_t p = {.pair = out};
    int rc = ini_parse_string(text, s_key, &p);
    secret_wipe(text, sizeof text);
    if (rc != 0 || p.bad || !out->public_key[0] || (secret && !out->secret_key[0])) {
        snprintf(why, why_len,
                 secret ? _("%s is not a thuky secret key file (see thuky keygen)")
                        : _("%s is not a thuky public key file (see thuky keygen)"),
                 path);
        secret_wipe(out, sizeof *out);
        return -1;
    }
    if (secret) {
        /* A secret key whose public half was edited would fail every
         * handshake with an obscure error; say so here. */
        char derived[CONFIG_Z85_KEY_LEN + 1];
        if (zmq_curve_public(derived, out->secret_key) != 0 ||
            strcmp(derived, out->public_key) != 0) {
            snprintf(why, why_len, _("%s: public_key does not belong to secret_key"), path);
            secret_wipe(out, sizeof *out);
            return -1;
        }
    }
    return 0;
}

int curve_load_pair(const char *path, curve_pair_t *out, char *why, size_t why_len)
{
    return s_load(path, true, out, why, why_len);
}

int curve_load_public(const char *path, char out[CONFIG_Z85_KEY_LEN + 1], char *why,
                      size_t why_len)
{
    curve_pair_t pair;
    if (s_load(path, false, &pair, why, why_len) != 0)
        return -1;
    memcpy(out, pair.public_key, CONFIG_Z85_KEY_LEN + 1);
    return 0;
}

static int s_write(const char *path, mode_t mode, const char *text, char *why, size_t why_len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        snprintf(why, why_len, _("cannot create %s: %s"), path, strerror(errno));
        return -1;
    }
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len && fchmod(fd, mode) == 0 && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = false;
    if (!ok) {
        snprintf(why, why_len, _("cannot write %s: %s"), path, strerror(errno));
        unlink(path);
        return -1;
    }
    return 0;
}

int curve_keygen(const char *dir, const char *name, char *why, size_t why_len)
{
    curve_pair_t pair;
    if (zmq_curve_keypair(pair.public_key, pair.secret_key) != 0) {
        snprintf(why, why_len, "%s", _("this libzmq has no CURVE support"));
        return -1;
    }
    char pub_path[CONFIG_PATH_MAX + 80], sec_path[CONFIG_PATH_MAX + 80];
    snprintf(pub_path, sizeof pub_path, "%s/%s.key", dir, name);
    snprintf(sec_path, sizeof sec_path, "%s/%s.secret", dir, name);
    if (access(pub_path, F_OK) == 0 || access(sec_path, F_OK) == 0) {
        snprintf(why, why_len, _("%s/%s.key or .secret exists already; not overwritten"), dir,
                 name);
        return -1;
    }
    char text[512];
    snprintf(text, sizeof text,
             "# thuky CURVE secret key of %s (thuky keygen). Keep it to this host.\n"
             "[curve]\npublic_key = %s\nsecret_key = %s\n",
             name, pair.public_key, pair.secret_key);
    int rc = s_write(sec_path, 0600, text, why, why_len);
    secret_wipe(text, sizeof text);
    secret_wipe(&pair.secret_key, sizeof pair.secret_key);
    if (rc != 0)
        return -1;
    snprintf(text, sizeof text,
             "# thuky CURVE public key of %s (thuky keygen). Copy it to the hosts that\n"
             "# must trust %s.\n[curve]\npublic_key = %s\n",
             name, name, pair.public_key);
    if (s_write(pub_path, 0644, text, why, why_len) != 0) {
        unlink(sec_path);
        return -1;
    }
    return 0;
}

void curve_key_path(const config_t *cfg, const char *name, bool secret, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s.%s", cfg->key_dir, name, secret ? "secret" : "key");
}

int curve_client_load(const config_t *cfg, service_id_t to, const char *own_path,
                      curve_client_t *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    char path[CONFIG_PATH_MAX + 80];
    curve_key_path(cfg, config_service(cfg, to)->name, false, path, sizeof path);
    if (curve_load_public(path, out->server_key, why, why_len) != 0)
        return -1;
    return curve_load_pair(own_path, &out->own, why, why_len);
}

void curve_apply_client(void *socket, const curve_client_t *keys)
{
    zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, keys->server_key, CONFIG_Z85_KEY_LEN);
    zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, keys->own.public_key, CONFIG_Z85_KEY_LEN);
    zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, keys->own.secret_key, CONFIG_Z85_KEY_LEN);
}

void curve_apply_server(void *socket, const curve_pair_t *pair)
{
    int one = 1;
    zmq_setsockopt(socket, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, pair->secret_key, CONFIG_Z85_KEY_LEN);
}
