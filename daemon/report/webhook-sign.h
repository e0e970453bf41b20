/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Secrets and signatures of the webhook notifier.
 *
 * Signatures follow Standard Webhooks 1.0 (standardwebhooks.com, spec
 * "Verifying webhook authenticity"): three headers
 *
 *   webhook-id:        the event id (stable across retries), with every
 *                      byte outside [A-Za-z0-9_-] percent-encoded: the spec
 *                      asks for an id without '.', ours "<incident>.<seq>"
 *                      has one
 *   webhook-timestamp: the attempt's time, integer Unix seconds
 *   webhook-signature: "v1,<base64 of HMAC-SHA256(key, id.timestamp.body)>"
 *
 * The key is the secret file's content: "whsec_<base64>" decodes to the
 * key bytes as the spec serialises them; anything else is used as it is.
 * Trailing white space (the newline of `echo > file`) is not part of it.
 *
 * Secret files (signing secret, bearer token, PagerDuty routing key) must
 * be regular files owned by root or by us, readable by nobody else: a
 * secret others can read is not one.  Their content is never logged.
 */

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define WEBHOOK_SECRET_MAX_BYTES 4096U

/* webhook_read_secret_file() - the content of a secret file without
 * trailing white space.
 * @ret_reason: on -EPERM, why (a static string for the caller's message).
 * Return: 0, -EPERM (readable or writable by group/others, not a regular
 * file, foreign owner), -ENODATA (empty), -EFBIG, -errno from open/read. */
int webhook_read_secret_file(const char *path, char **ret, size_t *ret_size, const char **ret_reason);

/* webhook_secret_key() - the HMAC key a secret stands for ("whsec_"
 * decoding).  Return: 0, -EINVAL (bad base64 after "whsec_"), -ENOMEM. */
int webhook_secret_key(const char *secret, size_t size, uint8_t **ret, size_t *ret_size);

/* webhook_sign() - "v1,<base64>" for one attempt.
 * Return: 0 with *ret, -ENOMEM, -EIO (OpenSSL failed). */
int webhook_sign(const uint8_t *key, size_t key_size, const char *webhook_id, uint64_t timestamp_sec,
                 const char *body, size_t body_size, char **ret);

/* webhook_id_encode() - the webhook-id header value of an event id.
 * Return: a new string, or NULL on ENOMEM. */
char *webhook_id_encode(const char *event_id);

/* base64 (RFC 4648, padded) of data.  Return: a new string, NULL on ENOMEM. */
char *webhook_base64(const void *data, size_t size);

/* erase_and_free() - zero then free a secret buffer of size bytes. */
void erase_and_free(void *p, size_t size);
