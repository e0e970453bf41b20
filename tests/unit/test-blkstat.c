/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Block statistics and SCSI counters: parsers on real sysfs text, the
 * window arithmetic, and the readers on a recorded tree. */

#include <sys/stat.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "blkstat/blkstat.h"

/* Both from real kernels: the md member sdg of VM lab scenario 02 (Debian
 * 6.1, tests/fixtures/umockdev/md-raid1-faulty.umockdev, 17 fields) and
 * this build machine's virtio disk (6.18, /sys/block/vda/stat). */
static const char sdg_stat[] = "     269        0     6848     1217        5        0       17      113        0     1152     1428        0        0        0        0        2       97\n";
static const char vda_stat[] = "   30749     5845  2326674     7302   104740    48309 17309544    66746        0    22484    85131   184604       26  5219488    10344    14042      737\n";

static void test_parse(void **state) {
        BlkStat a, b;

        assert_int_equal(blkstat_parse(sdg_stat, &a), 0);
        assert_int_equal(a.read_ios, 269);
        assert_int_equal(a.read_sectors, 6848);
        assert_int_equal(a.read_ticks_ms, 1217);
        assert_int_equal(a.write_ios, 5);
        assert_int_equal(a.write_ticks_ms, 113);
        assert_int_equal(a.io_ticks_ms, 1152);
        assert_int_equal(blkstat_parse(vda_stat, &b), 0);
        assert_int_equal(b.write_sectors, 17309544);

        /* The 11-field layout of older kernels parses too; garbage does not. */
        assert_int_equal(blkstat_parse("1 2 3 4 5 6 7 8 9 10 11", &a), 0);
        assert_int_equal(a.io_ticks_ms, 10);
        assert_int_equal(blkstat_parse("1 2 3", &a), -EBADMSG);
        assert_int_equal(blkstat_parse("", &a), -EBADMSG);
        assert_int_equal(blkstat_parse("1 2 3 4 5 6 7 8 9 10 x", &a), -EBADMSG);
        assert_int_equal(blkstat_parse("99999999999999999999999 2 3 4 5 6 7 8 9 10 11", &a), -EBADMSG);
}

static void test_window(void **state) {
        BlkStat a = { .read_ios = 100, .read_ticks_ms = 400, .write_ios = 50, .write_ticks_ms = 200 };
        BlkStat b = { .read_ios = 300, .read_ticks_ms = 1400, .write_ios = 50, .write_ticks_ms = 200 };
        uint64_t lat;

        assert_int_equal(blkstat_window(&a, &b, &lat), 200);
        assert_int_equal(lat, 5000); /* 1000 ms over 200 I/Os */
        assert_int_equal(blkstat_window(&b, &b, &lat), 0);
        assert_int_equal(lat, 0);
        /* A re-created device starts from zero again. */
        b = (BlkStat) { .read_ios = 10, .read_ticks_ms = 20 };
        assert_int_equal(blkstat_window(&a, &b, &lat), 10);
        assert_int_equal(lat, 2000);
}

/* Idle: the same text twice, nothing in flight.  Any field that moves
 * (a flush counted only in field 16, which BlkStat does not keep) is
 * activity; so is a request in flight, and a first sample. */
static void test_idle(void **state) {
        static const char sdg_flushed[] = "     269        0     6848     1217        5        0       17      113        0     1152     1428        0        0        0        0        3       98\n";
        static const char sdg_in_flight[] = "     269        0     6848     1217        5        0       17      113        1     1152     1428        0        0        0        0        2       97\n";
        BlkStat a, b, c, d;

        assert_int_equal(blkstat_parse(sdg_stat, &a), 0);
        assert_int_equal(blkstat_parse(sdg_stat, &b), 0);
        assert_true(blkstat_idle(&a, &b));
        assert_false(blkstat_idle(NULL, &b));
        assert_int_equal(blkstat_parse(sdg_flushed, &c), 0);
        assert_false(blkstat_idle(&a, &c));
        assert_int_equal(blkstat_parse(sdg_in_flight, &d), 0);
        assert_false(blkstat_idle(&a, &d));
        assert_false(blkstat_idle(&d, &d)); /* still in flight: it may time out */
        /* Padding is not activity: the kernel pads each field to 8 columns. */
        assert_int_equal(blkstat_parse("1 2 3 4 5 6 7 8 0 10 11", &a), 0);
        assert_int_equal(blkstat_parse("  1  2 3 4 5 6 7 8 0 10 11\n", &b), 0);
        assert_true(blkstat_idle(&a, &b));
        /* Nor is a digit moving across a field boundary the same text. */
        assert_int_equal(blkstat_parse("12 3 3 4 5 6 7 8 0 10 11", &a), 0);
        assert_int_equal(blkstat_parse("1 23 3 4 5 6 7 8 0 10 11", &b), 0);
        assert_false(blkstat_idle(&a, &b));
}

