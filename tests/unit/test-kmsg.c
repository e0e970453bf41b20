/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* drivers/kmsg: real kernel lines (tests/fixtures/kmsg/README says where
 * each came from) must give exactly the ereports listed here; garbage must
 * give none and never crash; the reader must resume without replaying. */

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "string-util.h"

#include "kmsg-fixture.h"
#include "kmsg-reader.h"
#include "kmsg.h"

#define FIXTURES TOP_SRCDIR "/tests/fixtures/kmsg/"

typedef struct Expect {
        size_t record; /* index of the record in the file */
        EreportClass class;
        const char *device;
        uint64_t lba;
        uint64_t value;
} Expect;

#define NOLBA EREPORT_LBA_NONE

static void check_fixture(const char *name, const Expect *x, size_t n_x, size_t n_malformed) {
        _cleanup_free_ char *path = NULL;
        KmsgFixture f = {};
        size_t k = 0, malformed = 0;

        assert_true(asprintf(&path, "%s%s", FIXTURES, name) > 0);
        assert_int_equal(kmsg_fixture_load(path, &f), 0);
        assert_true(f.n > 0);
        for (size_t i = 0; i < f.n; i++) {
                Ereport e[KMSG_EREPORTS_MAX];
                int r = kmsg_parse_line(f.records[i], f.lengths[i], 1000 * USEC_PER_SEC, e);

                if (r < 0) {
                        malformed++;
                        continue;
                }
                for (int j = 0; j < r; j++, k++) {
                        if (k >= n_x)
                                fail_msg("%s record %zu: unexpected %s on '%s'", name, i,
                                         ereport_class_to_string(e[j].class), e[j].device);
                        if (x[k].record != i || x[k].class != e[j].class || !streq(x[k].device, e[j].device) ||
                            x[k].lba != e[j].lba || x[k].value != e[j].value)
                                fail_msg("%s expectation %zu: got record %zu %s '%s' lba %" PRIu64 " value %" PRIu64
                                         ", wanted record %zu %s '%s'",
                                         name, k, i, ereport_class_to_string(e[j].class), e[j].device,
                                         e[j].lba, e[j].value, x[k].record, ereport_class_to_string(x[k].class),
                                         x[k].device);
                        assert_string_equal(e[j].source, "kmsg");
                        assert_true(e[j].time_usec >= 1000 * USEC_PER_SEC);
                        assert_non_null(strstr(f.records[i], e[j].raw));
                }
        }
        assert_int_equal(k, n_x);
        assert_int_equal(malformed, n_malformed);
        kmsg_fixture_free(&f);
}

static void test_scsi_sense_with_device_lines(void **state) {
        static const Expect x[] = {
                { 0, EREPORT_SCSI_CMD_FAILED, "sdf", NOLBA, 0 /* DID_OK */ },
                { 1, EREPORT_SCSI_SENSE_NOT_READY, "sdf", NOLBA, 0 },
                { 4, EREPORT_BLK_IO_ERROR, "sdf", 9984, 0 },
        };
        KmsgRecord rec;
        const char *r0 = "6,1239,9436467326,-;sd 6:0:0:0: [sdf] tag#2 FAILED Result: hostbyte=DID_OK "
                         "driverbyte=DRIVER_SENSE\n SUBSYSTEM=scsi\n DEVICE=+scsi:6:0:0:0";

        /* The published text wraps one message onto a line of its own: that
         * line is no record and must be refused, not misread. */
        check_fixture("peripety-targetcli-sector-error.kmsg", x, ELEMENTSOF(x), 1);

        assert_int_equal(kmsg_record_parse(r0, strlen(r0), &rec), 0);
        assert_int_equal(rec.level, 6);
        assert_int_equal(rec.seq, 1239);
        assert_int_equal(rec.monotonic_usec, 9436467326ULL);
        assert_int_equal(rec.subsystem_len, 4);
        assert_memory_equal(rec.subsystem, "scsi", 4);
        assert_int_equal(rec.device_len, strlen("+scsi:6:0:0:0"));
        assert_memory_equal(rec.device, "+scsi:6:0:0:0", rec.device_len);
        assert_int_equal(rec.message_len, strcspn(rec.message, "\n"));
}

