/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log_event(): the fields that reach the journal (sd_journal_sendv() is
 * wrapped with -Wl,--wrap: the OS boundary), the console fallback, and the
 * agreement of message-ids.h with the catalog in contrib/journal/.
 */
#include "test-helpers.h"

#include <sys/uio.h>

#include "message-ids.h"
#include "string-util.h"

/* What the last sd_journal_sendv() call carried, one "NAME=value" per line. */
static char sent[8192];
static int sendv_result;
static unsigned sendv_calls;

int __wrap_sd_journal_sendv(const struct iovec *iov, int n);
int __wrap_sd_journal_sendv(const struct iovec *iov, int n) {
        size_t len = 0;

        sendv_calls++;
        sent[0] = '\0';
        for (int k = 0; k < n; k++)
                len += (size_t) snprintf(sent + len, sizeof(sent) - len, "%.*s\n", (int) iov[k].iov_len,
                                         (const char *) iov[k].iov_base);
        return sendv_result;
}

static int reset(void **state) {
        sent[0] = '\0';
        sendv_result = 0;
        sendv_calls = 0;
        log_set_stream(NULL);
        log_set_target(LOG_TARGET_JOURNAL);
        log_set_max_level(LOG_DEBUG);
        return 0;
}

static void test_fields_reach_the_journal(void **state) {
        const char *hostile = "ST4000\nMESSAGE=forged\x01%n";

        log_event(LOG_NOTICE, SG_MESSAGE_DEVICE_FOUND,
                  LOG_FIELDS({ "STORGUARD_DEVICE", "sda" }, { "STORGUARD_SERIAL", NULL }, { "STORGUARD_WWN", "" },
                             { "STORGUARD_MODEL", hostile }),
                  "Found disk '%s'.", "sda");
        assert_int_equal(sendv_calls, 1);
        assert_non_null(strstr(sent, "MESSAGE=Found disk 'sda'.\n"));
        assert_non_null(strstr(sent, "PRIORITY=5\n"));
        assert_non_null(strstr(sent, "MESSAGE_ID=" SG_MESSAGE_DEVICE_FOUND "\n"));
        assert_non_null(strstr(sent, "STORGUARD_DEVICE=sda\n"));
        assert_non_null(strstr(sent, "CODE_FUNC=test_fields_reach_the_journal\n"));
        /* NULL and empty values are left out. */
        assert_null(strstr(sent, "STORGUARD_SERIAL"));
        assert_null(strstr(sent, "STORGUARD_WWN"));
        assert_null(strstr(sent, "ERRNO="));
        /* The device's string is one field's value, passed as it is: the
         * journal's native protocol sends values with a newline
         * length-delimited, so it cannot forge a field. */
        assert_non_null(strstr(sent, "STORGUARD_MODEL=ST4000\nMESSAGE=forged\x01%n\n"));
}

static void test_errno_field_and_return(void **state) {
        int r;

        r = log_event_errno(LOG_ERR, EROFS, SG_MESSAGE_STORE_UNWRITABLE, LOG_FIELDS({ "STORGUARD_PATH", "/x" }),
                            "Cannot write '%s': %m", "/x");
        assert_int_equal(r, -EROFS);
        assert_non_null(strstr(sent, "MESSAGE=Cannot write '/x': Read-only file system\n"));
        assert_non_null(strstr(sent, "ERRNO=30\n"));
        assert_non_null(strstr(sent, "PRIORITY=3\n"));
}

static void test_below_max_level_nothing_is_sent(void **state) {
        log_set_max_level(LOG_WARNING);
        log_event(LOG_INFO, SG_MESSAGE_STARTED, LOG_NO_FIELDS, "hidden");
        assert_int_equal(sendv_calls, 0);
}

static void test_console_gets_the_text(void **state) {
        LogCapture c;

        /* A test stream (like the console) gets the text only. */
        log_capture_start(&c);
        log_event(LOG_NOTICE, SG_MESSAGE_DEVICE_REMOVED, LOG_FIELDS({ "STORGUARD_DEVICE", "sdb" }),
                  "Disk '%s' was removed.", "sdb");
        assert_string_equal(log_capture_end(&c), "Disk 'sdb' was removed.\n");
        log_capture_free(&c);
        assert_int_equal(sendv_calls, 0);
}

static void test_journal_failure_falls_back(void **state) {
        /* The journal refusing must not lose the message (it goes to
         * stderr) nor change what the caller gets back. */
        sendv_result = -ENOENT;
        assert_int_equal(log_event_errno(LOG_ERR, EIO, SG_MESSAGE_STOPPED, LOG_NO_FIELDS, "x"), -EIO);
        assert_int_equal(sendv_calls, 1);
}

/* Every 32-hex-digit id on lines starting with prefix. */
static size_t read_ids(const char *path, const char *prefix, char ids[][33], size_t max) {
        char line[512];
        size_t n = 0;
        FILE *f = fopen(path, "re");

        assert_non_null(f);
        while (fgets(line, sizeof(line), f)) {
                const char *p = strstr(line, prefix);
                char id[33];

                if (!p || (prefix[0] == '-' && p != line))
                        continue;
                /* "-- <id>" in the catalog; '#define NAME "<id>"' in the header. */
                p = prefix[0] == '-' ? p + strlen(prefix) : strchr(p, '"');
                if (!p)
                        continue;
                if (*p == '"')
                        p++;
                if (sscanf(p, "%32[0-9a-f]", id) != 1)
                        continue;
                assert_int_equal(strlen(id), 32);
                assert_true(n < max);
                strcpy(ids[n++], id);
        }
        fclose(f);
        return n;
}

static bool contains(char ids[][33], size_t n, const char *id) {
        for (size_t k = 0; k < n; k++)
                if (streq(ids[k], id))
                        return true;
        return false;
}

static void test_catalog_covers_every_id(void **state) {
        char header_ids[64][33], catalog_ids[64][33];
        size_t nh, nc;

        nh = read_ids(TOP_SRCDIR "/daemon/basic/message-ids.h", "#define SG_MESSAGE_", header_ids, 64);
        nc = read_ids(TOP_SRCDIR "/contrib/journal/storguard.catalog", "-- ", catalog_ids, 64);
        assert_true(nh >= 20);
        for (size_t k = 0; k < nh; k++) {
                if (!contains(catalog_ids, nc, header_ids[k]))
                        fail_msg("MESSAGE_ID %s has no entry in contrib/journal/storguard.catalog", header_ids[k]);
                for (size_t j = k + 1; j < nh; j++)
                        if (streq(header_ids[k], header_ids[j]))
                                fail_msg("MESSAGE_ID %s is defined twice", header_ids[k]);
        }
        for (size_t k = 0; k < nc; k++)
                if (!contains(header_ids, nh, catalog_ids[k]))
                        fail_msg("catalog entry %s names no MESSAGE_ID of message-ids.h", catalog_ids[k]);
        assert_int_equal(nh, nc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_fields_reach_the_journal, reset),
                cmocka_unit_test_setup(test_errno_field_and_return, reset),
                cmocka_unit_test_setup(test_below_max_level_nothing_is_sent, reset),
                cmocka_unit_test_setup(test_console_gets_the_text, reset),
                cmocka_unit_test_setup(test_journal_failure_falls_back, reset),
                cmocka_unit_test(test_catalog_covers_every_id),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
