/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /dev/kmsg records -> ereports.  The formats matched here are the
 * kernel's own printk formats; each is cited at its matcher, and
 * tests/fixtures/kmsg/ holds real lines (with their origin) for every one.
 *
 * Speed: a record is dispatched on its first byte, so the common
 * non-storage record costs one switch; storage records cost a few
 * bounded memcmp()/memmem() calls.  Nothing allocates.
 */

#include <string.h>

#include "kmsg.h"
#include "string-table.h"

typedef struct Span {
        const char *p, *end;
} Span;

static inline size_t span_len(Span s) {
        return (size_t) (s.end - s.p);
}

/* If s starts with lit, advance past it. */
static inline bool eat(Span *s, const char *lit, size_t n) {
        if (span_len(*s) < n || memcmp(s->p, lit, n) != 0)
                return false;
        s->p += n;
        return true;
}
#define EAT(s, lit) eat((s), (lit), sizeof(lit) - 1)

static inline bool starts(Span s, const char *lit, size_t n) {
        return span_len(s) >= n && memcmp(s.p, lit, n) == 0;
}
#define STARTS(s, lit) starts((s), (lit), sizeof(lit) - 1)

static inline const char *find(Span s, const char *lit, size_t n) {
        if (span_len(s) < n)
                return NULL;
        return memmem(s.p, span_len(s), lit, n);
}
#define FIND(s, lit) find((s), (lit), sizeof(lit) - 1)

static inline bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static inline bool is_name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-' ||
               c == '.' || c == ':' || c == '!';
}