/* The controller cascade: one megaraid_sas host, every disk DID_NO_CONNECT,
 * md then fails two members. */
static void test_controller_cascade_lines(void **state) {
        static const Expect x[] = {
                { 4, EREPORT_SCSI_CMD_FAILED, "sdc", NOLBA, 1 /* DID_NO_CONNECT */ },
                { 6, EREPORT_BLK_IO_ERROR, "sdc", 320282600, 0 },
                { 7, EREPORT_SCSI_CMD_FAILED, "sde", NOLBA, 1 },
                { 9, EREPORT_BLK_IO_ERROR, "sde", 320282600, 0 },
                { 10, EREPORT_SCSI_CMD_FAILED, "sdf", NOLBA, 1 },
                { 12, EREPORT_BLK_IO_ERROR, "sdf", 320282600, 0 },
                { 13, EREPORT_SCSI_CMD_FAILED, "sdf", NOLBA, 1 },
                { 15, EREPORT_BLK_IO_ERROR, "sdf", 320282624, 0 },
                { 16, EREPORT_SCSI_CMD_FAILED, "sdd", NOLBA, 1 },
                { 18, EREPORT_BLK_IO_ERROR, "sdd", 320282600, 0 },
                { 19, EREPORT_SCSI_CMD_FAILED, "sda", NOLBA, 1 },
                { 21, EREPORT_BLK_IO_ERROR, "sda", 320282600, 0 },
                { 22, EREPORT_SCSI_CMD_FAILED, "sdb", NOLBA, 1 },
                { 24, EREPORT_BLK_IO_ERROR, "sdb", 320282600, 0 },
                { 25, EREPORT_SCSI_CMD_FAILED, "sde", NOLBA, 1 },
                { 27, EREPORT_BLK_IO_ERROR, "sde", 320282624, 0 },
                { 28, EREPORT_SCSI_CMD_FAILED, "sdf", NOLBA, 1 },
                { 29, EREPORT_SCSI_CMD_FAILED, "sde", NOLBA, 1 },
                { 31, EREPORT_BLK_IO_ERROR, "sdf", 320283264, 0 },
                { 33, EREPORT_BLK_IO_ERROR, "sde", 320283264, 0 },
                { 35, EREPORT_MD_MEMBER_FAULTY, "sdc5", NOLBA, 0 },
                { 36, EREPORT_MD_DEGRADED, "md2", NOLBA, 5 },
                { 39, EREPORT_MD_MEMBER_FAULTY, "sde5", NOLBA, 0 },
                { 40, EREPORT_MD_DEGRADED, "md2", NOLBA, 4 },
        };

        check_fixture("linux-raid-2019-perc5i-no-connect.dmesg", x, ELEMENTSOF(x), 0);
        assert_true(scsi_host_byte_is_transport(1));
        assert_false(scsi_host_byte_is_transport(0));
        assert_string_equal(scsi_host_byte_to_string(3), "DID_TIME_OUT");
}

