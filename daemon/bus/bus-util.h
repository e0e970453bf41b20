/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What every storguard bus handler shares: the privilege check, argument
 * validation (pure functions, so the fuzzers can call them directly) and
 * the mapping of -errno to named errors.
 */

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

#include "macro.h"

typedef struct Manager Manager;

/* Limits on what callers may send (bytes, without the NUL). */
#define BUS_ID_MAX 128       /* incident ids: "<host>-<number>" */
#define BUS_DEVICE_MAX 255   /* a kernel name ("sdb", "nvme0n1") or a CI id */
#define BUS_WHO_MAX 64       /* who acknowledges */
#define BUS_COMMENT_MAX 1024 /* comments and reasons */

/* bus_valid_id() - an incident id: 1..BUS_ID_MAX of [A-Za-z0-9._:@-]. */
bool bus_valid_id(const char *s) _pure_;
/* bus_valid_device() - a kernel name or a CI id: 1..BUS_DEVICE_MAX
 * printable ASCII bytes, no white space, no '/', not "." or "..". */
bool bus_valid_device(const char *s) _pure_;
/* bus_valid_text() - free text of at most max bytes without control
 * characters (UTF-8 validity is checked by sd-bus already).
 * @empty_ok: whether "" is acceptable. */
bool bus_valid_text(const char *s, size_t max, bool empty_ok) _pure_;

/* bus_check_privileged() - the caller of @message is root, or a member of
 * [Bus] PrivilegedGroup= (primary or supplementary group).
 * Return: 1 if privileged, 0 with error set to NotPermitted, -errno with
 * error set when the credentials could not be read. */
int bus_check_privileged(Manager *m, sd_bus_message *message, sd_bus_error *error);

/* bus_error_from_errno() - set @error for -errno @r from a Manager call:
 * ENOENT -> NotFound, EPERM -> Refused (the lifecycle or a guard said no),
 * EINVAL -> InvalidArgument, EOPNOTSUPP -> NotSupported, else the errno
 * name.  @what says what was attempted ("acknowledge incident 'x'").
 * Return: r (negative). */
int bus_error_from_errno(sd_bus_error *error, int r, const char *what);
