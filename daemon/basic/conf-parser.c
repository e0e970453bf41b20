/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "alloc-util.h"
#include "conf-parser.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "parse-util.h"
#include "string-util.h"
#include "time-util.h"

typedef struct ParseState {
        const char *filename;
        FILE *f;
        unsigned line;       /* line number of the line inih is handling */
        bool line_too_long;
        const ConfigTableItem *table;
        void *userdata;
        int error;           /* first error, 0 if none */
} ParseState;

/* inih's reader callback, fgets-like.  inih calls it once per line and runs
 * the handler for that line before asking for the next, so counting here
 * gives the handler the line number (Debian builds inih without
 * INI_HANDLER_LINENO).  A line longer than inih's buffer would be split by
 * it into garbage: refuse it by name instead. */
static char *reader(char *str, int num, void *stream) {
        ParseState *s = stream;
        size_t l;

        if (!fgets(str, num, s->f))
                return NULL;
        s->line++;
        l = strlen(str);
        if (l > 0 && str[l - 1] != '\n' && !feof(s->f)) {
                int c;

                /* Swallow the rest of the long line so counting stays right. */
                while ((c = fgetc(s->f)) != EOF && c != '\n')
                        ;
                log_error("%s:%u: line longer than %d bytes, ignoring it.", s->filename, s->line, num - 2);
                if (s->error == 0)
                        s->error = -EINVAL;
                str[0] = '\0';
        }
        return str;
}

bool config_section_suffix_valid(const char *suffix) {
        size_t n;

        if (isempty(suffix))
                return false;
        n = strspn(suffix, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@:-");
        return suffix[n] == '\0' && n <= CONFIG_SECTION_SUFFIX_MAX;
}

/* section_match() - whether [section] is what the item names: equal, or
 * for an item "Prefix.*" any "[Prefix.NAME]".
 * Return: 1 with *ret_suffix (NULL for an exact match), 0 if not. */
static int section_match(const ConfigTableItem *i, const char *section, const char **ret_suffix) {
        const char *star = endswith(i->section, ".*"), *suffix;

        if (!star) {
                *ret_suffix = NULL;
                return streq(i->section, section);
        }
        if (strlen(section) <= (size_t) (star + 1 - i->section) ||
            !strneq(section, i->section, (size_t) (star + 1 - i->section)))
                return 0;
        suffix = section + (star + 1 - i->section);
        *ret_suffix = suffix;
        return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value) {
        ParseState *s = user;
        ConfigContext ctx = {
                .filename = s->filename,
                .line = s->line,
                .section = section,
                .key = name,
        };
        bool section_known = false;

        for (const ConfigTableItem *i = s->table; i->section; i++) {
                const char *reason = NULL, *suffix;
                uint8_t *base = s->userdata;
                int r;

                if (!section_match(i, section, &suffix))
                        continue;
                if (suffix && !config_section_suffix_valid(suffix)) {
                        log_error("%s:%u: invalid section name [%s]: expected a name of letters, digits and "
                                  "'_.@:-' after the '.', at most %d bytes.",
                                  s->filename, s->line, section, CONFIG_SECTION_SUFFIX_MAX);
                        if (s->error == 0)
                                s->error = -EINVAL;
                        return 1;
                }
                section_known = true;
                if (!streq(i->key, name))
                        continue;

                if (suffix) {
                        assert(i->section_lookup);
                        base = i->section_lookup(s->userdata, suffix);
                        if (!base) {
                                log_oom();
                                if (s->error == 0)
                                        s->error = -ENOMEM;
                                return 1;
                        }
                }
                ctx.section_suffix = suffix;
                r = i->parse(&ctx, value, base + i->offset, &reason);
                if (r < 0) {
                        if (r == -ENOMEM)
                                log_oom();
                        else
                                log_error("%s:%u: invalid value for %s= in [%s]: '%s'%s%s",
                                          s->filename, s->line, name, section, value,
                                          reason ? ": expected " : "", strempty(reason));
                        if (s->error == 0)
                                s->error = r == -ENOMEM ? r : -EINVAL;
                }
                /* Return 1 either way: we report errors ourselves and want
                 * inih to go on, so every bad line is named in one run. */
                return 1;
        }

        if (section_known)
                log_warning("%s:%u: unknown key '%s' in section [%s], ignoring.", s->filename, s->line, name, section);
        else
                log_warning("%s:%u: unknown section [%s], ignoring key '%s'.", s->filename, s->line, section, name);
        return 1;
}

int config_parse_file(const char *path, const ConfigTableItem *table, void *userdata, bool missing_ok) {
        _cleanup_fclose_ FILE *f = NULL;
        ParseState s = {
                .filename = path,
                .table = table,
                .userdata = userdata,
        };
        int r;

        assert(path);
        assert(table);

        f = fopen(path, "re");
        if (!f) {
                if (errno == ENOENT && missing_ok)
                        return 0;
                return log_error_errno(errno, "Failed to open configuration file '%s': %m", path);
        }
        s.f = f;

        r = ini_parse_stream(reader, &s, handler, &s);
        if (r > 0) {
                /* inih reports the first line it could not parse at all:
                 * no '=' or ':', or an unterminated section header. */
                log_error("%s:%d: syntax error: expected 'Key=value' or '[Section]'.", path, r);
                if (s.error == 0)
                        s.error = -EINVAL;
        } else if (r < 0) {
                return log_error_errno(ENOMEM, "Failed to parse '%s': %m", path);
        }
        if (ferror(f))
                return log_error_errno(EIO, "Failed to read configuration file '%s': %m", path);

        return s.error;
}

int config_table_concat(const ConfigTableItem *a, const ConfigTableItem *b, size_t b_offset, ConfigTableItem **ret) {
        size_t na = 0, nb = 0;
        ConfigTableItem *t;

        while (a[na].section)
                na++;
        while (b[nb].section)
                nb++;
        t = new0(ConfigTableItem, na + nb + 1);
        if (!t)
                return -ENOMEM;
        memcpy(t, a, na * sizeof(ConfigTableItem));
        for (size_t i = 0; i < nb; i++) {
                t[na + i] = b[i];
                /* A "Prefix.*" item's offset is into the struct its lookup
                 * returns, not into userdata: it stays. */
                if (!b[i].section_lookup)
                        t[na + i].offset += b_offset;
        }
        *ret = t;
        return 0;
}

static int dropin_filter(const struct dirent *de) {
        return de->d_name[0] != '.' && endswith(de->d_name, ".conf");
}

int config_parse_with_dropins(const char *path, const ConfigTableItem *table, void *userdata,
                              bool missing_ok) {
        _cleanup_free_ char *dir = NULL;
        struct dirent **list = NULL;
        int r, n, ret;

        ret = config_parse_file(path, table, userdata, missing_ok);

        if (asprintf(&dir, "%s.d", path) < 0) {
                dir = NULL;
                return log_oom();
        }
        n = scandir(dir, &list, dropin_filter, alphasort);
        if (n < 0) {
                if (errno != ENOENT)
                        log_warning_errno(errno, "Failed to read drop-in directory '%s', ignoring: %m", dir);
                return ret;
        }
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *p = path_join(dir, list[i]->d_name);

                if (!p)
                        r = log_oom();
                else
                        r = config_parse_file(p, table, userdata, false);
                if (r < 0 && ret >= 0)
                        ret = r;
        }
        for (int i = 0; i < n; i++)
                free(list[i]);
        free(list);
        return ret;
}