static void test_md_member_and_medium(void **state) {
        static const Expect x[] = {
                { 1, EREPORT_SCSI_DEVICE_OFFLINE, "0:1:0:0", NOLBA, 0 },
                { 3, EREPORT_BLK_IO_ERROR, "sdb", 14008336, 0 },
                { 5, EREPORT_MD_MEMBER_FAULTY, "sdb6", NOLBA, 0 },
                { 6, EREPORT_MD_DEGRADED, "md2", NOLBA, 0 /* cannot continue */ },
                { 9, EREPORT_SCSI_CMD_FAILED, "sdb", NOLBA, 0 },
                { 10, EREPORT_SCSI_SENSE_MEDIUM_ERROR, "sdb", NOLBA, 0 },
                { 13, EREPORT_BLK_IO_ERROR, "sdb", 14010528, 0 },
                { 14, EREPORT_BLK_MEDIUM_ERROR, "sdb6", 2208, 0 },
                { 15, EREPORT_BLK_MEDIUM_ERROR, "sdb6", 2216, 0 },
                { 16, EREPORT_BLK_MEDIUM_ERROR, "sdb6", 2224, 0 },
        };
        static const Expect y[] = {
                { 0, EREPORT_MD_MEMBER_FAULTY, "sdb1", NOLBA, 0 },
        };
        static const Expect z[] = {
                { 0, EREPORT_BLK_MEDIUM_ERROR, "sde", 3260792, 0 },
                { 1, EREPORT_SCSI_CMD_FAILED, "sde", NOLBA, 0 },
                { 2, EREPORT_SCSI_SENSE_MEDIUM_ERROR, "sde", NOLBA, 0 },
                { 5, EREPORT_BLK_MEDIUM_ERROR, "sde", 3262904, 0 },
        };

        check_fixture("debian-on-buffalo-161-raid5-member.dmesg", x, ELEMENTSOF(x), 0);
        check_fixture("sleeplessbeastie-2015-raid1-old.dmesg", y, ELEMENTSOF(y), 0);
        check_fixture("longhorn-1920-critical-medium.dmesg", z, ELEMENTSOF(z), 0);
}

/* One /dev/kmsg record holds md's two-line message with the newline
 * escaped as \x0a (kernel/printk: msg_add_ext_text() escapes bytes < ' '). */
static void test_md_one_record(void **state) {
        /* A published dmesg of "mdadm --fail" on a RAID1 (Debian 11 VM, a
         * public course homework: "[12632.612252] md/raid1:md1: Disk failure
         * on sdb1, disabling device." with "md/raid1:md1: Operation
         * continuing on 1 devices." as its second line), as /dev/kmsg holds
         * that one pr_crit() of raid1.c. */
        const char *rec = "2,880,12632612252,-;md/raid1:md1: Disk failure on sdb1, disabling device.\\x0a"
                          "md/raid1:md1: Operation continuing on 1 devices.";
        Ereport e[KMSG_EREPORTS_MAX];

        assert_int_equal(kmsg_parse_line(rec, strlen(rec), 0, e), 2);
        assert_int_equal(e[0].class, EREPORT_MD_MEMBER_FAULTY);
        assert_string_equal(e[0].device, "sdb1");
        assert_int_equal(e[1].class, EREPORT_MD_DEGRADED);
        assert_string_equal(e[1].device, "md1");
        assert_int_equal(e[1].value, 1);
        assert_int_equal(e[0].seq, 880);
}

