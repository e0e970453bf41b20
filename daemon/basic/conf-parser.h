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

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

typedef struct ConfigContext {
        const char *filename;
        unsigned line;
        const char *section;
        const char *section_suffix; /* "NAME" of [Prefix.NAME] for a "Prefix.*" item, else NULL */
        const char *key;
} ConfigContext;

/* A value parser: parse rvalue into data (the field the table points at).
 * It logs nothing; it returns -EINVAL/-ERANGE and may set *ret_reason to a
 * static string that says what was expected. */
typedef int (*ConfigParser)(const ConfigContext *ctx, const char *rvalue, void *data,
                            const char **ret_reason);

/* For sections with a variable suffix: a table item whose section is
 * "Prefix.*" matches [Prefix.NAME] for any NAME (letters, digits, '-', '_',
 * '.', '@', ':'), and its offset is relative to the struct this function
 * returns for NAME (found or created in userdata; NULL only on ENOMEM):
 *
 *   { "Webhook.*", "URL", config_parse_string, offsetof(WebhookEndpoint, url), webhook_section },
 */
#define CONFIG_SECTION_SUFFIX_MAX 64

typedef void *(*ConfigSectionLookup)(void *userdata, const char *suffix);

typedef struct ConfigTableItem {
        const char *section;
        const char *key;
        ConfigParser parse;
        size_t offset;
        ConfigSectionLookup section_lookup; /* only for "Prefix.*" sections */
} ConfigTableItem;

/* config_section_suffix_valid() - whether NAME is usable as the suffix of a
 * "[Prefix.NAME]" section (non-empty, at most 64 bytes of [A-Za-z0-9_.@:-]). */
bool config_section_suffix_valid(const char *suffix) _pure_;

/* config_table_concat() - one table from two: a's items, then b's with
 * their offsets moved by b_offset (b describes a struct embedded in a's at
 * that offset; items with a section_lookup keep theirs, and their lookup
 * gets the whole userdata).  Lets each module keep its own table.
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
