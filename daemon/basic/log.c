/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        char buf[2048];
        LogTarget t = target;
        va_list ap;

        /* Make %m print the error we were given. */
        if (error != 0)
                errno = ERRNO_VALUE(error);

        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);

        if (stream) {
                fprintf(stream, "%s\n", buf);
                fflush(stream);
                return -ERRNO_VALUE(error);
        }

        if (t == LOG_TARGET_AUTO)
                t = stderr_is_journal() ? LOG_TARGET_JOURNAL : LOG_TARGET_CONSOLE;

        switch (t) {
        case LOG_TARGET_JOURNAL:
                if (sd_journal_send("MESSAGE=%s", buf,
                                    "PRIORITY=%i", level,
                                    "CODE_FILE=%s", file,
                                    "CODE_LINE=%i", line,
                                    "CODE_FUNC=%s", func,
                                    error != 0 ? "ERRNO=%i" : NULL, ERRNO_VALUE(error),
                                    NULL) >= 0)
                        break;
                _fallthrough_;
        case LOG_TARGET_CONSOLE:
        default:
                fprintf(stderr, "%s\n", buf);
                break;
        case LOG_TARGET_NULL:
                break;
        }

        return -ERRNO_VALUE(error);
}
