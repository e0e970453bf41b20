/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * ATA SMART through libatasmart's blob path.
 *
 * Every ATA health read, live or from a file, ends in ata_parse_blob():
 * the bytes are handed to libatasmart (sk_disk_open(NULL) +
 * sk_disk_set_blob()) which decodes identity, attributes (names, units,
 * per-model quirks), bad sectors, temperature, power-on time and its
 * overall verdict.  The blob is libatasmart's `skdump --save` layout: a
 * sequence of tagged sections, each a 4-byte tag, a 4-byte big-endian
 * size and the data:
 *
 *   tag    size  content
 *   -----  ----  --------------------------------------------------------
 *   IDFY   512   IDENTIFY DEVICE data (required)
 *   SMST   4     SMART RETURN STATUS: big-endian 1 good, 0 threshold exceeded
 *   SMDT   512   SMART READ DATA
 *   SMTH   512   SMART READ THRESHOLDS
 *
 * Live devices are read by issuing the ATA commands ourselves through the
 * SCSI/ATA Translation (SAT) ATA PASS-THROUGH(16) command on a
 * ScsiTransport, accepting fixed and descriptor sense (libatasmart's own
 * device path accepts only descriptor sense and fails on QEMU's AHCI, see
 * VMLAB.md), then building the blob.  libatasmart types stay in ata-smart.c.
 */

#include <stddef.h>
#include <stdint.h>

#include "health.h"
#include "scsi/scsi-transport.h"

#define ATA_SECTOR_SIZE 512
#define ATA_BLOB_MAX (4 * (8 + ATA_SECTOR_SIZE)) /* bytes: the largest valid blob */

/* ATA commands and SMART subcommands (ACS-4 7.x, 7.48). */
#define ATA_CMD_IDENTIFY_DEVICE 0xec
#define ATA_CMD_CHECK_POWER_MODE 0xe5
#define ATA_CMD_SMART 0xb0
#define ATA_SMART_READ_DATA 0xd0
#define ATA_SMART_READ_THRESHOLDS 0xd1
#define ATA_SMART_RETURN_STATUS 0xda

typedef enum AtaPowerMode {
        ATA_POWER_MODE_STANDBY, /* count 0x00 (standby), 0x01 (standby_y), 0x40/0x41 (NV cache, spun down) */
        ATA_POWER_MODE_IDLE,    /* 0x80..0x83 */
        ATA_POWER_MODE_ACTIVE,  /* 0xff: active or idle */
        ATA_POWER_MODE_UNKNOWN,
        _ATA_POWER_MODE_MAX,
        _ATA_POWER_MODE_INVALID = -EINVAL,
} AtaPowerMode;

const char *ata_power_mode_to_string(AtaPowerMode m) _const_;
AtaPowerMode ata_power_mode_from_string(const char *s) _pure_;
/* ata_power_mode_from_count() - CHECK POWER MODE's count register. */
AtaPowerMode ata_power_mode_from_count(uint8_t count) _const_;

/* ata_blob_build() - assemble a blob; @identify is required, the others
 * may be NULL; @smart_good is 1, 0, or -1 for "not read".
 * Return: 0 with a new buffer, -EINVAL, -ENOMEM. */
int ata_blob_build(const uint8_t identify[ATA_SECTOR_SIZE], int smart_good, const uint8_t smart_data[ATA_SECTOR_SIZE],
                   const uint8_t thresholds[ATA_SECTOR_SIZE], uint8_t **ret, size_t *ret_size);

/* ata_parse_blob() - decode a blob with libatasmart into a snapshot and
 * assess it.  @device names it (node or file) in the snapshot.
 * Return: 0 with a new snapshot; -EBADMSG when the blob's layout is
 * invalid (libatasmart refuses it); -ENOMEM. */
int ata_parse_blob(const void *blob, size_t size, const char *device, HealthSnapshot **ret);

/* ata_pass_through() - one ATA command through SAT ATA PASS-THROUGH(16):
 * non-data when @data is NULL (with CK_COND, so the registers come back),
 * else PIO data-in of @len bytes (a multiple of 512).
 * Return: 0 with the result registers in *ret_regs (when not NULL; zeroed
 * if the device returned none); -EOPNOTSUPP when the device has no SAT or
 * aborted the command; -EIO for an ATA error; -errno from the transport. */
int ata_pass_through(const ScsiTransport *t, uint8_t command, uint8_t feature, uint8_t count, uint32_t lba,
                     uint8_t *data, size_t len, AtaRegisters *ret_regs);

/* ata_check_power_mode() - Return: 0 with the mode, or -errno. */
int ata_check_power_mode(const ScsiTransport *t, AtaPowerMode *ret);

/* ata_read_health() - read a live disk: IDENTIFY, CHECK POWER MODE (a disk
 * in standby is not woken: the snapshot says "skipped: disk in standby"),
 * SMART READ DATA, READ THRESHOLDS, RETURN STATUS, then ata_parse_blob().
 * A disk that cannot be read gets a snapshot with assessment unknown and
 * the error; this returns an error only for -ENOMEM.
 * @ret_blob: optional, the blob that was parsed (for `--save`-style capture).
 * Return: 0 with a new snapshot, or -ENOMEM. */
int ata_read_health(const ScsiTransport *t, const char *device, HealthSnapshot **ret, uint8_t **ret_blob,
                    size_t *ret_blob_size);