static void test_ata_nvme_eh_mpath(void **state) {
        static const Expect ata[] = {
                { 0, EREPORT_ATA_EXCEPTION, "ata1", NOLBA, 0 },
                { 4, EREPORT_ATA_LINK_RESET, "ata1", NOLBA, 0 },
                { 8, EREPORT_ATA_EXCEPTION, "ata1", NOLBA, 0 },
        };
        static const Expect ssd[] = {
                { 0, EREPORT_ATA_EXCEPTION, "ata2", NOLBA, 0 },
                { 7, EREPORT_SCSI_CMD_FAILED, "sdb", NOLBA, 0 },
                { 8, EREPORT_SCSI_SENSE_MEDIUM_ERROR, "sdb", NOLBA, 0 },
                { 11, EREPORT_BLK_IO_ERROR, "sdb", 93827644, 0 },
                { 13, EREPORT_ATA_EXCEPTION, "ata2", NOLBA, 0x10 },
        };
        static const Expect nvme_abort[] = {
                { 2, EREPORT_NVME_TIMEOUT, "nvme0", NOLBA, 0 },
                { 3, EREPORT_NVME_TIMEOUT, "nvme0", NOLBA, 0 },
                { 4, EREPORT_NVME_TIMEOUT, "nvme0", NOLBA, 0 },
                { 5, EREPORT_NVME_TIMEOUT, "nvme0", NOLBA, 0 },
        };
        static const Expect nvme_reset[] = {
                { 0, EREPORT_NVME_TIMEOUT, "nvme2", NOLBA, 0 },
                { 0, EREPORT_NVME_RESET, "nvme2", NOLBA, 0 },
        };
        static const Expect nvme_down[] = {
                { 0, EREPORT_NVME_RESET, "nvme0", NOLBA, 0 },
                { 5, EREPORT_BLK_IO_ERROR, "nvme0n1", 32545872, 0 },
        };
        static const Expect mpt[] = {
                { 0, EREPORT_SCSI_ABORT, "mpt2sas3", NOLBA, 0 },
                { 3, EREPORT_SCSI_DEVICE_RESET, "mpt2sas3", NOLBA, 0 },
                { 5, EREPORT_SCSI_TARGET_RESET, "mpt2sas3", NOLBA, 0 },
        };
        static const Expect uas[] = {
                { 0, EREPORT_SCSI_ABORT, "sda", NOLBA, 0 },
                { 1, EREPORT_SCSI_DEVICE_RESET, "host1", NOLBA, 0 },
                { 4, EREPORT_SCSI_DEVICE_OFFLINE, "1:0:0:0", NOLBA, 0 },
        };
        static const Expect megasas[] = {
                { 0, EREPORT_SCSI_DEVICE_RESET, "sda", NOLBA, 0 },
                { 3, EREPORT_SCSI_DEVICE_RESET, "sdb", NOLBA, 0 },
        };
        static const Expect mpath[] = {
                { 0, EREPORT_MPATH_PATH_FAILED, "65:0", NOLBA, 0 },
                { 1, EREPORT_MPATH_PATH_FAILED, "65:32", NOLBA, 0 },
                { 2, EREPORT_MPATH_PATH_FAILED, "65:112", NOLBA, 0 },
                { 3, EREPORT_MPATH_PATH_FAILED, "65:112", NOLBA, 0 },
        };

        check_fixture("fastvps-4-ata-timeout-link-reset.dmesg", ata, ELEMENTSOF(ata), 0);
        check_fixture("ocaml-infrastructure-58-ssd-media.dmesg", ssd, ELEMENTSOF(ssd), 0);
        check_fixture("linux-surface-733-nvme-abort.dmesg", nvme_abort, ELEMENTSOF(nvme_abort), 0);
        check_fixture("nvme-cli-151-reset-controller.dmesg", nvme_reset, ELEMENTSOF(nvme_reset), 0);
        check_fixture("raspberrypi-linux-6661-nvme-down.syslog", nvme_down, ELEMENTSOF(nvme_down), 0);
        check_fixture("openzfs-704-mpt2sas-eh.dmesg", mpt, ELEMENTSOF(mpt), 0);
        check_fixture("dietpi-4499-uas-offline.dmesg", uas, ELEMENTSOF(uas), 0);
        check_fixture("tigrlab-896-megasas-reset.dmesg", megasas, ELEMENTSOF(megasas), 0);
        check_fixture("storage-node-multipath-failing.dmesg", mpath, ELEMENTSOF(mpath), 0);
}

/* Garbage: malformed headers are refused, random bytes never crash or
 * read past the record (run under valgrind/ASan by the sanitizer build). */
