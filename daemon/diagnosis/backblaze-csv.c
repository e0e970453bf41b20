/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "backblaze-csv.h"
#include "log.h"
#include "string-util.h"

#define BB_FIELDS_MAX 512
#define BB_BAD_ROWS_LOGGED 20

struct BbCsv {
        FILE *f;
        char *path;
        unsigned line;
        char *buf;
        size_t buf_size;
        size_t n_columns;
        int col_date, col_serial, col_model, col_failure;
        int col_attr[_ATA_ATTR_MAX];
        unsigned bad;
};

BbCsv *bb_csv_free(BbCsv *c) {
        if (!c)
                return NULL;
        free(c->buf);
        free(c->path);
        return mfree(c);
}

unsigned bb_csv_bad_rows(const BbCsv *c) {
        return c->bad;
}

/* Days from civil date (Howard Hinnant's algorithm). */
static int32_t days_from_civil(int y, unsigned m, unsigned d) {
        y -= m <= 2;
        const int era = (y >= 0 ? y : y - 399) / 400;
        const unsigned yoe = (unsigned) (y - era * 400);
        const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int32_t) doe - 719468;
}

int bb_parse_date(const char *s, size_t len, int32_t *ret) {
        static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        unsigned y = 0, m, d;

        if (len != 10 || s[4] != '-' || s[7] != '-')
                return -EINVAL;
        for (size_t i = 0; i < 10; i++)
                if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
                        return -EINVAL;
        for (size_t i = 0; i < 4; i++)
                y = y * 10 + (unsigned) (s[i] - '0');
        m = (unsigned) ((s[5] - '0') * 10 + (s[6] - '0'));
        d = (unsigned) ((s[8] - '0') * 10 + (s[9] - '0'));
        if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
                return -EINVAL;
        *ret = days_from_civil((int) y, m, d);
        return 0;
}

char *bb_format_date(char buf[static 11], int32_t z) {
        z += 719468;
        const int era = (z >= 0 ? z : z - 146096) / 146097;
        const unsigned doe = (unsigned) (z - era * 146097);
        const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        const int y = (int) yoe + era * 400;
        const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        const unsigned mp = (5 * doy + 2) / 153;
        const unsigned d = doy - (153 * mp + 2) / 5 + 1;
        const unsigned m = mp < 10 ? mp + 3 : mp - 9;
        snprintf(buf, 11, "%04u-%02u-%02u", (unsigned) (y + (m <= 2)) % 10000U, m % 100U, d % 100U);
        return buf;
}

/* Split a line in place on ','; Backblaze's files carry no quoting. */
static size_t split(char *line, char **fields, size_t max) {
        size_t n = 0;
        char *p = line;

        for (;;) {
                char *comma = strchr(p, ',');
                if (n < max)
                        fields[n] = p;
                n++;
                if (!comma)
                        break;
                *comma = '\0';
                p = comma + 1;
        }
        return n;
}

static void strip_eol(char *s) {
        size_t l = strlen(s);
        while (l > 0 && (s[l - 1] == '\n' || s[l - 1] == '\r'))
                s[--l] = '\0';
}

int bb_csv_open(FILE *f, const char *path, BbCsv **ret) {
        _cleanup_(bb_csv_freep) BbCsv *c = NULL;
        char *fields[BB_FIELDS_MAX];
        ssize_t l;
        size_t n;

        c = new0(BbCsv, 1);
        if (!c)
                return -ENOMEM;
        c->f = f;
        c->path = strdup(path);
        if (!c->path)
                return -ENOMEM;
        c->col_date = c->col_serial = c->col_model = c->col_failure = -1;
        for (int a = 0; a < _ATA_ATTR_MAX; a++)
                c->col_attr[a] = -1;

        l = getline(&c->buf, &c->buf_size, f);
        c->line = 1;
        if (l < 0) {
                log_error("%s:1: empty file, expected a Backblaze CSV header.", path);
                return -EBADMSG;
        }
        strip_eol(c->buf);
        n = split(c->buf, fields, BB_FIELDS_MAX);
        if (n > BB_FIELDS_MAX) {
                log_error("%s:1: more than %d columns.", path, BB_FIELDS_MAX);
                return -EBADMSG;
        }
        for (size_t i = 0; i < n; i++) {
                unsigned id;
                char tail;

                if (streq(fields[i], "date"))
                        c->col_date = (int) i;
                else if (streq(fields[i], "serial_number"))
                        c->col_serial = (int) i;
                else if (streq(fields[i], "model"))
                        c->col_model = (int) i;
                else if (streq(fields[i], "failure"))
                        c->col_failure = (int) i;
                else if (sscanf(fields[i], "smart_%u_raw%c", &id, &tail) == 1) {
                        AtaPolicyAttr a = ata_policy_attr_from_id(id);
                        if (a >= 0)
                                c->col_attr[a] = (int) i;
                }
        }
        if (c->col_date < 0 || c->col_serial < 0 || c->col_model < 0 || c->col_failure < 0) {
                log_error("%s:1: header lacks one of date, serial_number, model, failure.", path);
                return -EBADMSG;
        }
        c->n_columns = n;
        *ret = TAKE_PTR(c);
        return 0;
}

