/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "known-errors.h"
#include "log.h"
#include "parse-util.h"
#include "string-table.h"
#include "string-util.h"

static const char *const known_error_status_table[_KNOWN_ERROR_STATUS_MAX] = {
        [KNOWN_ERROR_AFFECTED] = "affected",
        [KNOWN_ERROR_COUNTDOWN] = "countdown",
        [KNOWN_ERROR_LIMIT_REACHED] = "limit-reached",
        [KNOWN_ERROR_AGE_UNKNOWN] = "age-unknown",
};
DEFINE_STRING_TABLE_LOOKUP(known_error_status, KnownErrorStatus);

static const char *const known_error_action_table[_KNOWN_ERROR_ACTION_MAX] = {
        [KNOWN_ERROR_ACTION_NONE] = "none",
        [KNOWN_ERROR_ACTION_ISOLATE_MEMBER] = "isolate-member",
        [KNOWN_ERROR_ACTION_OFFLINE_DEVICE] = "offline-device",
        [KNOWN_ERROR_ACTION_FAIL_PATH] = "fail-path",
};
DEFINE_STRING_TABLE_LOOKUP(known_error_action, KnownErrorAction);

static KnownError *known_error_free(KnownError *k) {
        if (!k)
                return NULL;
        free(k->id);
        free(k->title);
        strv_free(k->vendors);
        strv_free(k->models);
        strv_free(k->firmwares);
        strv_free(k->transports);
        strv_free(k->evidence);
        free(k->firmware_below);
        free(k->workaround);
        strv_free(k->references);
        free(k->source);
        return mfree(k);
}

void known_error_db_done(KnownErrorDb *db) {
        for (size_t i = 0; i < db->n; i++)
                known_error_free(db->entries[i]);
        free(db->entries);
        *db = (KnownErrorDb) {};
}

typedef struct LoadState {
        const char *filename;
        FILE *f;
        unsigned line;
        KnownErrorDb *db;
        KnownError *cur;       /* the entry being read (owned until committed) */
        unsigned cur_line;
        unsigned action_line;  /* of its Action=, 0: none */
        int error;
} LoadState;

/* Counts lines for file:line messages, and refuses lines longer than
 * inih's buffer, which inih would otherwise split into garbage keys. */
static char *reader(char *str, int num, void *stream) {
        LoadState *s = stream;
        size_t l;

        if (!fgets(str, num, s->f))
                return NULL;
        s->line++;
        l = strlen(str);
        if (l > 0 && str[l - 1] != '\n' && !feof(s->f)) {
                int c;
                while ((c = fgetc(s->f)) != EOF && c != '\n')
                        ;
                log_error("%s:%u: line longer than %d bytes, ignoring it.", s->filename, s->line, num - 2);
                if (s->error == 0)
                        s->error = -EINVAL;
                str[0] = '\0';
        }
        return str;
}

static void bad(LoadState *s, const char *what, const char *value) {
        log_error("%s:%u: %s: '%s'.", s->filename, s->line, what, value);
        if (s->error == 0)
                s->error = -EINVAL;
}

static int commit(LoadState *s) {
        KnownError *k = s->cur;

        s->cur = NULL;
        if (!k)
                return 0;
        if (!k->title || strv_length(k->models) == 0 || !k->workaround) {
                log_error("%s:%u: entry [%s] needs Title=, Model= and Workaround=, ignoring it.", s->filename,
                          s->cur_line, k->id);
                if (s->error == 0)
                        s->error = -EINVAL;
                known_error_free(k);
                return 0;
        }
        /* An action on identity alone would act on every matching disk
         * the moment it is found. */
        if (k->action != KNOWN_ERROR_ACTION_NONE && k->power_on_hours_limit == 0 && strv_length(k->evidence) == 0) {
                log_error("%s:%u: Action=%s in [%s] needs a condition, PowerOnHoursLimit= or Evidence=, ignoring the "
                          "entry.", s->filename, s->action_line, known_error_action_to_string(k->action), k->id);
                if (s->error == 0)
                        s->error = -EINVAL;
                known_error_free(k);
                return 0;
        }
        for (size_t i = 0; i < s->db->n; i++)
                if (streq(s->db->entries[i]->id, k->id)) {
                        log_debug("Known error [%s] from %s replaces the one from %s.", k->id, k->source,
                                  s->db->entries[i]->source);
                        known_error_free(s->db->entries[i]);
                        s->db->entries[i] = k;
                        return 0;
                }
        if (GREEDY_REALLOC(s->db->entries, s->db->n_allocated, s->db->n + 1) < 0) {
                known_error_free(k);
                return -ENOMEM;
        }
        s->db->entries[s->db->n++] = k;
        return 0;
}

