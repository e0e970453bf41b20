/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The D-Bus service end to end, with nothing mocked but the hardware:
 *
 *   a real dbus-daemon on a private socket (tests/bus/dbus-test.conf, which
 *   includes storguard's own policy, contrib/dbus/org.storguard1.conf),
 *   the real storguardd on it, reading a recorded sysfs tree (umockdev:
 *   the md RAID1 the VM lab recorded, tests/fixtures/umockdev/), and the
 *   real busctl and storguardctl as clients.
 *
 * An incident is raised the way it is on a host: the test changes the md
 * member's state in the recorded tree (what the kernel's md driver does
 * when it fails a member), asks the daemon to rescan, and the daemon's
 * inventory, diagnosis and incident manager do the rest.  Healing the
 * array resolves it.  Every wait is on an event (a signal on the bus, a
 * child's exit), bounded by WAIT_USEC; nothing sleeps.
 */

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <umockdev.h>

#include <json-c/json.h>

#include "../unit/test-helpers.h"

#include "alloc-util.h"
#include "fd-util.h"
#include "string-util.h"
#include "time-util.h"

#define DAEMON TOP_BUILDDIR "/storguardd"
#define CTL TOP_BUILDDIR "/storguardctl"
#define FIXTURE TOP_SRCDIR "/tests/fixtures/umockdev/md-raid1-faulty.umockdev"
#define BUS_CONFIG TOP_SRCDIR "/tests/bus/dbus-test.conf"
#define MD "/sys/devices/virtual/block/md0"
#define WAIT_USEC (20 * USEC_PER_SEC)
#define NOBODY 65534

#define NAME "org.storguard1"
#define PATH "/org/storguard1"
#define IFACE "org.storguard1.Manager"
#define SDG_PATH "/org/storguard1/device/wwn_2d0x3333333000004e20"
#define MD0_PATH "/org/storguard1/array/md_2dcf77d894_3abc9b784f_3a4fb7c04d_3a2218271b"
#define INCIDENT_ID "testhost-000001"
#define INCIDENT_PATH "/org/storguard1/incident/testhost_2d000001"

typedef struct Fixture {
        UMockdevTestbed *testbed;
        char *dir, *address, *config;
        pid_t dbus_pid, daemon_pid;
        sd_bus *bus;
        char *transcript; /* every signal seen, one line each */
        size_t length, mark;
} Fixture;

/* --- children -------------------------------------------------------------- */

/* Become @uid (with @gid and the supplementary @groups) in a child. */
static void drop_to(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups) {
        if (setgroups(n_groups, groups) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                _exit(126);
}

/* run_as() - run argv (no shell) as @uid, stdout and stderr captured.
 * Return: the exit status; *ret_out what it printed. */
static int run_as(uid_t uid, const gid_t *groups, size_t n_groups, char **ret_out, const char *const *argv) {
        int pipefd[2], status;
        char *out = NULL;
        size_t len = 0;
        FILE *f;
        pid_t pid;

        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                dup2(pipefd[1], STDOUT_FILENO);
                dup2(pipefd[1], STDERR_FILENO);
                unsetenv("LD_PRELOAD"); /* clients talk to the bus, not to the recorded sysfs */
                setenv("NO_COLOR", "1", 1);
                if (uid != 0)
                        drop_to(uid, NOBODY, groups, n_groups);
                execv(argv[0], (char *const *) argv);
                _exit(127);
        }
        close(pipefd[1]);
        f = open_memstream(&out, &len);
        assert_non_null(f);
        for (;;) {
                struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
                char buf[4096];
                ssize_t n;

                if (poll(&p, 1, (int) (WAIT_USEC / USEC_PER_MSEC)) != 1)
                        fail_msg("'%s %s' did not finish", argv[0], argv[1]);
                n = read(pipefd[0], buf, sizeof(buf));
                if (n <= 0)
                        break;
                fwrite(buf, 1, (size_t) n, f);
        }
        fclose(f);
        close(pipefd[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (ret_out)
                *ret_out = out;
        else
                free(out);
        return WEXITSTATUS(status);
}

#define RUN(f, out, ...) run_as(0, NULL, 0, (out), (const char *const[]) { __VA_ARGS__, NULL })

static char *bus_arg(Fixture *f) {
        char *s;
        assert_true(asprintf(&s, "--address=%s", f->address) > 0);
        return s;
}

static char *ctl_arg(Fixture *f) {
        char *s;
        assert_true(asprintf(&s, "--bus-address=%s", f->address) > 0);
        return s;
}

/* --- signals ------------------------------------------------------------- */

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Fixture *f = userdata;
        char *line = NULL, *args = NULL;
        size_t len = 0;
        FILE *s = open_memstream(&args, &len);
        const char *member = sd_bus_message_get_member(m);

        assert_non_null(s);
        /* The string and integer arguments, space separated, for matching. */
        if (streq_ptr(member, "PropertiesChanged") || streq_ptr(member, "InterfacesAdded") ||
            streq_ptr(member, "InterfacesRemoved")) {
                const char *iface = NULL, *path = NULL;

                if (streq(member, "PropertiesChanged")) {
                        assert_true(sd_bus_message_read(m, "s", &iface) > 0);
                        fprintf(s, "%s", iface);
                        /* the names of the changed properties */
                        assert_true(sd_bus_message_enter_container(m, 'a', "{sv}") > 0);
                        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                                const char *name;
                                assert_true(sd_bus_message_read(m, "s", &name) > 0);
                                fprintf(s, " %s", name);
                                assert_true(sd_bus_message_skip(m, "v") >= 0);
                                assert_true(sd_bus_message_exit_container(m) >= 0);
                        }
                } else {
                        assert_true(sd_bus_message_read(m, "o", &path) > 0);
                        fprintf(s, "%s", path);
                }
        } else {
                for (;;) {
                        char type;
                        const char *contents, *str;
                        uint32_t u;

                        if (sd_bus_message_peek_type(m, &type, &contents) <= 0)
                                break;
                        if (type == 's' || type == 'o') {
                                assert_true(sd_bus_message_read_basic(m, type, &str) > 0);
                                fprintf(s, " %s", str);
                        } else if (type == 'u') {
                                assert_true(sd_bus_message_read_basic(m, 'u', &u) > 0);
                                fprintf(s, " %u", u);
                        } else
                                assert_true(sd_bus_message_skip(m, NULL) >= 0);
                }
        }
        fclose(s);
        assert_true(asprintf(&line, "%s %s %s\n", member, sd_bus_message_get_path(m), args[0] == ' ' ? args + 1 : args) > 0);
        f->transcript = realloc(f->transcript, f->length + strlen(line) + 1);
        assert_non_null(f->transcript);
        strcpy(f->transcript + f->length, line);
        f->length += strlen(line);
        free(line);
        free(args);
        return 0;
}

/* wait_signal() - wait until a signal line containing @want arrives after
 * the last one matched: so a series of calls checks the order. */
static void wait_signal(Fixture *f, const char *want) {
        usec_t deadline = now(CLOCK_MONOTONIC) + WAIT_USEC;

        for (;;) {
                char *hit;
                int r;

                if (f->transcript && (hit = strstr(f->transcript + f->mark, want))) {
                        char *eol = strchr(hit, '\n');
                        f->mark = (size_t) ((eol ?: hit) - f->transcript);
                        return;
                }
                if (now(CLOCK_MONOTONIC) >= deadline)
                        fail_msg("no signal with '%s' after the last match; seen:\n%s", want, strempty(f->transcript));
                r = sd_bus_process(f->bus, NULL);
                assert_true(r >= 0);
                if (r == 0)
                        assert_true(sd_bus_wait(f->bus, deadline - now(CLOCK_MONOTONIC)) >= 0);
        }
}

/* --- setup ---------------------------------------------------------------- */

static void write_config(Fixture *f, const char *extra) {
        _cleanup_free_ char *content = NULL;

        free(f->config);
        /* HoldSec=0: a disk fault is raised at once instead of waiting two
         * minutes for a controller fault to explain it.  No health polls
         * or latency samples: the recorded tree has no device to read, and
         * their timing would only add signals. */
        assert_true(asprintf(&content,
                             "[Daemon]\nLogLevel=debug\nStateDirectory=%s/state\nKernelLog=\n"
                             "[Inventory]\nRescanIntervalSec=0\n[Incidents]\nHostName=testhost\n"
                             "[Diagnosis]\nHoldSec=0\n[Health]\nPollIntervalSec=0\n[Latency]\nSampleIntervalSec=0\n%s",
                             f->dir, extra) > 0);
        f->config = write_file(f->dir, "storguard.conf", content);
}

static void start_dbus(Fixture *f) {
        int pipefd[2];
        char buf[512];
        ssize_t n;
        struct pollfd p;

        assert_int_equal(pipe2(pipefd, 0), 0);
        f->dbus_pid = fork();
        assert_true(f->dbus_pid >= 0);
        if (f->dbus_pid == 0) {
                char fd[16], addr[600], log[600];
                int logfd;

                unsetenv("LD_PRELOAD");
                close(pipefd[0]);
                /* Not the test's stdout: a pipe held open would stall the harness. */
                snprintf(log, sizeof(log), "%s/dbus-daemon.log", f->dir);
                logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (logfd >= 0) {
                        dup2(logfd, STDOUT_FILENO);
                        dup2(logfd, STDERR_FILENO);
                }
                snprintf(fd, sizeof(fd), "%d", pipefd[1]);
                snprintf(addr, sizeof(addr), "--address=unix:path=%s/bus", f->dir);
                execlp("dbus-daemon", "dbus-daemon", "--config-file=" BUS_CONFIG, addr, "--nofork", "--nosyslog",
                       "--print-address", fd, (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);
        /* It prints its address once it listens. */
        p = (struct pollfd) { .fd = pipefd[0], .events = POLLIN };
        assert_int_equal(poll(&p, 1, (int) (WAIT_USEC / USEC_PER_MSEC)), 1);
        n = read(pipefd[0], buf, sizeof(buf) - 1);
        close(pipefd[0]);
        assert_true(n > 0);
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        f->address = strdup(buf);
        assert_non_null(f->address);
}

static void connect_bus(Fixture *f) {
        assert_true(sd_bus_new(&f->bus) >= 0);
        assert_true(sd_bus_set_address(f->bus, f->address) >= 0);
        assert_true(sd_bus_set_bus_client(f->bus, true) >= 0);
        assert_true(sd_bus_start(f->bus) >= 0);
        assert_true(sd_bus_add_match(f->bus, NULL, "type='signal',sender='" NAME "'", on_signal, f) >= 0);
        assert_true(sd_bus_add_match(f->bus, NULL,
                                     "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" NAME "'",
                                     on_signal, f) >= 0);
}

static void start_daemon(Fixture *f) {
        f->daemon_pid = fork();
        assert_true(f->daemon_pid >= 0);
        if (f->daemon_pid == 0) {
                char addr[600], log[600];
                int fd;

                snprintf(addr, sizeof(addr), "--bus-address=%s", f->address);
                snprintf(log, sizeof(log), "%s/storguardd.log", f->dir);
                fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (fd >= 0) {
                        dup2(fd, STDOUT_FILENO);
                        dup2(fd, STDERR_FILENO);
                }
                unsetenv("NOTIFY_SOCKET");
                execl(DAEMON, DAEMON, "--config", f->config, "--log-target=console", addr, (char *) NULL);
                _exit(127);
        }
        /* Ready when the name is on the bus (it is taken last). */
        wait_signal(f, "NameOwnerChanged /org/freedesktop/DBus " NAME "  :");
}

static void set_md(Fixture *f, const char *member_state, const char *degraded) {
        umockdev_testbed_set_attribute(f->testbed, MD, "md/dev-sdg/state", member_state);
        umockdev_testbed_set_attribute(f->testbed, MD, "md/degraded", degraded);
}

static int setup_with(void **state, const char *extra) {
        Fixture *f = calloc(1, sizeof(Fixture));
        g_autoptr(GError) error = NULL;

        assert_non_null(f);
        if (!strstr(strempty(getenv("LD_PRELOAD")), "libumockdev-preload"))
                fail_msg("run under umockdev-wrapper (tests/unit/run-test does)");
        f->testbed = umockdev_testbed_new();
        assert_true(umockdev_testbed_add_from_file(f->testbed, FIXTURE, &error));
        /* Start from a whole mirror: both members in sync. */
        set_md(f, "in_sync", "0");
        f->dir = scratch_dir();
        /* uid 65534 must reach the bus socket inside. */
        assert_int_equal(chmod(f->dir, 0755), 0);
        write_config(f, extra);
        *state = f;
        return 0;
}

/* begin() - the bus, a client connection and the daemon.  Called by each
 * test (not by setup: cmocka skips teardown when setup fails, and the
 * children must always be stopped). */
static Fixture *begin(void **state) {
        Fixture *f = *state;

        start_dbus(f);
        connect_bus(f);
        start_daemon(f);
        return f;
}

static int setup(void **state) {
        return setup_with(state, "");
}

static int setup_group(void **state) {
        return setup_with(state, "[Bus]\nPrivilegedGroup=users\n");
}

/* stop() - SIGTERM and reap.  Return: the wait status (0 for no child). */
static int stop(pid_t *pid) {
        int status = 0;

        if (*pid > 0) {
                kill(*pid, SIGTERM);
                assert_int_equal(waitpid(*pid, &status, 0), *pid);
                *pid = 0;
        }
        return status;
}

static int teardown(void **state) {
        Fixture *f = *state;
        bool clean;
        int status;

        /* A clean exit on SIGTERM; under --enable-sanitizers also no leak
         * and no ASan or UBSan report (those exit non-zero). */
        status = stop(&f->daemon_pid);
        clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        f->bus = sd_bus_flush_close_unref(f->bus);
        stop(&f->dbus_pid);
        if (!clean)
                fprintf(stderr, "storguardd did not exit cleanly on SIGTERM (wait status 0x%x), see %s/storguardd.log\n",
                        (unsigned) status, f->dir);
        else if (getenv("STORGUARD_TEST_KEEP"))
                fprintf(stderr, "kept %s\n", f->dir);
        else
                rm_rf(f->dir);
        free(f->dir);
        free(f->address);
        free(f->config);
        free(f->transcript);
        g_object_unref(f->testbed);
        free(f);
        return clean ? 0 : -1;
}

/* --- helpers over sd-bus --------------------------------------------------- */

/* call() - a Manager method; Return: 0, or -errno with *ret_error's name. */
static int call(Fixture *f, const char *member, char **ret_error, sd_bus_message **ret_reply, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        va_list ap;
        int r;

        assert_true(sd_bus_message_new_method_call(f->bus, &m, NAME, PATH, IFACE, member) >= 0);
        if (types) {
                va_start(ap, types);
                assert_true(sd_bus_message_appendv(m, types, ap) >= 0);
                va_end(ap);
        }
        r = sd_bus_call(f->bus, m, WAIT_USEC, &e, ret_reply);
        if (ret_error)
                *ret_error = r < 0 && e.name ? strdup(e.name) : NULL;
        sd_bus_error_free(&e);
        return r < 0 ? r : 0;
}

static void expect_error(Fixture *f, const char *error_name, const char *member, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        va_list ap;

        assert_true(sd_bus_message_new_method_call(f->bus, &m, NAME, PATH, IFACE, member) >= 0);
        if (types) {
                va_start(ap, types);
                assert_true(sd_bus_message_appendv(m, types, ap) >= 0);
                va_end(ap);
        }
        assert_true(sd_bus_call(f->bus, m, WAIT_USEC, &e, NULL) < 0);
        if (!sd_bus_error_has_name(&e, error_name))
                fail_msg("%s(): expected %s, got %s: %s", member, error_name, strna(e.name), strna(e.message));
        sd_bus_error_free(&e);
}

static char *get_string(Fixture *f, const char *path, const char *iface, const char *property) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char *s = NULL;

        if (sd_bus_get_property_string(f->bus, NAME, path, iface, property, &e, &s) < 0)
                fail_msg("Get %s.%s on %s: %s", iface, property, path, strna(e.message));
        return s;
}

static uint64_t get_u64(Fixture *f, const char *path, const char *iface, const char *property) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        uint64_t v = 0;

        if (sd_bus_get_property_trivial(f->bus, NAME, path, iface, property, &e, 't', &v) < 0)
                fail_msg("Get %s.%s on %s: %s", iface, property, path, strna(e.message));
        return v;
}

static void assert_contains(const char *haystack, const char *needle) {
        if (!strstr(strempty(haystack), needle))
                fail_msg("expected '%s' in:\n%s", needle, strempty(haystack));
}

/* Raise the incident as the kernel would cause it: md fails sdg. */
static void fail_member(Fixture *f) {
        set_md(f, "faulty", "1");
        assert_int_equal(call(f, "Rescan", NULL, NULL, NULL), 0);
        wait_signal(f, "IncidentRaised " PATH " " INCIDENT_ID " 1 Disk sdg");
}

/* --- tests ---------------------------------------------------------------- */

static void test_introspection(void **state) {
        Fixture *f = begin(state);
        _cleanup_free_ char *b = bus_arg(f), *out = NULL, *tree = NULL, *dev = NULL, *arr = NULL, *inc = NULL;
        static const char *const manager_members[] = {
                "org.storguard1.Manager", "org.freedesktop.DBus.ObjectManager", "org.freedesktop.DBus.Properties",
                ".ListDevices", ".ListArrays", ".ListIncidents", ".GetIncident", ".Acknowledge", ".Resolve", ".Close",
                ".Isolate", ".Reinstate", ".Rescan", ".Reload", ".Version", ".HostId", ".HostName", ".OverallHealth",
                ".PolicyMode", ".Devices", ".Arrays", ".OpenIncidents", ".OpenIncidentsByPriority", ".MajorIncidents",
                ".IncidentRaised", ".IncidentUpdated", ".IncidentResolved", ".DeviceHealthChanged",
        };

        assert_int_equal(RUN(f, &out, "/usr/bin/busctl", b, "introspect", NAME, PATH), 0);
        for (size_t i = 0; i < ELEMENTSOF(manager_members); i++)
                assert_contains(out, manager_members[i]);
        assert_contains(out, "\"0.1.0\"");

        /* The tree follows the inventory: both disks and the array. */
        assert_int_equal(RUN(f, &tree, "/usr/bin/busctl", b, "tree", NAME), 0);
        assert_contains(tree, SDG_PATH);
        assert_contains(tree, "/org/storguard1/device/wwn_2d0x500003900000a001");
        assert_contains(tree, MD0_PATH);

        assert_int_equal(RUN(f, &dev, "/usr/bin/busctl", b, "introspect", NAME, SDG_PATH, "org.storguard1.Device"), 0);
        assert_contains(dev, ".Model                property  s         \"scsi_debug\"");
        assert_contains(dev, ".Health ");
        assert_contains(dev, ".HealthReasons");
        assert_contains(dev, ".ControllerName");
        assert_contains(dev, ".AvailabilityPercent");
        assert_int_equal(RUN(f, &arr, "/usr/bin/busctl", b, "introspect", NAME, MD0_PATH, "org.storguard1.Array"), 0);
        assert_contains(arr, ".Level               property  s         \"raid1\"");
        assert_contains(arr, ".Members");

        /* An incident object appears once there is an incident. */
        fail_member(f);
        assert_int_equal(RUN(f, &inc, "/usr/bin/busctl", b, "introspect", NAME, INCIDENT_PATH, "org.storguard1.Incident"), 0);
        assert_contains(inc, ".Title");
        assert_contains(inc, ".DedupKey");
        assert_contains(inc, ".Evidence");
        assert_contains(inc, ".DetectedUSec");
}

static void test_properties(void **state) {
        Fixture *f = begin(state);
        _cleanup_free_ char *b = bus_arg(f), *c = ctl_arg(f), *out = NULL, *objects = NULL, *json = NULL;
        _cleanup_free_ char *version = get_string(f, PATH, IFACE, "Version"), *health = get_string(f, PATH, IFACE, "OverallHealth");
        _cleanup_free_ char *model = get_string(f, SDG_PATH, "org.storguard1.Device", "Model");
        _cleanup_free_ char *level = get_string(f, MD0_PATH, "org.storguard1.Array", "Level");
        _cleanup_free_ char *dev_health = get_string(f, SDG_PATH, "org.storguard1.Device", "Health");
        json_object *o, *v;

        assert_string_equal(version, PACKAGE_VERSION);
        assert_string_equal(health, "ok");
        assert_string_equal(model, "scsi_debug");
        assert_string_equal(level, "raid1");
        assert_string_equal(dev_health, "ok");
        assert_int_equal(get_u64(f, PATH, IFACE, "OpenIncidents"), 0);

        /* Every property of every interface, read by busctl. */
        assert_int_equal(RUN(f, &out, "/usr/bin/busctl", b, "get-property", NAME, PATH, IFACE, "Version", "HostName",
                             "HostId", "OverallHealth", "PolicyMode", "Devices", "Arrays", "OpenIncidents",
                             "OpenIncidentsByPriority", "MajorIncidents"),
                         0);
        assert_contains(out, "s \"0.1.0\"\ns \"testhost\"\ns \"");
        assert_contains(out, "s \"ok\"\ns \"dry-run\"\nu 2\nu 1\nt 0\nat 5 0 0 0 0 0\nt 0\n");

        /* ObjectManager: everything in one call. */
        assert_int_equal(RUN(f, &objects, "/usr/bin/busctl", b, "--json=short", "call", NAME, PATH,
                             "org.freedesktop.DBus.ObjectManager", "GetManagedObjects"),
                         0);
        o = json_tokener_parse(objects);
        assert_non_null(o);
        assert_true(json_object_object_get_ex(o, "data", &v));
        v = json_object_array_get_idx(v, 0);
        assert_true(json_object_object_get_ex(v, SDG_PATH, NULL));
        assert_true(json_object_object_get_ex(v, MD0_PATH, NULL));
        json_object_put(o);

        /* storguardctl reads the same; --json is JSON. */
        assert_int_equal(RUN(f, &json, CTL, c, "devices", "--json"), 0);
        o = json_tokener_parse(json);
        assert_non_null(o);
        assert_int_equal(json_object_array_length(o), 2);
        json_object_put(o);
}

static void test_signals_in_order(void **state) {
        Fixture *f = begin(state);
        _cleanup_free_ char *b = bus_arg(f), *c = ctl_arg(f), *out = NULL, *status = NULL, *healed = NULL,
                            *ack_by = NULL, *incident_status = NULL;

        /* md fails the member: the array changes, the disk's health, then
         * the incident object and its signal, then the Manager's counts. */
        set_md(f, "faulty", "1");
        assert_int_equal(RUN(f, &out, CTL, c, "rescan"), 0);
        assert_contains(out, "Rescanned: 6 configuration items.");
        wait_signal(f, "PropertiesChanged " MD0_PATH " org.storguard1.Array");
        wait_signal(f, "DeviceHealthChanged " PATH " wwn-0x3333333000004e20 sdg failed ok member sdg of md0 is faulty");
        wait_signal(f, "InterfacesAdded " PATH " " INCIDENT_PATH);
        wait_signal(f, "IncidentRaised " PATH " " INCIDENT_ID " 1 Disk sdg (scsi_debug, serial 20000): failed open raised");
        wait_signal(f, "PropertiesChanged " PATH " org.storguard1.Manager OverallHealth");

        assert_int_equal(get_u64(f, PATH, IFACE, "OpenIncidents"), 1);
        assert_int_equal(get_u64(f, PATH, IFACE, "MajorIncidents"), 1);
        /* status: one screen, exit status 3 while unhealthy. */
        assert_int_equal(RUN(f, &status, CTL, c, "status"), 3);
        assert_contains(status, "Health:    critical");
        assert_contains(status, "sdg    scsi_debug 20000  failed member sdg of md0 is faulty");
        assert_contains(status, INCIDENT_ID " 1 major  open");

        /* An operator acknowledges it (storguardctl), the incident's
         * properties change. */
        assert_int_equal(RUN(f, NULL, CTL, c, "ack", INCIDENT_ID, "--who=alice", "--comment=replacing sdg"), 0);
        wait_signal(f, "PropertiesChanged " INCIDENT_PATH " org.storguard1.Incident");
        wait_signal(f, "IncidentUpdated " PATH " " INCIDENT_ID " 1 Disk sdg");
        ack_by = get_string(f, INCIDENT_PATH, "org.storguard1.Incident", "AcknowledgedBy");
        assert_string_equal(ack_by, "alice");

        /* The member is replaced and resynced: the array is whole again.
         * The disk is no longer a faulty member but its incident is still
         * open (failing); the incident resolves by itself; then the disk
         * is healthy. */
        set_md(f, "in_sync", "0");
        assert_int_equal(RUN(f, NULL, "/usr/bin/busctl", b, "call", NAME, PATH, IFACE, "Rescan"), 0);
        wait_signal(f, "DeviceHealthChanged " PATH " wwn-0x3333333000004e20 sdg failing failed incident " INCIDENT_ID);
        wait_signal(f, "IncidentResolved " PATH " " INCIDENT_ID " 1 Disk sdg (scsi_debug, serial 20000): failed resolved resolved");
        wait_signal(f, "DeviceHealthChanged " PATH " wwn-0x3333333000004e20 sdg ok failing");
        assert_true(get_u64(f, INCIDENT_PATH, "org.storguard1.Incident", "RestoredUSec") > 0);
        assert_int_equal(RUN(f, &healed, CTL, c, "status"), 0);
        assert_contains(healed, "Health:    ok");

        /* Closed over busctl. */
        assert_int_equal(RUN(f, NULL, "/usr/bin/busctl", b, "call", NAME, PATH, IFACE, "Close", "s", INCIDENT_ID), 0);
        wait_signal(f, "IncidentUpdated " PATH " " INCIDENT_ID " 1 Disk sdg (scsi_debug, serial 20000): failed closed closed");
        incident_status = get_string(f, INCIDENT_PATH, "org.storguard1.Incident", "Status");
        assert_string_equal(incident_status, "closed");
}

static void test_faulty_at_start(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *c = NULL, *status = NULL;

        /* md failed the member while storguard was not running: the first
         * scan finds it faulty, and that is an incident too. */
        set_md(f, "faulty", "1");
        begin(state);
        c = ctl_arg(f);
        wait_signal(f, "IncidentRaised " PATH " " INCIDENT_ID " 1 Disk sdg (scsi_debug, serial 20000): failed open raised");
        assert_int_equal(get_u64(f, PATH, IFACE, "OpenIncidents"), 1);
        assert_int_equal(RUN(f, &status, CTL, c, "status"), 3);
        assert_contains(status, "sdg    scsi_debug 20000  failed member sdg of md0 is faulty");
}

static void test_every_method(void **state) {
        Fixture *f = begin(state);
        _cleanup_free_ char *b = bus_arg(f), *c = ctl_arg(f), *devices = NULL, *arrays = NULL, *list = NULL,
                            *all = NULL, *get = NULL, *show = NULL, *showdev = NULL, *iso = NULL, *rei = NULL,
                            *reload = NULL, *json = NULL, *refused = NULL;
        json_object *o, *v;

        assert_int_equal(RUN(f, &devices, "/usr/bin/busctl", b, "call", NAME, PATH, IFACE, "ListDevices"), 0);
        assert_contains(devices, "a(sssssso) 2 \"wwn-0x500003900000a001\" \"sdc\" \"virtio\" \"AL15SEB060N\"");
        assert_int_equal(RUN(f, &arrays, "/usr/bin/busctl", b, "call", NAME, PATH, IFACE, "ListArrays"), 0);
        assert_contains(arrays, "a(sssssuuo) 1 \"md-cf77d894:bc9b784f:4fb7c04d:2218271b\" \"md0\" \"md\" \"raid1\" \"clean\" 0 2");

        fail_member(f);
        assert_int_equal(RUN(f, &list, "/usr/bin/busctl", b, "call", NAME, PATH, IFACE, "ListIncidents", "su", "", "2"), 0);
        assert_contains(list, "a(subssssto) 1 \"" INCIDENT_ID "\" 1 true \"open\" \"disk\"");
        free(list);
        list = NULL;
        /* Filters: a status with nothing in it. */
        assert_int_equal(RUN(f, &list, "/usr/bin/busctl", b, "call", NAME, PATH, IFACE, "ListIncidents", "su", "resolved", "0"), 0);
        assert_contains(list, "a(subssssto) 0");
        assert_int_equal(RUN(f, &get, "/usr/bin/busctl", b, "call", NAME, PATH, IFACE, "GetIncident", "s", INCIDENT_ID), 0);
        assert_contains(get, "\"dedup_key\" s \"disk.failed:wwn-0x3333333000004e20\"");
        assert_contains(get, "\"evidence\" av 1 a{sv} 5 \"class\" s \"md.member.faulty\"");

        assert_int_equal(RUN(f, &show, CTL, c, "show", INCIDENT_ID), 0);
        assert_contains(show, "status: open");
        assert_int_equal(RUN(f, &showdev, CTL, c, "show", "sdg"), 0);
        assert_contains(showdev, "ActiveIncidents: \n    - " INCIDENT_ID);

        /* The response agent answers Isolate/Reinstate: dry-run by default
         * (what would be done), the guard's reason when it refuses (sdc is
         * the mirror's last in-sync member), NotSupported when the policy
         * for the action is off. */
        assert_int_equal(RUN(f, &iso, CTL, c, "isolate", "sdg", "--reason=test"), 0);
        assert_contains(iso, "dry-run: would md.fail_member sdg");
        wait_signal(f, "IncidentUpdated " PATH " " INCIDENT_ID " 1 Disk sdg (scsi_debug, serial 20000): failed open action");
        expect_error(f, "org.storguard1.Error.Refused", "Isolate", "ss", "sdc", "test");
        assert_int_equal(RUN(f, &refused, CTL, c, "isolate", "wwn-0x500003900000a001", "--reason=test"), 1);
        assert_contains(refused, "refused: guard 'last redundancy': md0 (raid1)");
        assert_int_equal(RUN(f, &rei, CTL, c, "reinstate", "sdg"), 0);
        assert_contains(rei, "dry-run: would md.re_add sdg");

        assert_int_equal(RUN(f, NULL, "/usr/bin/busctl", b, "call", NAME, PATH, IFACE, "Acknowledge", "sss", INCIDENT_ID,
                             "bob", ""),
                         0);
        assert_int_equal(RUN(f, NULL, CTL, c, "resolve", INCIDENT_ID, "--comment=spare swapped in"), 0);
        wait_signal(f, "IncidentResolved " PATH " " INCIDENT_ID);
        assert_int_equal(RUN(f, NULL, CTL, c, "close", INCIDENT_ID), 0);
        assert_int_equal(RUN(f, &all, CTL, c, "incidents", "--all", "--json"), 0);
        o = json_tokener_parse(all);
        assert_non_null(o);
        assert_true(json_object_object_get_ex(json_object_array_get_idx(o, 0), "status", &v));
        assert_string_equal(json_object_get_string(v), "closed");
        json_object_put(o);

        /* Reload: the policy for failing md members is now off. */
        write_config(f, "[Response]\nFailMdMember=off\n");
        assert_int_equal(RUN(f, &reload, CTL, c, "reload"), 0);
        assert_contains(reload, "Configuration reloaded.");
        expect_error(f, "org.storguard1.Error.NotSupported", "Isolate", "ss", "sdg", "test");
        /* An invalid configuration is refused and the running one kept. */
        write_config(f, "[Bus]\nPrivilegedGroup=-bad\n");
        expect_error(f, "org.storguard1.Error.Refused", "Reload", NULL);
        /* The array is still degraded: exit status 3, JSON all the same. */
        assert_int_equal(RUN(f, &json, CTL, c, "status", "--json"), 3);
        o = json_tokener_parse(json);
        assert_non_null(o);
        json_object_put(o);
}

static void test_unprivileged(void **state) {
        Fixture *f = begin(state);
        _cleanup_free_ char *b = bus_arg(f), *c = ctl_arg(f), *read = NULL, *ack = NULL, *ack_by = NULL;
        uint64_t seq;
        const char *const calls[][5] = {
                { "Acknowledge", "sss", INCIDENT_ID, "mallory", "" },
                { "Resolve", "ss", INCIDENT_ID, "" },
                { "Close", "s", INCIDENT_ID, NULL },
                { "Isolate", "ss", "sdg", "because" },
                { "Reinstate", "s", "sdg", NULL },
                { "Rescan", NULL, NULL, NULL },
                { "Reload", NULL, NULL, NULL },
        };

        fail_member(f);
        seq = get_u64(f, INCIDENT_PATH, "org.storguard1.Incident", "Sequence");
        /* Reading is open to every local user. */
        assert_int_equal(run_as(NOBODY, NULL, 0, &read, (const char *const[]) { CTL, c, "status", NULL }), 3);
        assert_contains(read, INCIDENT_ID);

        /* Every method that changes something is refused, with the named
         * error, and changes nothing. */
        for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                _cleanup_free_ char *o = NULL;
                const char *argv[12] = { "/usr/bin/busctl", b, "call", NAME, PATH, IFACE, calls[i][0] };
                size_t n = 7;

                for (size_t k = 1; k < 5 && calls[i][k]; k++)
                        argv[n++] = calls[i][k];
                assert_int_equal(run_as(NOBODY, NULL, 0, &o, argv), 1);
                assert_contains(o, "needs root");
        }
        assert_int_equal(run_as(NOBODY, NULL, 0, &ack, (const char *const[]) { CTL, c, "ack", INCIDENT_ID, NULL }), 1);
        assert_contains(ack, "Failed to acknowledge the incident: Acknowledge() needs root.");
        ack_by = get_string(f, INCIDENT_PATH, "org.storguard1.Incident", "AcknowledgedBy");
        assert_string_equal(ack_by, "");
        assert_int_equal(get_u64(f, INCIDENT_PATH, "org.storguard1.Incident", "Sequence"), seq);

        /* The error name itself, from a client running as uid 65534. */
        {
                pid_t pid = fork();
                int status;

                assert_true(pid >= 0);
                if (pid == 0) {
                        sd_bus *bus = NULL;
                        sd_bus_error e = SD_BUS_ERROR_NULL;

                        drop_to(NOBODY, NOBODY, NULL, 0);
                        if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, f->address) < 0 ||
                            sd_bus_set_bus_client(bus, true) < 0 || sd_bus_start(bus) < 0)
                                _exit(2);
                        if (sd_bus_call_method(bus, NAME, PATH, IFACE, "Close", &e, NULL, "s", INCIDENT_ID) >= 0)
                                _exit(3);
                        _exit(sd_bus_error_has_name(&e, "org.storguard1.Error.NotPermitted") ? 0 : 4);
                }
                assert_int_equal(waitpid(pid, &status, 0), pid);
                assert_true(WIFEXITED(status));
                assert_int_equal(WEXITSTATUS(status), 0);
        }
}

