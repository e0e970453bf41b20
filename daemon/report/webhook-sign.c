/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "log.h"
#include "string-util.h"
#include "webhook-sign.h"

void erase_and_free(void *p, size_t size) {
        if (!p)
                return;
        explicit_bzero(p, size);
        free(p);
}

int webhook_read_secret_file(const char *path, char **ret, size_t *ret_size, const char **ret_reason) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        char *buf;
        size_t n = 0;

        assert(path);
        assert(ret);

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode)) {
                if (ret_reason)
                        *ret_reason = "not a regular file";
                return -EPERM;
        }
        if (st.st_mode & (S_IRWXG | S_IRWXO)) {
                if (ret_reason)
                        *ret_reason = "group or others have access to it (chmod 0600 it)";
                return -EPERM;
        }
        if (st.st_uid != 0 && st.st_uid != geteuid()) {
                if (ret_reason)
                        *ret_reason = "owned by another user (chown it to root)";
                return -EPERM;
        }
        if ((uint64_t) st.st_size > WEBHOOK_SECRET_MAX_BYTES)
                return -EFBIG;

        buf = malloc(WEBHOOK_SECRET_MAX_BYTES + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf + n, WEBHOOK_SECRET_MAX_BYTES + 1 - n);

                if (k < 0) {
                        int e = errno;
                        erase_and_free(buf, WEBHOOK_SECRET_MAX_BYTES + 1);
                        return -e;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > WEBHOOK_SECRET_MAX_BYTES) {
                        erase_and_free(buf, WEBHOOK_SECRET_MAX_BYTES + 1);
                        return -EFBIG;
                }
        }
        while (n > 0 && strchr(" \t\r\n", buf[n - 1]))
                n--;
        buf[n] = '\0';
        if (n == 0) {
                erase_and_free(buf, WEBHOOK_SECRET_MAX_BYTES + 1);
                return -ENODATA;
        }
        *ret = buf;
        if (ret_size)
                *ret_size = n;
        return 0;
}

int webhook_secret_key(const char *secret, size_t size, uint8_t **ret, size_t *ret_size) {
        const char *b64 = startswith(secret, "whsec_");
        uint8_t *key;
        size_t l;
        int n;

        if (!b64) {
                key = malloc(size ?: 1);
                if (!key)
                        return -ENOMEM;
                memcpy(key, secret, size);
                *ret = key;
                *ret_size = size;
                return 0;
        }

        l = strlen(b64);
        if (l == 0 || l % 4 != 0 || strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != l)
                return -EINVAL;
        key = malloc(l / 4 * 3 + 1);
        if (!key)
                return -ENOMEM;
        n = EVP_DecodeBlock(key, (const unsigned char *) b64, (int) l);
        if (n < 0) {
                erase_and_free(key, l / 4 * 3 + 1);
                return -EINVAL;
        }
        /* EVP_DecodeBlock() counts the padding as zero bytes. */
        if (l >= 1 && b64[l - 1] == '=')
                n--;
        if (l >= 2 && b64[l - 2] == '=')
                n--;
        if (n <= 0) {
                erase_and_free(key, l / 4 * 3 + 1);
                return -EINVAL;
        }
        *ret = key;
        *ret_size = (size_t) n;
        return 0;
}

char *webhook_base64(const void *data, size_t size) {
        char *out = malloc(4 * DIV_ROUND_UP(size, 3) + 1);

        if (!out)
                return NULL;
        (void) EVP_EncodeBlock((unsigned char *) out, data, (int) size);
        return out;
}

int webhook_sign(const uint8_t *key, size_t key_size, const char *webhook_id, uint64_t timestamp_sec,
                 const char *body, size_t body_size, char **ret) {
        _cleanup_free_ char *b64 = NULL;
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned mac_size = 0;
        char ts[32];
        int ok;

        snprintf(ts, sizeof(ts), "%" PRIu64, timestamp_sec);
        /* EVP_MAC: OpenSSL 3's interface (HMAC_CTX is deprecated there). */
        {
                EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
                EVP_MAC_CTX *c = m ? EVP_MAC_CTX_new(m) : NULL;
                OSSL_PARAM params[] = {
                        OSSL_PARAM_construct_utf8_string("digest", (char *) "SHA256", 0),
                        OSSL_PARAM_construct_end(),
                };
                size_t outl = 0;

                ok = c && EVP_MAC_init(c, key, key_size, params) == 1 &&
                     EVP_MAC_update(c, (const unsigned char *) webhook_id, strlen(webhook_id)) == 1 &&
                     EVP_MAC_update(c, (const unsigned char *) ".", 1) == 1 &&
                     EVP_MAC_update(c, (const unsigned char *) ts, strlen(ts)) == 1 &&
                     EVP_MAC_update(c, (const unsigned char *) ".", 1) == 1 &&
                     EVP_MAC_update(c, (const unsigned char *) body, body_size) == 1 &&
                     EVP_MAC_final(c, mac, &outl, sizeof(mac)) == 1;
                mac_size = (unsigned) outl;
                EVP_MAC_CTX_free(c);
                EVP_MAC_free(m);
        }
        if (!ok)
                return -EIO;

        b64 = webhook_base64(mac, mac_size);
        explicit_bzero(mac, sizeof(mac));
        if (!b64)
                return -ENOMEM;
        if (asprintf(ret, "v1,%s", b64) < 0)
                return -ENOMEM;
        return 0;
}

char *webhook_id_encode(const char *event_id) {
        static const char hex[] = "0123456789ABCDEF";
        size_t l = strlen(event_id);
        char *out = malloc(3 * l + 1), *p = out;

        if (!out)
                return NULL;
        for (const char *s = event_id; *s; s++) {
                unsigned char c = (unsigned char) *s;

                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-')
                        *p++ = (char) c;
                else {
                        *p++ = '%';
                        *p++ = hex[c >> 4];
                        *p++ = hex[c & 15];
                }
        }
        *p = '\0';
        return out;
}