static int append_words(char ***l, const char *value) {
        _cleanup_strv_free_ char **w = NULL;
        int r;

        r = strv_split(value, " \t", &w);
        if (r < 0)
                return r;
        STRV_FOREACH(i, w) {
                char *c = strdup(*i);
                if (!c || strv_push(l, c) < 0) {
                        free(c);
                        return -ENOMEM;
                }
        }
        return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value) {
        LoadState *s = user;
        KnownError *k;
        int r;

        if (!s->cur || !streq(s->cur->id, section)) {
                r = commit(s);
                if (r < 0)
                        return 0;
                k = new0(KnownError, 1);
                if (!k)
                        return 0;
                k->id = strdup(section);
                k->warn_before_hours = KNOWN_ERROR_WARN_BEFORE_HOURS_DEFAULT;
                if (asprintf(&k->source, "%s:%u", s->filename, s->line) < 0)
                        k->source = NULL;
                s->cur = k;
                s->cur_line = s->line;
                s->action_line = 0;
                if (isempty(section))
                        bad(s, "key outside of an entry's [ID] section", name);
        }
        k = s->cur;

        if (streq(name, "Title"))
                r = free_and_strdup(&k->title, value);
        else if (streq(name, "Workaround"))
                r = free_and_strdup(&k->workaround, value);
        else if (streq(name, "Action")) {
                KnownErrorAction a = known_error_action_from_string(value);
                if (a < 0) {
                        bad(s, "unknown action (none, isolate-member, offline-device, fail-path)", value);
                        return 1;
                }
                k->action = a;
                s->action_line = s->line;
                r = 0;
        } else if (streq(name, "FirmwareBelow"))
                r = free_and_strdup(&k->firmware_below, value);
        else if (streq(name, "Vendor"))
                r = append_words(&k->vendors, value);
        else if (streq(name, "Model"))
                r = append_words(&k->models, value);
        else if (streq(name, "Firmware"))
                r = append_words(&k->firmwares, value);
        else if (streq(name, "Transport")) {
                _cleanup_strv_free_ char **w = NULL;
                r = strv_split(value, " \t", &w);
                STRV_FOREACH(i, w)
                        if (transport_from_string(*i) < 0)
                                bad(s, "unknown transport", *i);
                if (r >= 0)
                        r = append_words(&k->transports, value);
        } else if (streq(name, "Evidence")) {
                _cleanup_strv_free_ char **w = NULL;
                r = strv_split(value, " \t", &w);
                STRV_FOREACH(i, w)
                        if (ereport_class_from_string(*i) < 0)
                                bad(s, "unknown ereport class", *i);
                if (r >= 0)
                        r = append_words(&k->evidence, value);
        } else if (streq(name, "PowerOnHoursLimit") || streq(name, "WarnBeforeHours")) {
                uint64_t v;
                if (safe_atou64(value, &v) < 0 || (streq(name, "PowerOnHoursLimit") && v == 0)) {
                        bad(s, "expected a positive number of hours", value);
                        return 1;
                }
                if (streq(name, "PowerOnHoursLimit"))
                        k->power_on_hours_limit = v;
                else
                        k->warn_before_hours = v;
                r = 0;
        } else if (streq(name, "Reference")) {
                char *c = strdup(value);
                r = c && strv_push(&k->references, c) >= 0 ? 0 : -ENOMEM;
                if (r < 0)
                        free(c);
        } else {
                log_warning("%s:%u: unknown key '%s' in [%s], ignoring.", s->filename, s->line, name, section);
                r = 0;
        }
        if (r < 0)
                log_oom();
        return 1;
}

int known_error_db_load_file(KnownErrorDb *db, const char *path) {
        LoadState s = { .filename = path, .db = db };
        int r;

        s.f = fopen(path, "re");
        if (!s.f)
                return log_debug_errno(errno, "Failed to open '%s': %m", path);
        r = ini_parse_stream(reader, &s, handler, &s);
        fclose(s.f);
        if (r > 0) {
                /* inih reports the first line it could not parse at all. */
                log_error("%s:%d: not a key=value line or [section].", path, r);
                if (s.error == 0)
                        s.error = -EINVAL;
        }
        if (commit(&s) < 0)
                return -ENOMEM;
        return s.error;
}

