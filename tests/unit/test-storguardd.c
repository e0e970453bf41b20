/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storguardd as systemd runs it: the real binary, a NOTIFY_SOCKET of ours,
 * a recorded sysfs tree (umockdev) instead of this machine's.  Checks
 * READY/STATUS/WATCHDOG, SIGHUP reload (an invalid new configuration is
 * refused and the daemon keeps running), and a clean stop on SIGTERM.
 * Every wait is on an event: a datagram on the socket or the child's exit.
 */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <umockdev.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "fd-util.h"
#include "string-util.h"

#define DAEMON TOP_BUILDDIR "/storguardd"
#define FIXTURES TOP_SRCDIR "/tests/fixtures/umockdev/"
#define WAIT_MSEC 20000

typedef struct Fixture {
        UMockdevTestbed *testbed;
        char *dir, *config, *socket_path;
        int notify_fd;
        pid_t pid;
        char *transcript; /* every notification received, in order */
        size_t length, mark;
} Fixture;

/* The daemon's configuration for a test: its state in the scratch
 * directory, no kernel log (this host's is not the test's), plus extra. */
static char *write_config(Fixture *f, const char *extra) {
        _cleanup_free_ char *content = NULL;

        assert_true(asprintf(&content, "[Daemon]\nLogLevel=debug\nStateDirectory=%s/state\nKernelLog=\n%s", f->dir,
                             extra) > 0);
        return write_file(f->dir, "storguard.conf", content);
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));
        g_autoptr(GError) error = NULL;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        assert_non_null(f);
        if (!strstr(strempty(getenv("LD_PRELOAD")), "libumockdev-preload"))
                fail_msg("run under umockdev-wrapper (tests/unit/run-test does)");
        f->testbed = umockdev_testbed_new();
        assert_true(umockdev_testbed_add_from_file(f->testbed, FIXTURES "virtio-blk.umockdev", &error));
        f->dir = scratch_dir();
        f->config = write_config(f, "");
        assert_true(asprintf(&f->socket_path, "%s/notify", f->dir) > 0);
        f->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        assert_true(f->notify_fd >= 0);
        assert_true(strlen(f->socket_path) < sizeof(sa.sun_path));
        strcpy(sa.sun_path, f->socket_path);
        assert_int_equal(bind(f->notify_fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        if (f->pid > 0) {
                kill(f->pid, SIGKILL);
                waitpid(f->pid, NULL, 0);
        }
        safe_close(f->notify_fd);
        rm_rf(f->dir);
        free(f->dir);
        free(f->config);
        free(f->socket_path);
        free(f->transcript);
        g_object_unref(f->testbed);
        free(f);
        return 0;
}

static void start(Fixture *f, const char *watchdog_usec) {
        f->pid = fork();
        assert_true(f->pid >= 0);
        if (f->pid == 0) {
                char pid[32];

                setenv("NOTIFY_SOCKET", f->socket_path, 1);
                if (watchdog_usec) {
                        snprintf(pid, sizeof(pid), "%d", (int) getpid());
                        setenv("WATCHDOG_PID", pid, 1);
                        setenv("WATCHDOG_USEC", watchdog_usec, 1);
                }
                execl(DAEMON, DAEMON, "--config", f->config, "--log-target=null", (char *) NULL);
                _exit(127);
        }
}

/* Wait until the notifications received since the last match contain
 * want (sd_notify() sends one datagram per call, so STATUS= and READY=
 * may come in any grouping). */
static void wait_notify(Fixture *f, const char *want) {
        for (;;) {
                struct pollfd p = { .fd = f->notify_fd, .events = POLLIN };
                char buf[4096], *hit;
                ssize_t n;

                if (f->transcript && (hit = strstr(f->transcript + f->mark, want))) {
                        f->mark = (size_t) (hit - f->transcript) + strlen(want);
                        return;
                }
                if (poll(&p, 1, WAIT_MSEC) != 1)
                        fail_msg("no '%s' from storguardd within %d ms; got: %s", want, WAIT_MSEC,
                                 strempty(f->transcript));
                n = recv(f->notify_fd, buf, sizeof(buf) - 1, 0);
                assert_true(n >= 0);
                f->transcript = realloc(f->transcript, f->length + (size_t) n + 2);
                assert_non_null(f->transcript);
                memcpy(f->transcript + f->length, buf, (size_t) n);
                f->length += (size_t) n;
                f->transcript[f->length++] = '\n';
                f->transcript[f->length] = '\0';
        }
}

static int wait_exit(Fixture *f) {
        int status;

        assert_int_equal(waitpid(f->pid, &status, 0), f->pid);
        f->pid = 0;
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void test_ready_status_stop(void **state) {
        Fixture *f = *state;

        start(f, NULL);
        /* The status carries the inventory's count; READY comes after it. */
        wait_notify(f, "STATUS=Watching 1 disks (0 with a health interface)");
        wait_notify(f, "READY=1");
        assert_int_equal(kill(f->pid, SIGTERM), 0);
        wait_notify(f, "STOPPING=1");
        assert_int_equal(wait_exit(f), 0);
}

static void test_watchdog(void **state) {
        Fixture *f = *state;

        start(f, "200000");
        wait_notify(f, "WATCHDOG=1");
        wait_notify(f, "WATCHDOG=1");
        assert_int_equal(kill(f->pid, SIGINT), 0);
        assert_int_equal(wait_exit(f), 0);
}

static void test_reload(void **state) {
        Fixture *f = *state;
        FILE *c;

        start(f, NULL);
        wait_notify(f, "READY=1");

        /* An invalid configuration is refused; the daemon goes on. */
        c = fopen(f->config, "we");
        assert_non_null(c);
        fputs("[Daemon]\nLogLevel=loud\n", c);
        fclose(c);
        assert_int_equal(kill(f->pid, SIGHUP), 0);
        wait_notify(f, "RELOADING=1");
        wait_notify(f, "STATUS=Configuration reload failed");
        wait_notify(f, "READY=1");
        assert_int_equal(kill(f->pid, 0), 0);
        /* A valid one that ignores the disk is applied: the rescan after
         * the reload reports no disks. */
        { _cleanup_free_ _unused_ char *c2 = write_config(f, "[Inventory]\nIgnoreDevices=vd*\n"); }
        assert_int_equal(kill(f->pid, SIGHUP), 0);
        wait_notify(f, "RELOADING=1");
        wait_notify(f, "STATUS=Watching 0 disks");
        wait_notify(f, "READY=1");
        assert_int_equal(kill(f->pid, SIGTERM), 0);
        assert_int_equal(wait_exit(f), 0);
}

/* A known-errors entry matching the recorded disks' model and firmware:
 * the daemon raises a known-error incident per disk, in the store before
 * it says READY (the match runs while the inventory is read). */
/* The MegaRAID recording (two ST4000NM0023 disks, firmware 0004) instead
 * of the virtio disk, and a known-errors directory holding entry.
 * Return: the directory (free it). */
static char *use_megaraid(Fixture *f, const char *entry) {
        g_autoptr(GError) error = NULL;
        _cleanup_free_ char *file = NULL;
        char *kedir;

        g_object_unref(f->testbed);
        f->testbed = umockdev_testbed_new();
        assert_true(umockdev_testbed_add_from_file(f->testbed, FIXTURES "megasas-sas.umockdev", &error));
        assert_true(asprintf(&kedir, "%s/known-errors", f->dir) > 0);
        assert_int_equal(mkdir(kedir, 0755), 0);
        file = write_file(kedir, "test.conf", entry);
        return kedir;
}

static void test_known_error(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *kedir = NULL, *extra = NULL, *db = NULL;
        sqlite3 *s;
        sqlite3_stmt *st;

        kedir = use_megaraid(f, "[TEST-ST4000-FW]\n"
                                "Title=Test advisory for ST4000NM0023 before firmware 0005\n"
                                "Model=ST4000NM0023\n"
                                "FirmwareBelow=0005\n"
                                "Workaround=Update the firmware to 0005.\n"
                                "Reference=tests/unit/test-storguardd.c\n");
        assert_true(asprintf(&extra, "KnownErrorsDirectories=%s\n", kedir) > 0);
        free(f->config);
        f->config = write_config(f, extra);

        start(f, NULL);
        wait_notify(f, "READY=1");
        assert_true(asprintf(&db, "%s/state/storguard.db", f->dir) > 0);
        assert_int_equal(sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(s,
                "SELECT count(*) FROM incidents WHERE json_extract(data, '$.known_error_id') = 'TEST-ST4000-FW' "
                "AND json_extract(data, '$.category') = 'known-error' "
                "AND json_extract(data, '$.workaround') = 'Update the firmware to 0005.'", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 2);
        sqlite3_finalize(st);
        sqlite3_close(s);
        assert_int_equal(kill(f->pid, SIGTERM), 0);
        assert_int_equal(wait_exit(f), 0);
}

/* A known error matched by a failure signature: Evidence= names a class the
 * kernel log shows on one of the MegaRAID disks, Action= asks to take it
 * offline.  The daemon reads a FIFO as its kernel log (one record per
 * write, as /dev/kmsg returns one per read); the response agent records
 * its decision (dry-run by default, or refused by a guard: the disk is
 * neither a mirror member nor a path) on the incident. */
/* The actions recorded on the incident of known error id, waiting for the
 * daemon to commit it (the store row is the event), at most WAIT_MSEC. */
static int wait_known_error_actions(Fixture *f, const char *id) {
        _cleanup_free_ char *db = NULL;
        int actions = -1;

        assert_true(asprintf(&db, "%s/state/storguard.db", f->dir) > 0);
        for (int i = 0; i < WAIT_MSEC / 50 && actions < 1; i++) {
                sqlite3 *s;
                sqlite3_stmt *st;

                if (sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
                    sqlite3_prepare_v2(s,
                        "SELECT json_array_length(json_extract(data, '$.actions')) FROM incidents "
                        "WHERE json_extract(data, '$.known_error_id') = ?", -1, &st, NULL) == SQLITE_OK) {
                        if (sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) == SQLITE_OK &&
                            sqlite3_step(st) == SQLITE_ROW)
                                actions = sqlite3_column_int(st, 0);
                        sqlite3_finalize(st);
                }
                sqlite3_close(s);
                if (actions < 1)
                        (void) poll(NULL, 0, 50);
        }
        return actions;
}

#define MEDIUM_ERROR_ENTRY                                               \
        "[TEST-ST4000-MEDIUM]\n"                                          \
        "Title=Test signature: medium errors on ST4000NM0023\n"           \
        "Model=ST4000NM0023\n"                                            \
        "Evidence=scsi.sense.medium_error\n"                              \
        "Action=offline-device\n"                                         \
        "Workaround=Replace the disk.\n"                                  \
        "Reference=tests/unit/test-storguardd.c\n"
static const char medium_error_record[] =
        "3,7,5000000,-;sd 0:2:1:0: [sdb] tag#3 Sense Key : Medium Error [current] \n";

/* A FIFO as the daemon's kernel log; the configuration reads it. */
static char *use_kmsg_fifo(Fixture *f, const char *kedir) {
        _cleanup_free_ char *extra = NULL;
        char *fifo = NULL;

        assert_true(asprintf(&fifo, "%s/kmsg", f->dir) > 0);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_true(asprintf(&extra, "KnownErrorsDirectories=%s\n[Daemon]\nKernelLog=%s\n", kedir, fifo) > 0);
        free(f->config);
        f->config = write_config(f, extra);
        return fifo;
}

/* A known error matched by a failure signature: Evidence= names a class the
 * kernel log shows on one of the MegaRAID disks, Action= asks to take it
 * offline.  The daemon reads a FIFO as its kernel log (one record per
 * write, as /dev/kmsg returns one per read); the response agent records
 * its decision (dry-run by default, or refused by a guard: the disk is
 * neither a mirror member nor a path) on the incident. */
static void test_known_error_evidence_action(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *kedir = use_megaraid(f, MEDIUM_ERROR_ENTRY), *fifo = use_kmsg_fifo(f, kedir);
        _cleanup_close_ int w = -EBADF;
        int actions;

        start(f, NULL);
        wait_notify(f, "READY=1");
        /* Held open until the daemon stops: a FIFO without writers polls as hung up. */
        w = open(fifo, O_WRONLY | O_CLOEXEC);
        assert_true(w >= 0);
        assert_int_equal(write(w, medium_error_record, strlen(medium_error_record)),
                         (ssize_t) strlen(medium_error_record));
        actions = wait_known_error_actions(f, "TEST-ST4000-MEDIUM");
        if (actions < 1)
                fail_msg("no action recorded on the TEST-ST4000-MEDIUM incident within %d ms", WAIT_MSEC);
        assert_int_equal(kill(f->pid, SIGTERM), 0);
        assert_int_equal(wait_exit(f), 0);
}

/* The same record already in the kernel log when the daemon starts (its
 * backlog): it must be tied to the disk, which the first scan finds, not
 * dropped because the log was read before the inventory existed. */
static void test_kernel_log_backlog(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *kedir = use_megaraid(f, MEDIUM_ERROR_ENTRY), *fifo = use_kmsg_fifo(f, kedir);
        _cleanup_close_ int w = -EBADF;

        /* O_RDWR: opening does not wait for a reader, and the record waits
         * in the pipe for the daemon. */
        w = open(fifo, O_RDWR | O_CLOEXEC);
        assert_true(w >= 0);
        assert_int_equal(write(w, medium_error_record, strlen(medium_error_record)),
                         (ssize_t) strlen(medium_error_record));
        start(f, NULL);
        wait_notify(f, "READY=1");
        if (wait_known_error_actions(f, "TEST-ST4000-MEDIUM") < 1)
                fail_msg("the kernel log's backlog was not tied to sdb within %d ms", WAIT_MSEC);
        assert_int_equal(kill(f->pid, SIGTERM), 0);
        assert_int_equal(wait_exit(f), 0);
}

static void test_invalid_config_refuses_start(void **state) {
        Fixture *f = *state;
        { _cleanup_free_ _unused_ char *c2 = write_config(f, "[Inventory]\nRescanIntervalSec=often\n"); }
        start(f, NULL);
        assert_int_equal(wait_exit(f), 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_ready_status_stop, setup, teardown),
                cmocka_unit_test_setup_teardown(test_watchdog, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
                cmocka_unit_test_setup_teardown(test_known_error, setup, teardown),
                cmocka_unit_test_setup_teardown(test_known_error_evidence_action, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kernel_log_backlog, setup, teardown),
                cmocka_unit_test_setup_teardown(test_invalid_config_refuses_start, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
