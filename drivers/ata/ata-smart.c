/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <string.h>

#include <atasmart.h>

#include "alloc-util.h"
#include "ata/ata-smart.h"
#include "log.h"
#include "string-table.h"
#include "string-util.h"

static const char *const ata_power_mode_table[_ATA_POWER_MODE_MAX] = {
        [ATA_POWER_MODE_STANDBY] = "standby",
        [ATA_POWER_MODE_IDLE] = "idle",
        [ATA_POWER_MODE_ACTIVE] = "active",
        [ATA_POWER_MODE_UNKNOWN] = "unknown",
};
DEFINE_STRING_TABLE_LOOKUP(ata_power_mode, AtaPowerMode);

AtaPowerMode ata_power_mode_from_count(uint8_t count) {
        /* ACS-4 7.3 CHECK POWER MODE, normal outputs (count field). */
        switch (count) {
        case 0x00: /* standby (PM2) */
        case 0x01: /* standby_y */
        case 0x40: /* NV cache power mode, spindle spun down or spinning down */
        case 0x41: /* NV cache power mode, spindle spun up or spinning up: leave it alone too */
                return ATA_POWER_MODE_STANDBY;
        case 0x80:
        case 0x81:
        case 0x82:
        case 0x83:
                return ATA_POWER_MODE_IDLE;
        case 0xff:
                return ATA_POWER_MODE_ACTIVE;
        default:
                return ATA_POWER_MODE_UNKNOWN;
        }
}

/* The section tags are the four ASCII letters in this byte order
 * (libatasmart's MAKE_TAG stores them in memory order). */
static void put_section(uint8_t **p, const char tag[4], const void *data, uint32_t size) {
        uint32_t be = htonl(size);

        memcpy(*p, tag, 4);
        memcpy(*p + 4, &be, 4);
        memcpy(*p + 8, data, size);
        *p += 8 + size;
}

int ata_blob_build(const uint8_t identify[ATA_SECTOR_SIZE], int smart_good, const uint8_t smart_data[ATA_SECTOR_SIZE],
                   const uint8_t thresholds[ATA_SECTOR_SIZE], uint8_t **ret, size_t *ret_size) {
        size_t size = 8 + ATA_SECTOR_SIZE;
        uint8_t *b, *p;

        if (!identify)
                return -EINVAL;
        if (smart_good >= 0)
                size += 8 + 4;
        if (smart_data)
                size += 8 + ATA_SECTOR_SIZE;
        if (thresholds)
                size += 8 + ATA_SECTOR_SIZE;
        b = p = malloc(size);
        if (!b)
                return -ENOMEM;
        put_section(&p, "IDFY", identify, ATA_SECTOR_SIZE);
        if (smart_good >= 0) {
                uint32_t v = htonl(smart_good > 0);
                put_section(&p, "SMST", &v, 4);
        }
        if (smart_data)
                put_section(&p, "SMDT", smart_data, ATA_SECTOR_SIZE);
        if (thresholds)
                put_section(&p, "SMTH", thresholds, ATA_SECTOR_SIZE);
        *ret = b;
        *ret_size = size;
        return 0;
}

/* libatasmart reports errors as -1 with errno (once even as a negative
 * errno: sk_disk_set_blob() sets errno = -ENODATA).  Translate once. */
