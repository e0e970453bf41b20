/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* verb_webhook() - `storguardctl webhook test|status|retry [ENDPOINT]`.
 *   test    one signed test event to ENDPOINT (default: every endpoint)
 *           through the real delivery path, run here with the daemon's
 *           configuration; prints each receiver's answer
 *   status  per endpoint: queued, dead letters, delivered, the oldest
 *           queued event, the last success and the last error (from the
 *           store, read directly: needs no running daemon)
 *   retry   dead letters of ENDPOINT (default: all) back in the queue; a
 *           running daemon picks them up within a minute
 * @args: the words after "webhook".
 * @state_dir: the store's directory, NULL: StateDirectory= of the config.
 * Return: 0; 1 when a test got no 2xx answer; -errno (logged). */
int verb_webhook(char *const *args, const char *config_path, bool config_explicit, const char *state_dir, bool json);