static void test_garbage(void **state) {
        static const char *const bad[] = {
                "", ",", "6", "6,", "6,1", "6,1,", "6,1,2", "6,1,2,-", "x,1,2,-;sd 0:0:0:0: [sda] FAILED",
                "99999999999999999999999,1,2,-;msg", "6,1,2,-", "-1,2,3,-;m",
        };
        static const char *const odd[] = {
                "6,1,2,-;sd ", "6,1,2,-;sd 0", "6,1,2,-;sd 0:0:0:0: [", "6,1,2,-;sd 0:0:0:0: [sda",
                "6,1,2,-;sd 0:0:0:0: [sda] Sense Key : ", "6,1,2,-;md/raid1:", "6,1,2,-;md/raid1:md0: Disk failure on ",
                "6,1,2,-;I/O error, dev ", "6,1,2,-;nvme nvme", "6,1,2,-;device-mapper: multipath: ",
                "6,1,2,-;ata", "6,1,2,-;ata1: ", "6,1,2,-;raid", "6,1,2,-;scsi host",
                /* Found by tests/fuzz/fuzz-kmsg (UBSan): an md message
                 * naming no array gave emit() an empty {NULL, NULL} device
                 * span, and memcpy() from NULL. */
                "3,5,1,;raid:Cannot continue operation",
        };
        Ereport e[KMSG_EREPORTS_MAX];
        char buf[512];
        unsigned seed = 42;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(kmsg_parse_line(bad[i], strlen(bad[i]), 0, e), -EBADMSG);
        for (size_t i = 0; i < ELEMENTSOF(odd); i++)
                assert_in_range(kmsg_parse_line(odd[i], strlen(odd[i]), 0, e), 0, KMSG_EREPORTS_MAX);

        for (int round = 0; round < 20000; round++) {
                size_t l = (size_t) (rand_r(&seed) % sizeof(buf));
                int r;

                memcpy(buf, "6,1,2,-;", 8);
                for (size_t i = 8; i < l; i++)
                        buf[i] = (char) (rand_r(&seed) % 4 == 0 ? "sd :[]/0,;\n"[rand_r(&seed) % 11] : rand_r(&seed));
                r = kmsg_parse_line(buf, MAX(l, (size_t) 8), 0, e);
                assert_true(r == -EBADMSG || (r >= 0 && r <= KMSG_EREPORTS_MAX));
                for (int j = 0; j < r; j++) {
                        assert_true(strlen(e[j].device) < EREPORT_DEVICE_MAX);
                        assert_true(strlen(e[j].raw) < EREPORT_RAW_MAX);
                }
        }

        /* A device name longer than the ereport holds is cut, not overrun. */
        memset(buf, 'a', sizeof(buf));
        memcpy(buf, "6,1,2,-;I/O error, dev ", 23);
        assert_int_equal(kmsg_parse_line(buf, sizeof(buf), 0, e), 1);
        assert_int_equal(strlen(e[0].device), EREPORT_DEVICE_MAX - 1);
}

/* ---- the reader, over scripted ops ---- */

typedef struct Script {
        const char *const *records;
        size_t n, pos;
        const char *boot_id;
        bool epipe_at_2;
        KmsgCursor stored;
        bool have_stored;
        unsigned sets;
} Script;

static ssize_t script_read(void *userdata, char *buf, size_t size) {
        Script *s = userdata;
        size_t l;

        if (s->epipe_at_2 && s->pos == 2) {
                s->epipe_at_2 = false;
                return -EPIPE;
        }
        if (s->pos >= s->n)
                return -EAGAIN;
        l = strlen(s->records[s->pos]);
        assert_true(l <= size);
        memcpy(buf, s->records[s->pos++], l);
        return (ssize_t) l;
}

static int script_boot_id(void *userdata, char ret[static KMSG_BOOT_ID_MAX]) {
        Script *s = userdata;
        snprintf(ret, KMSG_BOOT_ID_MAX, "%s", s->boot_id);
        return 0;
}

static usec_t script_boot_realtime(void *userdata) {
        return 1700000000 * USEC_PER_SEC;
}

static const KmsgOps script_ops = {
        .read = script_read,
        .boot_id = script_boot_id,
        .boot_realtime = script_boot_realtime,
};

static int cursor_get(void *userdata, KmsgCursor *ret) {
        Script *s = userdata;
        if (!s->have_stored)
                return -ENOENT;
        *ret = s->stored;
        return 0;
}

static int cursor_set(void *userdata, const KmsgCursor *c) {
        Script *s = userdata;
        s->stored = *c;
        s->have_stored = true;
        s->sets++;
        return 0;
}

static void count_sink(const Ereport *e, void *userdata) {
        unsigned *n = userdata;
        (*n)++;
}

