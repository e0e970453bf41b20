/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Enum <-> string tables.  Every enum has a _FOO_MAX sentinel and
 * _FOO_INVALID = -EINVAL; its names live in ONE designated-initializer
 * table, and these macros generate foo_to_string() / foo_from_string():
 *
 *   static const char *const transport_table[_TRANSPORT_MAX] = {
 *           [TRANSPORT_SATA] = "sata", ...
 *   };
 *   DEFINE_STRING_TABLE_LOOKUP(transport, Transport);
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#include "macro.h"

const char *string_table_lookup_to_string(const char *const *table, size_t len, ssize_t i);
ssize_t string_table_lookup_from_string(const char *const *table, size_t len, const char *key);

#define DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type)                                   \
        const char *name##_to_string(type i) {                                             \
                return string_table_lookup_to_string(name##_table, ELEMENTSOF(name##_table), i); \
        }

#define DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type)                                 \
        type name##_from_string(const char *s) {                                           \
                return (type) string_table_lookup_from_string(name##_table, ELEMENTSOF(name##_table), s); \
        }

#define DEFINE_STRING_TABLE_LOOKUP(name, type)                                             \
        DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type)                                   \
        DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type)
