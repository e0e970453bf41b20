/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Logging.  A function either logs or it doesn't: library-like code
 * (drivers/, daemon/basic/) logs only at debug level and returns -errno;
 * its caller logs once:
 *
 *   return log_error_errno(r, "Failed to read log page 0x2f of '%s': %m", node);
 *
 * The log_*_errno() forms set errno from r so that %m works, and return
 * -abs(r).  Levels are syslog's (LOG_ERR ... LOG_DEBUG).  Output goes to
 * stderr, or to the journal when storguard runs under systemd (stderr
 * connected to the journal, see JOURNAL_STREAM in systemd.exec(5)), or to
 * a stream set by tests.
 */

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "macro.h"

typedef enum LogTarget {
        LOG_TARGET_AUTO,    /* journal if stderr is the journal, else stderr */
        LOG_TARGET_CONSOLE, /* stderr */
        LOG_TARGET_JOURNAL,
        LOG_TARGET_NULL,
        _LOG_TARGET_MAX,
        _LOG_TARGET_INVALID = -EINVAL,
} LogTarget;

const char *log_target_to_string(LogTarget t) _const_;
LogTarget log_target_from_string(const char *s) _pure_;
/* log_level_to_string() / _from_string(): "emerg" ... "debug". */
const char *log_level_to_string(int level) _const_;
int log_level_from_string(const char *s) _pure_;

void log_set_target(LogTarget target);
void log_set_max_level(int level);
int log_get_max_level(void) _pure_;
/* log_set_stream() - send every message to f (tests capture output with
 * open_memstream()); NULL restores the target. */
void log_set_stream(FILE *f);

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) _printf_(6, 7);

/* Evaluates to -ERRNO_VALUE(error) (what log_internal() returns too),
 * spelled here so callers' "return log_*_errno(r, ...)" is visibly < 0 for
 * r < 0, to the static analyser as well. */
#define log_full_errno(level, error, ...)                                                  \
        ({                                                                                 \
                int _level_ = (level), _e_ = (error);                                      \
                if (log_get_max_level() >= _level_)                                        \
                        (void) log_internal(_level_, _e_, __FILE__, __LINE__, __func__, __VA_ARGS__); \
                -ERRNO_VALUE(_e_);                                                         \
        })

#define log_full(level, ...) (void) log_full_errno((level), 0, __VA_ARGS__)

#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, (e), __VA_ARGS__)
#define log_info_errno(e, ...) log_full_errno(LOG_INFO, (e), __VA_ARGS__)
#define log_notice_errno(e, ...) log_full_errno(LOG_NOTICE, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, (e), __VA_ARGS__)

#define log_oom() log_error_errno(ENOMEM, "Out of memory.")

/*
 * Operator-relevant events: a catalogued MESSAGE_ID (message-ids.h) and
 * structured fields besides the text.  On the journal every field is its
 * own journal field; on a console (or a test stream) only the text is
 * printed, exactly as log_full() would.  Values may be anything a device
 * reports (they are sent length-delimited, never parsed); a NULL or empty
 * value leaves its field out.
 *
 *   log_event(LOG_NOTICE, SG_MESSAGE_DEVICE_FOUND,
 *             LOG_FIELDS({ "STORGUARD_DEVICE", c->name }, { "STORGUARD_SERIAL", c->serial }),
 *             "Found disk '%s'.", c->name);
 */
typedef struct LogField {
        const char *name;  /* upper case, digits and '_', without '=' */
        const char *value;
} LogField;

#define LOG_FIELDS(...) ((const LogField[]) { __VA_ARGS__, {} })
#define LOG_NO_FIELDS ((const LogField[]) { {} })
/* Fields an event may carry at most (more are dropped). */
#define LOG_EVENT_FIELDS_MAX 32

int log_event_internal(int level, int error, const char *message_id, const LogField *fields, const char *file,
                       int line, const char *func, const char *format, ...) _printf_(8, 9);
int log_event_internalv(int level, int error, const char *message_id, const LogField *fields, const char *file,
                        int line, const char *func, const char *format, va_list ap) _printf_(8, 0);

#define log_event_errno(level, error, message_id, fields, ...)                                    \
        ({                                                                                         \
                int _level_ = (level), _e_ = (error);                                              \
                (log_get_max_level() >= _level_)                                                   \
                        ? log_event_internal(_level_, _e_, (message_id), (fields), __FILE__, __LINE__, \
                                             __func__, __VA_ARGS__)                                \
                        : -ERRNO_VALUE(_e_);                                                       \
        })
#define log_event(level, message_id, fields, ...) \
        (void) log_event_errno((level), 0, (message_id), (fields), __VA_ARGS__)
