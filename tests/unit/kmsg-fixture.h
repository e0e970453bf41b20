/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Load tests/fixtures/kmsg/ files as /dev/kmsg records.  *.kmsg files are
 * records already; *.dmesg ("[ 123.456] msg", "[Tue Oct 27 ...] msg") and
 * *.syslog ("... kernel: msg") lines are wrapped as "6,<seq>,<usec>,-;msg"
 * with the dmesg time when there is one, else the line number in seconds.
 * Shared by the unit test and the benchmark.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct KmsgFixture {
        char **records;
        size_t *lengths;
        size_t n;
} KmsgFixture;

static inline void kmsg_fixture_push(KmsgFixture *f, const char *s, size_t l) {
        f->records = realloc(f->records, (f->n + 1) * sizeof(char *));
        f->lengths = realloc(f->lengths, (f->n + 1) * sizeof(size_t));
        if (!f->records || !f->lengths)
                abort();
        f->records[f->n] = strndup(s, l);
        if (!f->records[f->n])
                abort();
        f->lengths[f->n] = l;
        f->n++;
}

static inline void kmsg_fixture_free(KmsgFixture *f) {
        for (size_t i = 0; i < f->n; i++)
                free(f->records[i]);
        free(f->records);
        free(f->lengths);
        *f = (KmsgFixture) {};
}

/* Return: 0, or -1 when the file cannot be read. */
static inline int kmsg_fixture_load(const char *path, KmsgFixture *ret) {
        bool raw = strlen(path) > 5 && strcmp(path + strlen(path) - 5, ".kmsg") == 0;
        KmsgFixture f = {};
        char *line = NULL, *cur = NULL;
        size_t cap = 0, cur_len = 0;
        unsigned long seq = 1, lineno = 0;
        ssize_t l;
        FILE *in;

        in = fopen(path, "re");
        if (!in)
                return -1;
        while ((l = getline(&line, &cap, in)) >= 0) {
                char *msg = line, rec[8400];
                unsigned long long usec;
                int n;

                lineno++;
                if (l > 0 && line[l - 1] == '\n')
                        line[--l] = '\0';
                if (raw) {
                        /* A continuation line belongs to the record before it. */
                        if (line[0] == ' ' && cur) {
                                cur = realloc(cur, cur_len + (size_t) l + 2);
                                if (!cur)
                                        abort();
                                cur[cur_len++] = '\n';
                                memcpy(cur + cur_len, line, (size_t) l + 1);
                                cur_len += (size_t) l;
                                continue;
                        }
                        if (cur)
                                kmsg_fixture_push(&f, cur, cur_len);
                        free(cur);
                        cur = strndup(line, (size_t) l);
                        cur_len = (size_t) l;
                        continue;
                }
                char *k = strstr(line, " kernel: ");
                if (k)
                        msg = k + strlen(" kernel: ");
                usec = lineno * 1000000ULL;
                if (msg[0] == '[') {
                        char *end = strchr(msg, ']');
                        double secs;
                        if (end) {
                                if (sscanf(msg + 1, "%lf", &secs) == 1 && secs >= 0)
                                        usec = (unsigned long long) (secs * 1e6);
                                msg = end + 1;
                                while (*msg == ' ')
                                        msg++;
                        }
                }
                n = snprintf(rec, sizeof(rec), "6,%lu,%llu,-;%s", seq++, usec, msg);
                if (n > 0)
                        kmsg_fixture_push(&f, rec, (size_t) MIN((size_t) n, sizeof(rec) - 1));
        }
        if (cur)
                kmsg_fixture_push(&f, cur, cur_len);
        free(cur);
        free(line);
        fclose(in);
        *ret = f;
        return 0;
}

/* Every fixture file in dir (not READMEs) appended to *all.
 * Return: 0, or -1 when dir cannot be read. */
static inline int kmsg_fixture_load_dir(const char *dir, KmsgFixture *all) {
        struct dirent *de;
        DIR *d = opendir(dir);

        if (!d) {
                perror(dir);
                return -1;
        }
        while ((de = readdir(d))) {
                char path[4096];
                KmsgFixture f;

                if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                if (kmsg_fixture_load(path, &f) < 0)
                        continue;
                for (size_t i = 0; i < f.n; i++)
                        kmsg_fixture_push(all, f.records[i], f.lengths[i]);
                kmsg_fixture_free(&f);
        }
        closedir(d);
        return 0;
}