static void bad_row(BbCsv *c, const char *fmt, const char *what) {
        c->bad++;
        if (c->bad <= BB_BAD_ROWS_LOGGED)
                log_error("%s:%u: %s '%s', skipping the row.", c->path, c->line, fmt, what);
        else if (c->bad == BB_BAD_ROWS_LOGGED + 1)
                log_error("%s:%u: more bad rows, no longer listing them.", c->path, c->line);
}

/* Raw SMART values: integers, or integers written as "12.0". */
static int parse_raw(const char *s, uint64_t *ret) {
        char *end;
        unsigned long long v;

        if (*s == '\0') {
                *ret = ATA_VALUE_NONE;
                return 0;
        }
        if (*s == '-' || *s == '+')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || end == s)
                return -EINVAL;
        if (*end == '.') {
                end++;
                while (*end == '0')
                        end++;
        }
        if (*end != '\0' || v == ATA_VALUE_NONE)
                return -EINVAL;
        *ret = v;
        return 0;
}

int bb_csv_next(BbCsv *c, BbRow *ret) {
        for (;;) {
                char *fields[BB_FIELDS_MAX];
                BbRow row = {};
                ssize_t l;
                size_t n;
                bool ok = true;

                errno = 0;
                l = getline(&c->buf, &c->buf_size, c->f);
                if (l < 0)
                        return errno != 0 ? -errno : 0;
                c->line++;
                strip_eol(c->buf);
                if (c->buf[0] == '\0')
                        continue;
                n = split(c->buf, fields, BB_FIELDS_MAX);
                if (n != c->n_columns) {
                        char what[32];
                        snprintf(what, sizeof(what), "%zu", n);
                        bad_row(c, "wrong number of fields, expected the header's, got", what);
                        continue;
                }
                if (bb_parse_date(fields[c->col_date], strlen(fields[c->col_date]), &row.day) < 0) {
                        bad_row(c, "bad date", fields[c->col_date]);
                        continue;
                }
                if (fields[c->col_serial][0] == '\0' || strlen(fields[c->col_serial]) >= BB_SERIAL_MAX) {
                        bad_row(c, "bad serial_number", fields[c->col_serial]);
                        continue;
                }
                if (!streq(fields[c->col_failure], "0") && !streq(fields[c->col_failure], "1")) {
                        bad_row(c, "failure must be 0 or 1, not", fields[c->col_failure]);
                        continue;
                }
                snprintf(row.serial, sizeof(row.serial), "%s", fields[c->col_serial]);
                snprintf(row.model, sizeof(row.model), "%s", fields[c->col_model]);
                row.failure = fields[c->col_failure][0] == '1';
                row.sample.time_usec = (usec_t) row.day * USEC_PER_DAY;
                for (int a = 0; a < _ATA_ATTR_MAX && ok; a++) {
                        row.sample.raw[a] = ATA_VALUE_NONE;
                        if (c->col_attr[a] >= 0 && parse_raw(fields[c->col_attr[a]], &row.sample.raw[a]) < 0) {
                                bad_row(c, "bad raw SMART value", fields[c->col_attr[a]]);
                                ok = false;
                        }
                }
                if (!ok)
                        continue;
                *ret = row;
                return 1;
        }
}