/* Lines from linux-raid-2019-perc5i-no-connect.dmesg as /dev/kmsg records. */
static const char *const boot_records[] = {
        "3,100,14881520158,-;sd 0:2:2:0: [sdc] tag#684 FAILED Result: hostbyte=DID_NO_CONNECT driverbyte=DRIVER_OK",
        "3,101,14881553614,-;print_req_error: I/O error, dev sdc, sector 320282600",
        "3,104,14881566001,-;sd 0:2:4:0: [sde] tag#684 FAILED Result: hostbyte=DID_NO_CONNECT driverbyte=DRIVER_OK",
        "6,105,14881583982,-;sd 0:2:4:0: [sde] tag#684 CDB: Write(10) 2a 00 13 17 1f e8 00 00 08 00",
        "2,106,14882394226,-;md/raid:md2: Disk failure on sdc5, disabling device.\\x0amd/raid:md2: Operation continuing on 5 devices.",
};

static void test_reader_resume(void **state) {
        Script s = { .records = boot_records, .n = ELEMENTSOF(boot_records), .boot_id = "boot-a" };
        KmsgCursorStore store = { cursor_get, cursor_set, &s };
        _cleanup_(kmsg_reader_freep) KmsgReader *r = NULL;
        unsigned n = 0;

        /* First start: everything of this boot is new; at most 2 per call. */
        assert_int_equal(kmsg_reader_new(&script_ops, &s, &store, &r), 0);
        assert_int_equal(kmsg_reader_dispatch(r, 2, count_sink, &n), 2);
        assert_int_equal(n, 2);
        assert_int_equal(s.stored.seq, 101);
        assert_int_equal(kmsg_reader_dispatch(r, 0, count_sink, &n), 3);
        assert_int_equal(n, 5);
        assert_int_equal(s.stored.seq, 106);
        assert_string_equal(s.stored.boot_id, "boot-a");
        assert_int_equal(kmsg_reader_stats(r)->lost, 2); /* 102 and 103 never seen */
        /* Nothing pending: no cursor write. */
        unsigned sets = s.sets;
        assert_int_equal(kmsg_reader_dispatch(r, 0, count_sink, &n), 0);
        assert_int_equal(s.sets, sets);
        r = kmsg_reader_free(r);

        /* Restart in the same boot: the kernel hands the whole buffer again;
         * nothing handled before may come out as new. */
        s.pos = 0;
        n = 0;
        assert_int_equal(kmsg_reader_new(&script_ops, &s, &store, &r), 0);
        assert_int_equal(kmsg_reader_dispatch(r, 0, count_sink, &n), 5);
        assert_int_equal(n, 0);
        assert_int_equal(kmsg_reader_stats(r)->skipped, 5);
        r = kmsg_reader_free(r);

        /* Restart after a reboot: sequence numbers restarted, the old cursor
         * means nothing, every record of the new boot counts. */
        s.pos = 0;
        n = 0;
        s.boot_id = "boot-b";
        s.epipe_at_2 = true;
        assert_int_equal(kmsg_reader_new(&script_ops, &s, &store, &r), 0);
        assert_int_equal(kmsg_reader_dispatch(r, 0, count_sink, &n), 5);
        assert_int_equal(n, 5);
        assert_string_equal(s.stored.boot_id, "boot-b");
}

/* KernelLog= naming a FIFO (the replay seam of the storm test): the records
 * of a real capture, written as /dev/kmsg's text in chunks that split
 * records and continuation lines anywhere, must come out exactly as the
 * same records read one per read() (what /dev/kmsg does). */