static int sk_errno(void) {
        return errno != 0 ? -ERRNO_VALUE(errno) : -EIO;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(SkDisk *, sk_disk_free);

typedef struct AttrState {
        HealthSnapshot *s;
        int r;
} AttrState;

static void attribute_cb(SkDisk *d, const SkSmartAttributeParsedData *a, void *userdata) {
        AttrState *st = userdata;
        AtaAttribute at = {
                .id = a->id,
                .value = a->current_value,
                .worst = a->worst_value,
                .threshold = a->threshold,
                .value_valid = a->current_value_valid,
                .worst_valid = a->worst_value_valid,
                .threshold_valid = a->threshold_valid,
                .prefailure = a->prefailure,
                .online = a->online,
                /* libatasmart's find_threshold(): only thresholds 1..0xfd count. */
                .failing_now = a->good_now_valid && !a->good_now,
                .failed_in_past = a->good_in_the_past_valid && !a->good_in_the_past,
        };
        int r;

        for (unsigned i = 0; i < 6; i++)
                at.raw |= (uint64_t) a->raw[i] << (8 * i);
        snprintf(at.name, sizeof(at.name), "%s", a->name ?: "unknown");
        if (st->r < 0)
                return;
        r = health_snapshot_add_attribute(st->s, &at);
        if (r < 0)
                st->r = r;
}

static int dup_field(char **dst, const char *src) {
        if (!src || !*src)
                return 0;
        *dst = strdup(src);
        return *dst ? 0 : -ENOMEM;
}

int ata_parse_blob(const void *blob, size_t size, const char *device, HealthSnapshot **ret) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
        _cleanup_(sk_disk_freep) SkDisk *d = NULL;
        const SkIdentifyParsedData *id;
        const SkSmartParsedData *sp;
        SkBool available = 0, good;
        SkSmartOverall overall;
        uint64_t v;
        AttrState st;
        int r;

        if (!blob || size == 0 || size > (size_t) ATA_BLOB_MAX)
                return log_debug_errno(EBADMSG, "SMART blob of %zu bytes: valid blobs are 1..%d bytes", size,
                                       ATA_BLOB_MAX);

        s = health_snapshot_new(HEALTH_PROTOCOL_ATA, device);
        if (!s)
                return -ENOMEM;

        errno = 0;
        if (sk_disk_open(NULL, &d) < 0)
                return sk_errno();
        errno = 0;
        if (sk_disk_set_blob(d, blob, size) < 0) {
                r = sk_errno();
                return log_debug_errno(r == -ENOMEM ? r : EBADMSG,
                                       "libatasmart rejected the blob (%zu bytes; want tagged IDFY/SMST/SMDT/SMTH sections): %s",
                                       size, strerror(ERRNO_VALUE(r)));
        }

        if (sk_disk_identify_parse(d, &id) >= 0) {
                if (dup_field(&s->model, id->model) < 0 || dup_field(&s->serial, id->serial) < 0 ||
                    dup_field(&s->firmware, id->firmware) < 0)
                        return -ENOMEM;
        }

        errno = 0;
        if (sk_disk_smart_is_available(d, &available) < 0 || !available) {
                r = health_snapshot_set_error(s, ENOTSUP, "SMART not supported (IDENTIFY word 82 bit 0 clear)");
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(s);
                return 0;
        }

        errno = 0;
        if (sk_disk_smart_status(d, &good) >= 0)
                s->smart_status = good ? SMART_STATUS_PASSED : SMART_STATUS_FAILED;

        if (sk_disk_smart_parse(d, &sp) >= 0) {
                const char *t = sk_smart_self_test_execution_status_to_string(sp->self_test_execution_status);
                const char *o = sk_smart_offline_data_collection_status_to_string(sp->offline_data_collection_status);

                if (dup_field(&s->self_test_status, t) < 0 || dup_field(&s->offline_status, o) < 0)
                        return -ENOMEM;
                /* ACS-4 Table 140: 3..8 are failures of the last self-test. */
                s->self_test_failed = sp->self_test_execution_status >= SK_SMART_SELF_TEST_EXECUTION_STATUS_FATAL &&
                                      sp->self_test_execution_status <= SK_SMART_SELF_TEST_EXECUTION_STATUS_ERROR_HANDLING;
        }

        st = (AttrState) { .s = s };
        errno = 0;
        if (sk_disk_smart_parse_attributes(d, attribute_cb, &st) < 0 && errno != ENOENT)
                return sk_errno();
        if (st.r < 0)
                return st.r;

        if (sk_disk_smart_get_bad(d, &v) >= 0)
                s->bad_sectors = v;
        if (sk_disk_smart_get_temperature(d, &v) >= 0)
                s->temperature_mkelvin = v;
        if (sk_disk_smart_get_power_on(d, &v) >= 0)
                s->power_on_hours = v / (3600ULL * 1000ULL);
        if (sk_disk_smart_get_power_cycle(d, &v) >= 0)
                s->power_cycles = v;
        if (sk_disk_smart_get_overall(d, &overall) >= 0 && dup_field(&s->ata_overall, sk_smart_overall_to_string(overall)) < 0)
                return -ENOMEM;

        health_snapshot_fill_ata_counts(s);
        r = health_assess(s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int ata_pass_through(const ScsiTransport *t, uint8_t command, uint8_t feature, uint8_t count, uint32_t lba,
                     uint8_t *data, size_t len, AtaRegisters *ret_regs) {
        uint8_t cdb[16] = { 0x85 };
        AtaRegisters regs = {};
        ScsiResult res;
        bool have_regs;
        int r;

        if (data && (len == 0 || len % ATA_SECTOR_SIZE != 0 || len / ATA_SECTOR_SIZE > 255))
                return -EINVAL;
        /* SAT-4 12.2.2: PROTOCOL 3 non-data with CK_COND=1 (return the
         * registers); PROTOCOL 4 PIO data-in, T_DIR=1, BYT_BLOK=1,
         * T_LENGTH=2 (the count field holds the number of blocks). */
        if (data) {
                cdb[1] = 4 << 1;
                cdb[2] = 0x0e;
        } else {
                cdb[1] = 3 << 1;
                cdb[2] = 0x20;
        }
        cdb[4] = feature;
        cdb[6] = data ? (uint8_t) (len / ATA_SECTOR_SIZE) : count;
        cdb[8] = (uint8_t) lba;
        cdb[10] = (uint8_t) (lba >> 8);
        cdb[12] = (uint8_t) (lba >> 16);
        cdb[13] = 0x40; /* DEVICE: LBA mode */
        cdb[14] = command;

        if (data)
                memset(data, 0, len);
        r = scsi_command_raw(t, cdb, sizeof(cdb), data ? SCSI_DIRECTION_FROM_DEVICE : SCSI_DIRECTION_NONE, data, len,
                             &res);
        if (r < 0)
                return log_debug_errno(r, "ATA command 0x%02x: pass-through failed: %m", command);

        switch (res.status) {
        case SCSI_STATUS_GOOD:
                have_regs = false;
                break;
        case SCSI_STATUS_CHECK_CONDITION:
                have_regs = scsi_sense_ata_registers(res.sense, res.sense_len, &regs) >= 0;
                if (!have_regs) {
                        ScsiSense sense;

                        /* No ATA registers: the SATL refused the command itself
                         * (no SAT: ILLEGAL REQUEST, invalid opcode) or failed it. */
                        if (scsi_sense_decode(res.sense, res.sense_len, &sense) < 0)
                                return log_debug_errno(EIO, "ATA command 0x%02x: CHECK CONDITION without valid sense", command);
                        r = scsi_sense_to_errno(&sense);
                        return log_debug_errno(r < 0 ? r : EIO, "ATA command 0x%02x: sense %x/%02x/%02x (%s): %m", command,
                                               sense.sense_key, sense.asc, sense.ascq, sense.asc_text);
                }
                break;
        default:
                return log_debug_errno(EIO, "ATA command 0x%02x: SCSI status 0x%02x", command, res.status);
        }

        if (have_regs) {
                /* ACS-4 6.2: ERR (bit 0) or DEVICE FAULT (bit 5) fail the
                 * command; ABRT in the error register means "not supported".
                 * Everything else is success, even when the SATL flagged a
                 * check condition for a stray DRQ (QEMU's AHCI ends data-in
                 * pass-through with status 0x58; libata then reports an
                 * ILLEGAL REQUEST with the registers in fixed-format sense). */
                if (regs.status & 0x80)
                        return log_debug_errno(EIO, "ATA command 0x%02x: device busy (status 0x%02x)", command, regs.status);
                if (regs.status & 0x21) {
                        if (regs.error & 0x04)
                                return log_debug_errno(EOPNOTSUPP, "ATA command 0x%02x aborted (status 0x%02x error 0x%02x)",
                                                       command, regs.status, regs.error);
                        return log_debug_errno(EIO, "ATA command 0x%02x failed (status 0x%02x error 0x%02x)", command,
                                               regs.status, regs.error);
                }
        }
        if (data) {
                bool nonzero = false;

                for (size_t i = 0; i < len && !nonzero; i++)
                        nonzero = data[i] != 0;
                if (!nonzero)
                        return log_debug_errno(EIO, "ATA command 0x%02x returned no data", command);
        }
        if (ret_regs)
                *ret_regs = regs;
        return 0;
}

int ata_check_power_mode(const ScsiTransport *t, AtaPowerMode *ret) {
        AtaRegisters regs = {}; /* zero: "no registers", also if a path ever returned >= 0 without them */
        int r;

        r = ata_pass_through(t, ATA_CMD_CHECK_POWER_MODE, 0, 0, 0, NULL, 0, &regs);
        if (r < 0)
                return r;
        if (regs.status == 0)
                /* GOOD without registers: the SATL did not honour CK_COND. */
                return log_debug_errno(EIO, "CHECK POWER MODE returned no registers");
        *ret = ata_power_mode_from_count((uint8_t) regs.count);
        return 0;
}

static int unreadable(HealthSnapshot *s, int error, const char *what, HealthSnapshot **ret) {
        int r = health_snapshot_set_error(s, error, "%s: %s", what, strerror(ERRNO_VALUE(error)));

        if (r < 0) {
                health_snapshot_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int ata_read_health(const ScsiTransport *t, const char *device, HealthSnapshot **ret, uint8_t **ret_blob,
                    size_t *ret_blob_size) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
        uint8_t identify[ATA_SECTOR_SIZE], data[ATA_SECTOR_SIZE], thresholds[ATA_SECTOR_SIZE];
        _cleanup_free_ uint8_t *blob = NULL;
        bool have_thresholds;
        AtaRegisters regs = {}; /* zero: "no registers", also if a path ever returned >= 0 without them */
        AtaPowerMode mode;
        int r, good = -1;
        size_t size;

        s = health_snapshot_new(HEALTH_PROTOCOL_ATA, device);
        if (!s)
                return -ENOMEM;

        r = ata_pass_through(t, ATA_CMD_IDENTIFY_DEVICE, 0, 1, 0, identify, sizeof(identify), NULL);
        if (r < 0)
                return unreadable(TAKE_PTR(s), r, "IDENTIFY DEVICE", ret);

        /* Never wake a sleeping disk (STYLE.md, smartd -n standby).  If the
         * power mode cannot be checked we do not risk it either. */
        r = ata_check_power_mode(t, &mode);
        if (r < 0)
                return unreadable(TAKE_PTR(s), r, "CHECK POWER MODE (SMART not read, to avoid waking the disk)", ret);
        if (mode == ATA_POWER_MODE_STANDBY) {
                r = health_snapshot_set_error(s, 0, "skipped: disk in standby");
                if (r < 0)
                        return r;
                s->skipped = true;
                *ret = TAKE_PTR(s);
                return 0;
        }

        /* IDENTIFY word 82 bit 0: SMART supported; word 85 bit 0: enabled.
         * We never enable it: that is a device setting change. */
        if (!(identify[164] & 1) || !(identify[170] & 1)) {
                r = ata_blob_build(identify, -1, NULL, NULL, &blob, &size);
                if (r < 0)
                        return r;
                s = health_snapshot_free(s);
                r = ata_parse_blob(blob, size, device, &s);
                if (r < 0)
                        return r;
                if (s->error == 0) {
                        r = health_snapshot_set_error(s, ENOTSUP, "SMART disabled on the device (IDENTIFY word 85 bit 0)");
                        if (r < 0)
                                return r;
                }
                goto done;
        }

        r = ata_pass_through(t, ATA_CMD_SMART, ATA_SMART_READ_DATA, 1, 0xc24f00, data, sizeof(data), NULL);
        if (r < 0)
                return unreadable(TAKE_PTR(s), r, "SMART READ DATA", ret);
        /* READ THRESHOLDS is obsolete since ACS-2 but still answered by
         * nearly every drive; without it only the thresholds are missing. */
        have_thresholds = ata_pass_through(t, ATA_CMD_SMART, ATA_SMART_READ_THRESHOLDS, 1, 0xc24f00, thresholds,
                                           sizeof(thresholds), NULL) >= 0;

        /* ACS-4 7.48.7: LBA mid/high 0x4f/0xc2 good, 0xf4/0x2c threshold exceeded. */
        r = ata_pass_through(t, ATA_CMD_SMART, ATA_SMART_RETURN_STATUS, 0, 0xc24f00, NULL, 0, &regs);
        if (r >= 0) {
                uint16_t midhigh = (uint16_t) ((regs.lba >> 8) & 0xffff);

                if (midhigh == 0xc24f)
                        good = 1;
                else if (midhigh == 0x2cf4)
                        good = 0;
                else
                        log_debug("SMART RETURN STATUS of '%s': unexpected LBA mid/high 0x%04x, status unknown",
                                  strna(device), midhigh);
        }

        r = ata_blob_build(identify, good, data, have_thresholds ? thresholds : NULL, &blob, &size);
        if (r < 0)
                return r;
        s = health_snapshot_free(s);
        r = ata_parse_blob(blob, size, device, &s);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                s = health_snapshot_new(HEALTH_PROTOCOL_ATA, device);
                if (!s)
                        return -ENOMEM;
                return unreadable(TAKE_PTR(s), r, "parsing the SMART data", ret);
        }
done:
        if (ret_blob) {
                *ret_blob = TAKE_PTR(blob);
                *ret_blob_size = size;
        }
        *ret = TAKE_PTR(s);
        return 0;
}