/* [Bus] PrivilegedGroup=users: uid 65534 in group "users" may act. */
static void test_privileged_group(void **state) {
        Fixture *f = begin(state);
        _cleanup_free_ char *c = ctl_arg(f), *out = NULL, *ack_by = NULL;
        struct group *g = getgrnam("users");
        gid_t groups[1];

        if (!g)
                skip();
        groups[0] = g->gr_gid;
        fail_member(f);
        /* Without the group: refused. */
        assert_int_equal(run_as(NOBODY, NULL, 0, &out, (const char *const[]) { CTL, c, "ack", INCIDENT_ID, NULL }), 1);
        assert_contains(out, "needs root or membership of group 'users'");
        /* With it: done. */
        assert_int_equal(run_as(NOBODY, groups, 1, NULL,
                                (const char *const[]) { CTL, c, "ack", INCIDENT_ID, "--who=oncall", NULL }),
                         0);
        wait_signal(f, "IncidentUpdated " PATH " " INCIDENT_ID);
        ack_by = get_string(f, INCIDENT_PATH, "org.storguard1.Incident", "AcknowledgedBy");
        assert_string_equal(ack_by, "oncall");
}

static void test_malformed(void **state) {
        Fixture *f = begin(state);
        _cleanup_free_ char *b = bus_arg(f), *wrong = NULL, *long_id = malloc(300), *long_comment = malloc(2000);
        uint64_t seq;

        fail_member(f);
        seq = get_u64(f, INCIDENT_PATH, "org.storguard1.Incident", "Sequence");
        memset(long_id, 'a', 299);
        long_id[299] = '\0';
        memset(long_comment, 'c', 1999);
        long_comment[1999] = '\0';

        expect_error(f, "org.storguard1.Error.InvalidArgument", "GetIncident", "s", "bad id!");
        expect_error(f, "org.storguard1.Error.InvalidArgument", "GetIncident", "s", "");
        expect_error(f, "org.storguard1.Error.InvalidArgument", "GetIncident", "s", long_id);
        expect_error(f, "org.storguard1.Error.NotFound", "GetIncident", "s", "testhost-999999");
        expect_error(f, "org.storguard1.Error.InvalidArgument", "ListIncidents", "su", "bogus", 0);
        expect_error(f, "org.storguard1.Error.InvalidArgument", "ListIncidents", "su", "", 9);
        expect_error(f, "org.storguard1.Error.InvalidArgument", "Acknowledge", "sss", INCIDENT_ID, "eve\x01", "");
        expect_error(f, "org.storguard1.Error.InvalidArgument", "Acknowledge", "sss", INCIDENT_ID, "eve", long_comment);
        expect_error(f, "org.storguard1.Error.InvalidArgument", "Acknowledge", "sss", "../../etc", "eve", "");
        expect_error(f, "org.storguard1.Error.InvalidArgument", "Resolve", "ss", INCIDENT_ID, "line\nbreak");
        expect_error(f, "org.storguard1.Error.InvalidArgument", "Isolate", "ss", "../sdg", "why");
        expect_error(f, "org.storguard1.Error.InvalidArgument", "Isolate", "ss", "sd g", "why");
        expect_error(f, "org.storguard1.Error.InvalidArgument", "Isolate", "ss", "sdg", "");
        expect_error(f, "org.storguard1.Error.NotFound", "Isolate", "ss", "sdz", "why");
        expect_error(f, "org.storguard1.Error.NotFound", "Acknowledge", "sss", "testhost-999999", "eve", "");
        /* The wrong signature never reaches the handler. */
        assert_int_equal(RUN(f, &wrong, "/usr/bin/busctl", b, "call", NAME, PATH, IFACE, "Acknowledge", "s", INCIDENT_ID), 1);
        assert_contains(wrong, "Invalid arguments");

        /* Nothing changed: the incident is as it was raised. */
        assert_int_equal(get_u64(f, INCIDENT_PATH, "org.storguard1.Incident", "Sequence"), seq);

        /* The lifecycle refuses what it forbids, with the reason. */
        assert_int_equal(call(f, "Resolve", NULL, NULL, "ss", INCIDENT_ID, ""), 0);
        assert_int_equal(call(f, "Close", NULL, NULL, "s", INCIDENT_ID), 0);
        expect_error(f, "org.storguard1.Error.Refused", "Close", "s", INCIDENT_ID);
        expect_error(f, "org.storguard1.Error.Refused", "Resolve", "ss", INCIDENT_ID, "");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_introspection, setup, teardown),
                cmocka_unit_test_setup_teardown(test_properties, setup, teardown),
                cmocka_unit_test_setup_teardown(test_signals_in_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_faulty_at_start, setup, teardown),
                cmocka_unit_test_setup_teardown(test_every_method, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unprivileged, setup, teardown),
                cmocka_unit_test_setup_teardown(test_privileged_group, setup_group, teardown),
                cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        };

        if (geteuid() != 0) {
                /* Calling as another uid needs root; so does the policy's own="org.storguard1". */
                fprintf(stderr, "test-bus needs root (to run storguardd as the policy wants and to call as uid 65534); skipping.\n");
                return 77;
        }
        return cmocka_run_group_tests(tests, NULL, NULL);
}