/* /proc/diskstats of this build machine (Linux 6.18, 17 fields after the
 * name), two lines of it cut to the 11-field layout of older kernels, and
 * lines that must be left out. */
static const char diskstats[] =
        "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
        " 254       0 vda 109028 37637 8560850 25245 3179258 400305 149390848 783304 0 390076 1076980 4317984 317 92877008 243355 114683 25075\n"
        " 253       0 zram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
        "   8      16 sdb 269 0 6848 1217 5 0 17 113 2 1152 1428\n"
        "   8      17 sdb1 12 0 96 4 0 0 0 0 0 4 4\n"
        "   8      32 sdc 1 2 3\n"
        "   8      48 a-name-longer-than-the-kernel-allows-it-to-be 1 2 3 4 5 6 7 8 9 10 11\n"
        "\n"
        "garbage\n"
        " 252       3 dm-3 5 0 40 9 0 0 0 0 0 9 9";

static void test_diskstats(void **state) {
        _cleanup_free_ BlkStatEntry *e = NULL;
        const BlkStatEntry *x;
        size_t n;

        assert_int_equal(blkstat_parse_diskstats(diskstats, &e, &n), 0);
        assert_int_equal(n, 6);
        x = blkstat_find(e, n, "vda");
        assert_non_null(x);
        assert_int_equal(x->stat.read_ios, 109028);
        assert_int_equal(x->stat.write_ticks_ms, 783304);
        assert_int_equal(x->stat.io_ticks_ms, 390076);
        x = blkstat_find(e, n, "sdb");
        assert_non_null(x);
        assert_int_equal(x->stat.in_flight, 2);
        assert_int_equal(blkstat_find(e, n, "sdb1")->stat.read_sectors, 96);
        assert_int_equal(blkstat_find(e, n, "dm-3")->stat.read_ticks_ms, 9); /* no newline at the end */
        assert_non_null(blkstat_find(e, n, "loop0"));
        assert_non_null(blkstat_find(e, n, "zram0"));
        assert_null(blkstat_find(e, n, "sdc"));   /* three fields: its stat file is read instead */
        assert_null(blkstat_find(e, n, "sdd"));
        assert_null(blkstat_find(e, n, "garbage"));
        assert_null(blkstat_find(NULL, 0, "vda"));
        /* The same device in its stat file and in /proc/diskstats: one digest. */
        {
                BlkStat a;

                assert_int_equal(blkstat_parse("     269        0     6848     1217        5        0       17      113        2     1152     1428\n", &a), 0);
                assert_int_equal(a.digest, blkstat_find(e, n, "sdb")->stat.digest);
        }
        e = mfree(e);
        assert_int_equal(blkstat_parse_diskstats("", &e, &n), 0);
        assert_int_equal(n, 0);
}

/* The readers on a tree laid out as sysfs: counters in hex, as the SCSI
 * midlayer prints them (values of VM lab scenario 02,
 * tests/fixtures/scsi/md-raid1-medium-error.counters). */
static void test_readers(void **state) {
        _cleanup_free_ char *dir = scratch_dir(), *dev = NULL, *f1 = NULL, *f2 = NULL, *f3 = NULL, *f4 = NULL,
                             *f5 = NULL, *f6 = NULL;
        BlkStat s;
        ScsiCounters c;

        f1 = write_file(dir, "stat", sdg_stat);
        assert_true(asprintf(&dev, "%s/device", dir) > 0);
        assert_int_equal(blkstat_read(dir, &s), 0);
        assert_int_equal(s.read_ios, 269);

        assert_int_equal(scsi_counters_read(dir, &c), 0);
        assert_false(c.present); /* no device/: not a SCSI disk */

        assert_int_equal(mkdir(dev, 0755), 0);
        f2 = write_file(dev, "ioerr_cnt", "0x4\n");
        f3 = write_file(dev, "iotmo_cnt", "0x0\n");
        f4 = write_file(dev, "iorequest_cnt", "0x13d\n");
        f5 = write_file(dev, "iodone_cnt", "0x13d\n");
        assert_int_equal(scsi_counters_read(dir, &c), 0);
        assert_true(c.present);
        assert_int_equal(c.ioerr, 4);
        assert_int_equal(c.iorequest, 0x13d);
        assert_false(c.offline); /* no state file: not known to be offline */
        f6 = write_file(dev, "state", "running\n");
        assert_int_equal(scsi_counters_read(dir, &c), 0);
        assert_false(c.offline);
        free(f6);
        f6 = write_file(dev, "state", "offline\n");
        assert_int_equal(scsi_counters_read(dir, &c), 0);
        assert_true(c.offline);
        assert_true(scsi_state_is_offline("transport-offline"));
        assert_false(scsi_state_is_offline("blocked"));
        assert_false(scsi_state_is_offline(NULL));
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_window),
                cmocka_unit_test(test_idle),
                cmocka_unit_test(test_diskstats),
                cmocka_unit_test(test_readers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