/* Decimal number; at most 20 digits, overflow refused. */
static bool eat_u64(Span *s, uint64_t *ret) {
        uint64_t v = 0;
        const char *p = s->p;

        if (p >= s->end || !is_digit(*p))
                return false;
        for (; p < s->end && is_digit(*p); p++) {
                unsigned d = (unsigned) (*p - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        s->p = p;
        *ret = v;
        return true;
}

static bool eat_hex(Span *s, uint64_t *ret) {
        uint64_t v = 0;
        const char *p;
        unsigned n = 0;

        EAT(s, "0x");
        p = s->p;
        for (; p < s->end && n < 16; p++, n++) {
                char c = *p;
                unsigned d;
                if (is_digit(c))
                        d = (unsigned) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        d = (unsigned) (c - 'A' + 10);
                else
                        break;
                v = v << 4 | d;
        }
        if (n == 0)
                return false;
        s->p = p;
        *ret = v;
        return true;
}

/* A kernel device name ("sdb", "sdb1", "nvme0n1", "dm-3", "8:32"). */
static Span eat_name(Span *s) {
        Span n = { s->p, s->p };

        while (n.end < s->end && is_name_char(*n.end) && span_len(n) < EREPORT_DEVICE_MAX - 1)
                n.end++;
        s->p = n.end;
        return n;
}

/* ------------------------------------------------------------------ */

int kmsg_record_parse(const char *buf, size_t len, KmsgRecord *ret) {
        Span s = { buf, buf + len };
        uint64_t prefix, seq, usec;
        const char *semi, *nl;
        KmsgRecord r = {};

        assert(buf || len == 0);
        assert(ret);

        if (!eat_u64(&s, &prefix) || !EAT(&s, ",") || !eat_u64(&s, &seq) || !EAT(&s, ",") ||
            !eat_u64(&s, &usec) || !EAT(&s, ","))
                return -EBADMSG;
        if (prefix > 0xffff || usec > UINT64_MAX / 2)
                return -EBADMSG;
        /* Flags and any future ",key=value" fields end at the first ';'. */
        semi = memchr(s.p, ';', span_len(s));
        if (!semi)
                return -EBADMSG;
        s.p = semi + 1;

        r.level = (int) (prefix & 7);
        r.facility = (int) (prefix >> 3);
        r.seq = seq;
        r.monotonic_usec = usec;
        r.message = s.p;
        nl = memchr(s.p, '\n', span_len(s));
        r.message_len = (size_t) ((nl ?: s.end) - s.p);

        /* Continuation lines: " KEY=VALUE\n". */
        for (s.p = nl ? nl + 1 : s.end; s.p < s.end;) {
                Span line = { s.p, memchr(s.p, '\n', span_len(s)) ?: s.end };

                s.p = line.end < s.end ? line.end + 1 : s.end;
                if (!EAT(&line, " "))
                        continue;
                if (EAT(&line, "SUBSYSTEM=")) {
                        r.subsystem = line.p;
                        r.subsystem_len = span_len(line);
                } else if (EAT(&line, "DEVICE=")) {
                        r.device = line.p;
                        r.device_len = span_len(line);
                }
        }

        *ret = r;
        return 0;
}

/* ------------------------------------------------------------------ */

/* include/scsi/scsi_status.h, enum host_status. */
static const char *const scsi_host_byte_table[] = {
        [0x00] = "DID_OK",
        [0x01] = "DID_NO_CONNECT",
        [0x02] = "DID_BUS_BUSY",
        [0x03] = "DID_TIME_OUT",
        [0x04] = "DID_BAD_TARGET",
        [0x05] = "DID_ABORT",
        [0x06] = "DID_PARITY",
        [0x07] = "DID_ERROR",
        [0x08] = "DID_RESET",
        [0x09] = "DID_BAD_INTR",
        [0x0a] = "DID_PASSTHROUGH",
        [0x0b] = "DID_SOFT_ERROR",
        [0x0c] = "DID_IMM_RETRY",
        [0x0d] = "DID_REQUEUE",
        [0x0e] = "DID_TRANSPORT_DISRUPTED",
        [0x0f] = "DID_TRANSPORT_FAILFAST",
        [0x10] = "DID_TARGET_FAILURE",
        [0x11] = "DID_NEXUS_FAILURE",
        [0x12] = "DID_ALLOC_FAILURE",
        [0x13] = "DID_MEDIUM_ERROR",
        [0x14] = "DID_TRANSPORT_MARGINAL",
};

const char *scsi_host_byte_to_string(int b) {
        return string_table_lookup_to_string(scsi_host_byte_table, ELEMENTSOF(scsi_host_byte_table), b);
}

int scsi_host_byte_from_string(const char *s, size_t len) {
        for (size_t i = 0; i < ELEMENTSOF(scsi_host_byte_table); i++)
                if (scsi_host_byte_table[i] && strlen(scsi_host_byte_table[i]) == len &&
                    memcmp(scsi_host_byte_table[i], s, len) == 0)
                        return (int) i;
        return -EINVAL;
}

bool scsi_host_byte_is_transport(int b) {
        switch (b) {
        case 0x01: /* DID_NO_CONNECT */
        case 0x02: /* DID_BUS_BUSY */
        case 0x03: /* DID_TIME_OUT */
        case 0x05: /* DID_ABORT */
        case 0x08: /* DID_RESET */
        case 0x0e: /* DID_TRANSPORT_DISRUPTED */
        case 0x0f: /* DID_TRANSPORT_FAILFAST */
        case 0x11: /* DID_NEXUS_FAILURE */
        case 0x14: /* DID_TRANSPORT_MARGINAL */
                return true;
        default:
                return false;
        }
}

/* Sense key names as scsi_sense_key_string() prints them
 * (drivers/scsi/constants.c, snstext[]). */
static const struct {
        const char *name;
        uint8_t key;
        EreportClass class;
} sense_keys[] = {
        { "No Sense", 0x0, EREPORT_SCSI_SENSE_OTHER },
        { "Recovered Error", 0x1, EREPORT_SCSI_SENSE_RECOVERED },
        { "Not Ready", 0x2, EREPORT_SCSI_SENSE_NOT_READY },
        { "Medium Error", 0x3, EREPORT_SCSI_SENSE_MEDIUM_ERROR },
        { "Hardware Error", 0x4, EREPORT_SCSI_SENSE_HARDWARE_ERROR },
        { "Illegal Request", 0x5, EREPORT_SCSI_SENSE_ILLEGAL_REQUEST },
        { "Unit Attention", 0x6, EREPORT_SCSI_SENSE_UNIT_ATTENTION },
        { "Data Protect", 0x7, EREPORT_SCSI_SENSE_OTHER },
        { "Blank Check", 0x8, EREPORT_SCSI_SENSE_OTHER },
        { "Vendor Specific", 0x9, EREPORT_SCSI_SENSE_OTHER },
        { "Copy Aborted", 0xa, EREPORT_SCSI_SENSE_OTHER },
        { "Aborted Command", 0xb, EREPORT_SCSI_SENSE_ABORTED },
        { "Equal", 0xc, EREPORT_SCSI_SENSE_OTHER },
        { "Volume Overflow", 0xd, EREPORT_SCSI_SENSE_OTHER },
        { "Miscompare", 0xe, EREPORT_SCSI_SENSE_OTHER },
        { "Completed", 0xf, EREPORT_SCSI_SENSE_OTHER },
};

typedef struct Out {
        Ereport *e;
        int n;
        const KmsgRecord *rec;
        usec_t time_usec;
} Out;

static Ereport *emit(Out *o, EreportClass c, Span device) {
        char name[EREPORT_DEVICE_MAX];
        size_t l = MIN(span_len(device), sizeof(name) - 1);
        Ereport *e;

        if (o->n >= KMSG_EREPORTS_MAX)
                return NULL;
        e = &o->e[o->n++];
        /* An empty device span is {NULL, NULL} ("raid:Cannot continue
         * operation" names no array): memcpy() from NULL is undefined even
         * for 0 bytes (found by tests/fuzz/fuzz-kmsg under UBSan). */
        if (l > 0)
                memcpy(name, device.p, l);
        name[l] = '\0';
        ereport_init(e, c, "kmsg", name, o->time_usec);
        e->seq = o->rec->seq;
        ereport_set_raw(e, o->rec->message, o->rec->message_len);
        return e;
}

/* "sd 2:0:0:0: [sdb] tag#12 <body>" (sdev_prefix_printk / scmd_printk in
 * drivers/scsi/sd.c, scsi_logging.c).  Also "sd 2:0:0:0: <body>" without
 * the disk name (sdev_printk). */
static void classify_sd(Out *o, Span s) {
        Span hctl, disk = {}, dev;

        hctl = eat_name(&s); /* "2:0:0:0:" keeps the trailing ':' */
        if (span_len(hctl) < 2 || hctl.end[-1] != ':')
                return;
        hctl.end--;
        if (!EAT(&s, " "))
                return;
        if (EAT(&s, "[")) {
                disk = eat_name(&s);
                if (!EAT(&s, "] "))
                        disk = (Span) {};
        }
        if (EAT(&s, "tag#")) {
                uint64_t tag;
                (void) eat_u64(&s, &tag);
                (void) EAT(&s, " ");
        }
        dev = span_len(disk) > 0 ? disk : hctl;

        /* scsi_print_result(): "FAILED Result: hostbyte=%s driverbyte=%s" */
        if (EAT(&s, "FAILED Result: hostbyte=")) {
                Span hb = eat_name(&s);
                int b = scsi_host_byte_from_string(hb.p, span_len(hb));
                Ereport *e = emit(o, EREPORT_SCSI_CMD_FAILED, dev);
                if (e)
                        e->value = b < 0 ? UINT64_MAX : (uint64_t) b;
                return;
        }
        /* scsi_print_sense_hdr(): "Sense Key : %s [%s]" */
        if (EAT(&s, "Sense Key : ")) {
                for (size_t i = 0; i < ELEMENTSOF(sense_keys); i++)
                        if (starts(s, sense_keys[i].name, strlen(sense_keys[i].name))) {
                                Ereport *e = emit(o, sense_keys[i].class, dev);
                                if (e)
                                        e->sense_key = sense_keys[i].key;
                                return;
                        }
                (void) emit(o, EREPORT_SCSI_SENSE_OTHER, dev);
                return;
        }
        /* "Add. Sense: <asc text>": only the one that carries its own
         * meaning; the others repeat what "Sense Key" said. */
        if (EAT(&s, "Add. Sense: ")) {
                if (STARTS(s, "Failure prediction threshold exceeded")) {
                        Ereport *e = emit(o, EREPORT_SCSI_PREDICTIVE_FAILURE, dev);
                        if (e)
                                e->asc = 0x5d;
                }
                return;
        }
        /* scsi_eh_offline_sdevs(): "Device offlined - not ready after error recovery";
         * scsi_prep_state_check(): "rejecting I/O to offline device" */
        if (STARTS(s, "Device offlined") || STARTS(s, "rejecting I/O to offline device")) {
                (void) emit(o, EREPORT_SCSI_DEVICE_OFFLINE, dev);
                return;
        }
        /* scsi_lib.c: "timing out command, waited %lus" */
        if (STARTS(s, "timing out command")) {
                (void) emit(o, EREPORT_SCSI_TIMEOUT, dev);
                return;
        }
        /* scsi_error.c: "abort scheduled", "aborting command";
         * megaraid_sas: "megasas: RESET cmd=%x retries=%x" */
        if (STARTS(s, "abort scheduled") || STARTS(s, "aborting command") || FIND(s, "_eh_abort_handler")) {
                (void) emit(o, EREPORT_SCSI_ABORT, dev);
                return;
        }
        if (STARTS(s, "megasas: RESET")) {
                (void) emit(o, EREPORT_SCSI_DEVICE_RESET, dev);
                return;
        }
        /* The unit attention after any reset or power-on: state, not error. */
        if (FIND(s, "Power-on or device reset occurred")) {
                Ereport *e = emit(o, EREPORT_SCSI_SENSE_UNIT_ATTENTION, dev);
                if (e)
                        e->sense_key = 0x6;
        }
}

/* SCSI error handler escalation as host drivers print it:
 *   "scsi host1: uas_eh_device_reset_handler start"
 *   "mpt2sas3: attempting task abort! scmd(...)" / "attempting device reset!"
 *     / "attempting target reset!" / "attempting host reset!"
 *   "mptscsih: ioc1: attempting task abort! (sc=...)" */
static void classify_eh(Out *o, Span dev, Span s) {
        /* "task abort: SUCCESS", "..._handler FAILED err -19": the outcome of
         * an escalation step already counted when it was attempted. */
        if (FIND(s, "SUCCESS") || FIND(s, "FAILED"))
                return;
        if (FIND(s, "task abort"))
                (void) emit(o, EREPORT_SCSI_ABORT, dev);
        else if (FIND(s, "device reset") || FIND(s, "device_reset"))
                (void) emit(o, EREPORT_SCSI_DEVICE_RESET, dev);
        else if (FIND(s, "target reset") || FIND(s, "target_reset"))
                (void) emit(o, EREPORT_SCSI_TARGET_RESET, dev);
        else if (FIND(s, "bus reset") || FIND(s, "bus_reset"))
                (void) emit(o, EREPORT_SCSI_BUS_RESET, dev);
        else if (FIND(s, "host reset") || FIND(s, "host_reset") || FIND(s, "adapter reset"))
                (void) emit(o, EREPORT_SCSI_HOST_RESET, dev);
}

/* libata: "ata1: hard resetting link", "ata1.00: exception Emask 0x0 SAct 0x1
 * SErr 0x0 action 0x6 frozen" (drivers/ata/libata-eh.c). */
static void classify_ata(Out *o, Span s) {
        Span name, port;
        Ereport *e;

        /* "ata1" or "ata1.00": the port is the part before '.' */
        name = eat_name(&s);
        if (span_len(name) < 5 || name.end[-1] != ':')
                return;
        name.end--;
        port = name;
        for (const char *p = name.p + 3; p < name.end; p++)
                if (*p == '.') {
                        port.end = p;
                        break;
                }
        if (!EAT(&s, " "))
                return;
        if (STARTS(s, "hard resetting link") || STARTS(s, "softreset failed") ||
            STARTS(s, "COMRESET failed")) {
                (void) emit(o, EREPORT_ATA_LINK_RESET, port);
                return;
        }
        if (EAT(&s, "exception Emask ")) {
                uint64_t emask = 0;
                e = emit(o, EREPORT_ATA_EXCEPTION, port);
                if (e && eat_hex(&s, &emask))
                        e->value = emask;
        }
}

/* Block layer completion errors, every kernel's spelling:
 *   "I/O error, dev sdb, sector 14008336 op 0x1:(WRITE) flags 0x800 ..."   (5.x+)
 *   "blk_update_request: critical medium error, dev sde, sector 3260792 ..."
 *   "print_req_error: I/O error, dev sdc, sector 320282600"
 *   "end_request: I/O error, dev sdd, sector 0"                        (< 4.x)
 * The text before ", dev" is blk_errors[].name (block/blk-core.c). */
static void classify_blk(Out *o, Span s) {
        const char *q = FIND(s, " error, dev ");
        Span what, dev;
        EreportClass c = EREPORT_BLK_IO_ERROR;
        uint64_t sector;
        Ereport *e;

        if (!q)
                return;
        what = (Span) { s.p, q };
        if (FIND(what, "medium"))
                c = EREPORT_BLK_MEDIUM_ERROR;
        else if (FIND(what, "timeout"))
                c = EREPORT_BLK_TIMEOUT;
        s.p = q + sizeof(" error, dev ") - 1;
        dev = eat_name(&s);
        if (span_len(dev) == 0)
                return;
        if (dev.end[-1] == ',')
                dev.end--;
        e = emit(o, c, dev);
        if (e && (EAT(&s, ", sector ") || EAT(&s, ",sector ")) && eat_u64(&s, &sector))
                e->lba = sector;
}

/* md personalities (drivers/md/raid1.c, raid5.c, raid10.c):
 *   "md/raid1:md0: Disk failure on sdb1, disabling device.\n
 *    md/raid1:md0: Operation continuing on 1 devices."
 *   "raid1: Disk failure on sdb1, disabling device."             (< 3.x)
 *   "md/raid:md2: Cannot continue operation (2/4 failed)."
 *   "md/raid:md2: read error not correctable (sector 2208 on sdb6)."
 *   "md/raid:md2: read error corrected (8 sectors at 2208 on sdb6)" */
static void classify_md(Out *o, Span s) {
        Span array = {}, member, rest;
        const char *q;
        uint64_t n;
        Ereport *e;

        /* "md/raidN:mdX: " or "raidN: " */
        if (EAT(&s, "md/")) {
                const char *colon = memchr(s.p, ':', MIN(span_len(s), (size_t) 16));
                if (!colon)
                        return;
                s.p = colon + 1;
                array = eat_name(&s);
                if (span_len(array) == 0 || array.end[-1] != ':')
                        return;
                array.end--;
        } else {
                const char *colon = memchr(s.p, ':', MIN(span_len(s), (size_t) 16));
                if (!colon)
                        return;
                s.p = colon + 1;
        }
        (void) EAT(&s, " ");

        if (EAT(&s, "Disk failure on ")) {
                member = eat_name(&s);
                if (span_len(member) > 0 && member.end[-1] == ',')
                        member.end--;
                if (span_len(member) == 0)
                        return;
                e = emit(o, EREPORT_MD_MEMBER_FAULTY, member);
                if (!e)
                        return;
                if ((q = FIND(s, "Operation continuing on "))) {
                        rest = (Span) { q + sizeof("Operation continuing on ") - 1, s.end };
                        e = emit(o, EREPORT_MD_DEGRADED, span_len(array) > 0 ? array : member);
                        if (e && eat_u64(&rest, &n))
                                e->value = n;
                }
                return;
        }
        if (EAT(&s, "Operation continuing on ")) {
                /* The pre-3.x line "raid1: Operation continuing on 1 devices."
                 * names no array: its "Disk failure" line carried the news. */
                if (span_len(array) == 0)
                        return;
                e = emit(o, EREPORT_MD_DEGRADED, array);
                if (e && eat_u64(&s, &n))
                        e->value = n;
                return;
        }
        if (STARTS(s, "Cannot continue operation")) {
                e = emit(o, EREPORT_MD_DEGRADED, array);
                if (e)
                        e->value = 0;
                return;
        }
        if (EAT(&s, "read error not correctable (sector ")) {
                uint64_t sector = EREPORT_LBA_NONE;
                (void) eat_u64(&s, &sector);
                if (!EAT(&s, " on "))
                        return;
                member = eat_name(&s);
                if (span_len(member) > 0 && member.end[-1] == ')')
                        member.end--;
                e = emit(o, EREPORT_BLK_MEDIUM_ERROR, member);
                if (e)
                        e->lba = sector;
                return;
        }
        if (STARTS(s, "read error corrected") && (q = FIND(s, " on "))) {
                rest = (Span) { q + 4, s.end };
                member = eat_name(&rest);
                if (span_len(member) > 0 && member.end[-1] == ')')
                        member.end--;
                (void) emit(o, EREPORT_MD_MEMBER_ERRORS, member);
        }
}

/* drivers/md/dm-mpath.c: DMWARN("Failing path %s.") (older kernels) and
 * DMWARN("%s: Failing path %s.", dm_table_device_name(), ...) / "Reinstating
 * path %s." (newer).  DM_MSG_PREFIX gives "device-mapper: multipath: ". */
static void classify_mpath(Out *o, Span s) {
        EreportClass c;
        Span dev;

        if (!EAT(&s, "device-mapper: multipath: "))
                return;
        if (!STARTS(s, "Failing path ") && !STARTS(s, "Reinstating path ")) {
                /* skip the map's "253:0: " */
                (void) eat_name(&s);
                if (!EAT(&s, " "))
                        return;
        }
        if (EAT(&s, "Failing path "))
                c = EREPORT_MPATH_PATH_FAILED;
        else if (EAT(&s, "Reinstating path "))
                c = EREPORT_MPATH_PATH_REINSTATED;
        else
                return;
        dev = eat_name(&s);
        if (span_len(dev) > 0 && dev.end[-1] == '.')
                dev.end--;
        if (span_len(dev) > 0)
                (void) emit(o, c, dev);
}

/* drivers/nvme/host/pci.c: "I/O %d QID %d timeout, aborting",
 * "I/O %d QID %d timeout, reset controller", "controller is down; will
 * reset: CSTS=0x%x, PCI_STATUS=0x%hx".  dev_warn() prefix "nvme nvme0: ". */
static void classify_nvme(Out *o, Span s) {
        Span ctrl;

        if (!EAT(&s, "nvme "))
                return;
        ctrl = eat_name(&s);
        if (span_len(ctrl) < 2 || ctrl.end[-1] != ':')
                return;
        ctrl.end--;
        if (!EAT(&s, " "))
                return;
        if (STARTS(s, "I/O ") && FIND(s, " timeout")) {
                (void) emit(o, EREPORT_NVME_TIMEOUT, ctrl);
                if (FIND(s, "reset controller"))
                        (void) emit(o, EREPORT_NVME_RESET, ctrl);
                return;
        }
        if (STARTS(s, "controller is down; will reset"))
                (void) emit(o, EREPORT_NVME_RESET, ctrl);
}

int kmsg_classify(const KmsgRecord *rec, usec_t boot_realtime_usec, Ereport ret[static KMSG_EREPORTS_MAX]) {
        Span s = { rec->message, rec->message + rec->message_len };
        Out o = { .e = ret, .rec = rec, .time_usec = boot_realtime_usec + rec->monotonic_usec };

        if (span_len(s) < 4)
                return 0;

        switch (s.p[0]) {
        case 's':
                if (EAT(&s, "sd "))
                        classify_sd(&o, s);
                else if (EAT(&s, "scsi host")) {
                        Span dev = { s.p - 4, s.p };
                        (void) eat_name(&s);
                        dev.end = s.p;
                        if (span_len(dev) > 0 && dev.end[-1] == ':')
                                dev.end--;
                        classify_eh(&o, dev, s);
                }
                break;
        case 'a':
                if (STARTS(s, "ata"))
                        classify_ata(&o, s);
                break;
        case 'm':
                if (STARTS(s, "md/raid"))
                        classify_md(&o, s);
                else if (STARTS(s, "mpt2sas") || STARTS(s, "mpt3sas")) {
                        Span dev = eat_name(&s);
                        if (span_len(dev) > 0 && dev.end[-1] == ':')
                                dev.end--;
                        classify_eh(&o, dev, s);
                } else if (EAT(&s, "mptscsih: ")) {
                        Span dev = eat_name(&s);
                        if (span_len(dev) > 0 && dev.end[-1] == ':')
                                dev.end--;
                        classify_eh(&o, dev, s);
                }
                break;
        case 'r':
                if (STARTS(s, "raid"))
                        classify_md(&o, s);
                break;
        case 'd':
                if (STARTS(s, "device-mapper: multipath: "))
                        classify_mpath(&o, s);
                break;
        case 'n':
                if (STARTS(s, "nvme nvme"))
                        classify_nvme(&o, s);
                break;
        case 'b':
                if (STARTS(s, "blk_update_request: ") || STARTS(s, "blk_print_req_error: "))
                        classify_blk(&o, s);
                break;
        case 'p':
                if (STARTS(s, "print_req_error: "))
                        classify_blk(&o, s);
                break;
        case 'e':
                if (STARTS(s, "end_request: "))
                        classify_blk(&o, s);
                break;
        case 'I':
        case 'c':
        case 't':
                /* "I/O error, dev", "critical medium error, dev", "timeout error, dev" */
                if (STARTS(s, "I/O error, dev ") || STARTS(s, "critical ") || STARTS(s, "timeout error, dev "))
                        classify_blk(&o, s);
                break;
        default:
                break;
        }
        return o.n;
}

int kmsg_parse_line(const char *buf, size_t len, usec_t boot_realtime_usec, Ereport ret[static KMSG_EREPORTS_MAX]) {
        KmsgRecord rec;
        int r;

        r = kmsg_record_parse(buf, len, &rec);
        if (r < 0)
                return r;
        return kmsg_classify(&rec, boot_realtime_usec, ret);
}