int config_parse_bool(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        int r = parse_boolean(rvalue);

        if (r < 0) {
                *ret_reason = "a boolean (yes/no)";
                return r;
        }
        *(bool *) data = r;
        return 0;
}

int config_parse_string(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        return free_and_strdup(data, isempty(rvalue) ? NULL : rvalue) < 0 ? -ENOMEM : 0;
}

int config_parse_path(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        if (rvalue[0] != '/') {
                *ret_reason = "an absolute path";
                return -EINVAL;
        }
        return config_parse_string(ctx, rvalue, data, ret_reason);
}

int config_parse_strv(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        char ***l = data;
        char **n;
        int r;

        r = strv_split(rvalue, " \t", &n);
        if (r < 0)
                return r;
        strv_free(*l);
        *l = n;
        return 0;
}

int config_parse_unsigned(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        int r = safe_atou(rvalue, data);

        if (r < 0)
                *ret_reason = "a non-negative integer";
        return r;
}

int config_parse_double(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        char *e;
        double v;

        errno = 0;
        v = strtod(rvalue, &e);
        if (e == rvalue || *e != '\0' || errno == ERANGE || !isfinite(v)) {
                *ret_reason = "a decimal number";
                return -EINVAL;
        }
        *(double *) data = v;
        return 0;
}

int config_parse_sec(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        int r = parse_sec(rvalue, data);

        if (r < 0)
                *ret_reason = "a time span such as 30s, 5min, 1h or 2d";
        return r;
}

int config_parse_log_level(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        int l = log_level_from_string(rvalue);

        if (l < 0) {
                *ret_reason = "one of emerg, alert, crit, err, warning, notice, info, debug";
                return -EINVAL;
        }
        *(int *) data = l;
        return 0;
}