static void test_reader_fifo(void **state) {
        _cleanup_(kmsg_fixture_free) KmsgFixture fx = {};
        _cleanup_(kmsg_reader_freep) KmsgReader *r = NULL, *want = NULL;
        _cleanup_free_ char *dir = scratch_dir(), *fifo = NULL, *boot = NULL, *text = NULL;
        Script s = {};
        KmsgDev d;
        size_t len = 0;
        unsigned n = 0, n_want = 0;
        int w;

        assert_int_equal(kmsg_fixture_load(FIXTURES "scsi-host-timeout-storm.kmsg", &fx), 0);
        s = (Script) { .records = (const char *const *) fx.records, .n = fx.n, .boot_id = "boot-f" };
        assert_int_equal(kmsg_reader_new(&script_ops, &s, NULL, &want), 0);
        assert_int_equal(kmsg_reader_dispatch(want, 0, count_sink, &n_want), (int) fx.n);
        assert_true(n_want > 0);

        boot = write_file(dir, "boot_id", "boot-f\n");
        assert_true(asprintf(&fifo, "%s/kmsg", dir) > 0);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        d = (KmsgDev) { .path = fifo, .boot_id_path = boot, .fd = -EBADF };
        assert_int_equal(kmsg_reader_new(&kmsg_dev_ops, &d, NULL, &r), 0);
        w = open(fifo, O_WRONLY | O_CLOEXEC);
        assert_true(w >= 0);

        /* Half a record first: nothing to hand out, nothing pending. */
        assert_int_equal(write(w, "6,1,1,-;sd 9:0:2:0: [sdi] ta", 28), 28);
        assert_int_equal(kmsg_reader_dispatch(r, 0, count_sink, &n), 0);
        assert_false(kmsg_dev_pending(&d));
        assert_int_equal(write(w, "g#1 CDB: Read(10) 28 00\n", 24), 24);
        assert_int_equal(kmsg_reader_dispatch(r, 0, count_sink, &n), 1);
        n = 0;

        for (size_t i = 0; i < fx.n; i++) {
                text = realloc(text, len + fx.lengths[i] + 2);
                assert_non_null(text);
                memcpy(text + len, fx.records[i], fx.lengths[i]);
                len += fx.lengths[i];
                text[len++] = '\n';
        }
        for (size_t off = 0; off < len; off += 13)
                assert_int_equal(write(w, text + off, MIN((size_t) 13, len - off)), (ssize_t) MIN((size_t) 13, len - off));
        /* At most 10 records per call, as the daemon limits a wakeup: the
         * rest waits in the buffer and kmsg_dev_pending() says so. */
        assert_int_equal(kmsg_reader_dispatch(r, 10, count_sink, &n), 10);
        assert_true(kmsg_dev_pending(&d));
        assert_int_equal(kmsg_reader_dispatch(r, 0, count_sink, &n), (int) fx.n - 10);
        assert_false(kmsg_dev_pending(&d));
        assert_int_equal(n, n_want);
        assert_int_equal(kmsg_reader_stats(r)->malformed, kmsg_reader_stats(want)->malformed);
        assert_int_equal(kmsg_reader_stats(r)->records, kmsg_reader_stats(want)->records + 1);
        /* The writer going away is no end of file for the daemon. */
        close(w);
        assert_int_equal(kmsg_reader_dispatch(r, 0, count_sink, &n), 0);
        r = kmsg_reader_free(r);
        rm_rf(dir);
}

/* A regular file cannot be watched by epoll: refused with a clear error. */
static void test_reader_not_a_device(void **state) {
        _cleanup_(kmsg_reader_freep) KmsgReader *r = NULL;
        _cleanup_free_ char *dir = scratch_dir(), *file = write_file(dir, "kmsg", "6,1,1,-;x\n");
        KmsgDev d = { .path = file, .fd = -EBADF };

        assert_int_equal(kmsg_reader_new(&kmsg_dev_ops, &d, NULL, &r), -ENOTTY);
        assert_null(r);
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scsi_sense_with_device_lines),
                cmocka_unit_test(test_controller_cascade_lines),
                cmocka_unit_test(test_md_member_and_medium),
                cmocka_unit_test(test_md_one_record),
                cmocka_unit_test(test_ata_nvme_eh_mpath),
                cmocka_unit_test(test_garbage),
                cmocka_unit_test(test_reader_resume),
                cmocka_unit_test(test_reader_fifo),
                cmocka_unit_test(test_reader_not_a_device),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
