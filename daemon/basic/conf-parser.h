/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Table-driven INI configuration: inih does the reading, a table of
 * {section, key, parser, offset} says where each value goes:
 *
 *   static const ConfigTableItem items[] = {
 *           { "Daemon", "LogLevel", config_parse_log_level, offsetof(Config, log_level) },
 *           {}
 *   };
 *
 * Every message names the file and line.  An unknown section or key is a
 * warning and parsing goes on; an invalid value is an error: the parser
 * keeps going to report every bad line, then fails.
 */

#include <stddef.h>

#include "macro.h"

typedef struct ConfigContext {
        const char *filename;
        unsigned line;
        const char *section;
        const char *key;
} ConfigContext;

/* A value parser: parse rvalue into data (the field the table points at).
 * It logs nothing; it returns -EINVAL/-ERANGE and may set *ret_reason to a
 * static string that says what was expected. */
typedef int (*ConfigParser)(const ConfigContext *ctx, const char *rvalue, void *data,
                            const char **ret_reason);

typedef struct ConfigTableItem {
        const char *section;
        const char *key;
        ConfigParser parse;
        size_t offset;
} ConfigTableItem;

/* config_table_concat() - one table from two: a's items, then b's with
 * their offsets moved by b_offset (b describes a struct embedded in a's at
 * that offset).  Lets each module keep its own table.
 * Return: 0 and a new table in *ret (free()), -ENOMEM. */
int config_table_concat(const ConfigTableItem *a, const ConfigTableItem *b, size_t b_offset, ConfigTableItem **ret);

/* config_parse_file() - parse one file into userdata.
 * @missing_ok: a file that does not exist is not an error.
 * Return: 0, -ENOENT (missing and !missing_ok), -EINVAL when a line was
 * invalid (each one logged with file:line), other -errno from reading. */
int config_parse_file(const char *path, const ConfigTableItem *table, void *userdata, bool missing_ok);

/* config_parse_with_dropins() - the main file, then every "*.conf" in
 * "<path>.d/" in lexical order, later values overriding earlier ones.
 * Return: as config_parse_file(); the first error is kept, but every file
 * is read so that all problems are reported in one go. */
int config_parse_with_dropins(const char *path, const ConfigTableItem *table, void *userdata,
                              bool missing_ok);

/* Parsers for common value types. */
int config_parse_bool(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);
int config_parse_string(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);
int config_parse_path(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);
int config_parse_strv(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);
int config_parse_unsigned(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);
int config_parse_double(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);
int config_parse_sec(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);
int config_parse_log_level(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);