static int conf_filter(const struct dirent *de) {
        return de->d_name[0] != '.' && endswith(de->d_name, ".conf");
}

int known_error_db_load_dirs(KnownErrorDb *db, const char *const *dirs) {
        int ret = 0;

        for (const char *const *d = dirs; d && *d; d++) {
                struct dirent **list = NULL;
                int n = scandir(*d, &list, conf_filter, alphasort);

                if (n < 0) {
                        if (errno != ENOENT && ret == 0)
                                ret = -errno;
                        continue;
                }
                for (int i = 0; i < n; i++) {
                        _cleanup_free_ char *p = NULL;
                        int r;

                        if (asprintf(&p, "%s/%s", *d, list[i]->d_name) >= 0) {
                                r = known_error_db_load_file(db, p);
                                if (r < 0 && ret == 0)
                                        ret = r;
                        }
                        free(list[i]);
                }
                free(list);
        }
        return ret;
}

bool known_error_firmware_below(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);

        if (la != lb)
                return la < lb;
        return strcmp(a, b) < 0;
}

static bool any_fnmatch(char *const *patterns, const char *s) {
        if (strv_length(patterns) == 0)
                return true;
        if (!s)
                return false;
        STRV_FOREACH(p, patterns)
                if (fnmatch(*p, s, FNM_CASEFOLD) == 0)
                        return true;
        return false;
}

size_t known_error_match(const KnownErrorDb *db, const KnownErrorDevice *dev, KnownErrorMatch *ret, size_t n_ret) {
        size_t k = 0;

        for (size_t i = 0; i < db->n && k < n_ret; i++) {
                const KnownError *e = db->entries[i];
                KnownErrorMatch m = { .entry = e, .status = KNOWN_ERROR_AFFECTED };

                if (!any_fnmatch(e->models, dev->model) || !any_fnmatch(e->vendors, dev->vendor) ||
                    !any_fnmatch(e->firmwares, dev->firmware))
                        continue;
                if (e->firmware_below && (!dev->firmware || !known_error_firmware_below(dev->firmware, e->firmware_below)))
                        continue;
                if (strv_length(e->transports) > 0 &&
                    !strv_contains(e->transports, transport_to_string(dev->transport) ?: ""))
                        continue;
                if (strv_length(e->evidence) > 0) {
                        bool seen = false;
                        for (size_t j = 0; j < dev->n_seen && !seen; j++)
                                seen = strv_contains(e->evidence, ereport_class_to_string(dev->seen[j]) ?: "");
                        if (!seen)
                                continue;
                }
                if (e->power_on_hours_limit > 0) {
                        if (dev->power_on_hours == UINT64_MAX)
                                m.status = KNOWN_ERROR_AGE_UNKNOWN;
                        else if (dev->power_on_hours >= e->power_on_hours_limit)
                                m.status = KNOWN_ERROR_LIMIT_REACHED;
                        else {
                                m.hours_left = e->power_on_hours_limit - dev->power_on_hours;
                                if (m.hours_left <= e->warn_before_hours)
                                        m.status = KNOWN_ERROR_COUNTDOWN;
                        }
                }
                ret[k++] = m;
        }
        return k;
}

KnownErrorAction known_error_action_due(const KnownErrorMatch *m) {
        const KnownError *e = m->entry;

        if (e->action == KNOWN_ERROR_ACTION_NONE)
                return KNOWN_ERROR_ACTION_NONE;
        if (e->power_on_hours_limit > 0)
                return m->status == KNOWN_ERROR_LIMIT_REACHED ? e->action : KNOWN_ERROR_ACTION_NONE;
        /* No age condition: the match itself, which required Evidence=. */
        return m->status == KNOWN_ERROR_AFFECTED && strv_length(e->evidence) > 0 ? e->action : KNOWN_ERROR_ACTION_NONE;
}

bool known_error_db_wants(const KnownErrorDb *db, EreportClass c) {
        const char *name = ereport_class_to_string(c);

        for (size_t i = 0; name && i < db->n; i++)
                if (strv_contains(db->entries[i]->evidence, name))
                        return true;
        return false;
}
