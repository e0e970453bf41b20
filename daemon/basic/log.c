/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* We send CODE_FILE/LINE/FUNC of the caller ourselves: without this
 * sd-journal.h would add log.c's own location too. */
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>

#include "log.h"
#include "string-table.h"

/* The logging state is the one process-wide thing we keep outside the
 * Manager: it is set once at start-up, before the loop runs. */
static int max_level = LOG_INFO;
static LogTarget target = LOG_TARGET_AUTO;
static FILE *stream;

static const char *const log_target_table[_LOG_TARGET_MAX] = {
        [LOG_TARGET_AUTO] = "auto",
        [LOG_TARGET_CONSOLE] = "console",
        [LOG_TARGET_JOURNAL] = "journal",
        [LOG_TARGET_NULL] = "null",
};
DEFINE_STRING_TABLE_LOOKUP(log_target, LogTarget);

static const char *const log_level_table[] = {
        [LOG_EMERG] = "emerg",   [LOG_ALERT] = "alert",   [LOG_CRIT] = "crit",
        [LOG_ERR] = "err",       [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
        [LOG_INFO] = "info",     [LOG_DEBUG] = "debug",
};
DEFINE_STRING_TABLE_LOOKUP(log_level, int);

void log_set_target(LogTarget t) {
        target = t;
}

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_set_stream(FILE *f) {
        stream = f;
}

/* stderr is the journal when JOURNAL_STREAM names its device and inode. */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

/* Frees the strings of an iovec array built by journal_iovec(). */
static void iovec_free_all(struct iovec *iov, size_t n) {
        for (size_t k = 0; k < n; k++)
                free(iov[k].iov_base);
}

static int iovec_add(struct iovec *iov, size_t *n, size_t max, const char *name, const char *value) {
        char *s;

        if (!value || !*value || *n >= max)
                return 0;
        if (asprintf(&s, "%s=%s", name, value) < 0)
                return -ENOMEM;
        iov[(*n)++] = (struct iovec) { .iov_base = s, .iov_len = strlen(s) };
        return 0;
}

/* To the journal with every field; -errno when the journal is not there
 * (the caller then prints the text). */
static int journal_send(int level, int error, const char *message_id, const LogField *fields, const char *file,
                        int line, const char *func, const char *text) {
        struct iovec iov[8 + LOG_EVENT_FIELDS_MAX];
        char priority[16], line_s[16], errno_s[16];
        size_t n = 0;
        int r = 0;

        snprintf(priority, sizeof(priority), "%i", level);
        snprintf(line_s, sizeof(line_s), "%i", line);
        snprintf(errno_s, sizeof(errno_s), "%i", ERRNO_VALUE(error));
        if (iovec_add(iov, &n, ELEMENTSOF(iov), "MESSAGE", text) < 0 ||
            iovec_add(iov, &n, ELEMENTSOF(iov), "PRIORITY", priority) < 0 ||
            iovec_add(iov, &n, ELEMENTSOF(iov), "MESSAGE_ID", message_id) < 0 ||
            iovec_add(iov, &n, ELEMENTSOF(iov), "CODE_FILE", file) < 0 ||
            iovec_add(iov, &n, ELEMENTSOF(iov), "CODE_LINE", line_s) < 0 ||
            iovec_add(iov, &n, ELEMENTSOF(iov), "CODE_FUNC", func) < 0 ||
            iovec_add(iov, &n, ELEMENTSOF(iov), "ERRNO", error != 0 ? errno_s : NULL) < 0)
                r = -ENOMEM;
        for (const LogField *f = fields; r >= 0 && f && f->name; f++)
                if (iovec_add(iov, &n, ELEMENTSOF(iov), f->name, f->value) < 0)
                        r = -ENOMEM;
        if (r >= 0)
                r = sd_journal_sendv(iov, (int) n);
        iovec_free_all(iov, n);
        return r;
}

static int log_dispatch(int level, int error, const char *message_id, const LogField *fields, const char *file,
                        int line, const char *func, const char *text) {
        LogTarget t = target;

        if (stream) {
                fprintf(stream, "%s\n", text);
                fflush(stream);
                return -ERRNO_VALUE(error);
        }

        if (t == LOG_TARGET_AUTO)
                t = stderr_is_journal() ? LOG_TARGET_JOURNAL : LOG_TARGET_CONSOLE;

        switch (t) {
        case LOG_TARGET_JOURNAL:
                if (journal_send(level, error, message_id, fields, file, line, func, text) >= 0)
                        break;
                _fallthrough_;
        case LOG_TARGET_CONSOLE:
        default:
                fprintf(stderr, "%s\n", text);
                break;
        case LOG_TARGET_NULL:
                break;
        }

        return -ERRNO_VALUE(error);
}

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        char buf[2048];
        va_list ap;

        /* Make %m print the error we were given. */
        if (error != 0)
                errno = ERRNO_VALUE(error);

        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);

        return log_dispatch(level, error, NULL, NULL, file, line, func, buf);
}

int log_event_internalv(int level, int error, const char *message_id, const LogField *fields, const char *file,
                        int line, const char *func, const char *format, va_list ap) {
        char buf[2048];

        if (error != 0)
                errno = ERRNO_VALUE(error);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        return log_dispatch(level, error, message_id, fields, file, line, func, buf);
}

int log_event_internal(int level, int error, const char *message_id, const LogField *fields, const char *file,
                       int line, const char *func, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = log_event_internalv(level, error, message_id, fields, file, line, func, format, ap);
        va_end(ap);
        return r;
}
