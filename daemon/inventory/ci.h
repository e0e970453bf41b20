/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Configuration items (ISO/IEC 20000: each managed asset has a unique
 * identifier, a type, a description, relationships and a state).
 *
 * A Ci is a plain struct: libudev types never reach it.  inventory-udev.c
 * converts udev devices into Ci values; everything else (diagnosis,
 * incidents, D-Bus) sees only these.
 *
 * Ids are stable across reboots and re-enumeration:
 *   disk        "wwn-<wwn>"  else "serial-<model>_<serial>"  else "path-<by-path>";
 *               a multipath path appends "@<by-path>" to its LUN's id
 *   controller  "scsi-<pci address or parent>-<port>" or "nvme-<serial>"
 *   pci         "pci-<domain:bus:dev.fn>"
 *   array       "md-<array uuid>"   (else "md-<name>")
 *   multipath   "mpath-<wwid>"
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "time-util.h"

typedef enum CiType {
        CI_DISK,
        CI_CONTROLLER, /* a SCSI host or an NVMe controller */
        CI_PCI,        /* the PCI function a controller sits on */
        CI_ARRAY,      /* an md array */
        CI_MULTIPATH,  /* a dm-multipath map */
        _CI_TYPE_MAX,
        _CI_TYPE_INVALID = -EINVAL,
} CiType;

typedef enum CiState {
        CI_STATE_PRESENT,
        CI_STATE_REMOVED, /* gone from the system, remembered */
        _CI_STATE_MAX,
        _CI_STATE_INVALID = -EINVAL,
} CiState;

typedef enum Transport {
        TRANSPORT_UNKNOWN,
        TRANSPORT_SATA,   /* libata: AHCI and other ATA host adapters */
        TRANSPORT_SAS,
        TRANSPORT_FC,
        TRANSPORT_ISCSI,
        TRANSPORT_USB,
        TRANSPORT_SCSI,   /* parallel SCSI, RAID controllers, emulated HBAs */
        TRANSPORT_NVME,
        TRANSPORT_VIRTIO,
        TRANSPORT_VIRTUAL, /* scsi_debug, md, dm */
        TRANSPORT_PCI,
        _TRANSPORT_MAX,
        _TRANSPORT_INVALID = -EINVAL,
} Transport;

/* How storguard can read a disk's own health. */
typedef enum HealthSource {
        HEALTH_SOURCE_NONE,
        HEALTH_SOURCE_ATA,  /* ATA SMART, native or through SAT */
        HEALTH_SOURCE_SCSI, /* SCSI LOG SENSE / informational exceptions */
        HEALTH_SOURCE_NVME, /* NVMe SMART / health log */
        _HEALTH_SOURCE_MAX,
        _HEALTH_SOURCE_INVALID = -EINVAL,
} HealthSource;

typedef enum MemberRole {
        MEMBER_ROLE_UNKNOWN,
        MEMBER_ROLE_ACTIVE,     /* in_sync */
        MEMBER_ROLE_REBUILDING, /* a slot, not yet in sync */
        MEMBER_ROLE_SPARE,
        MEMBER_ROLE_FAULTY,
        _MEMBER_ROLE_MAX,
        _MEMBER_ROLE_INVALID = -EINVAL,
} MemberRole;

typedef enum PathState {
        PATH_STATE_UNKNOWN,
        PATH_STATE_ACTIVE,
        PATH_STATE_FAILED,
        _PATH_STATE_MAX,
        _PATH_STATE_INVALID = -EINVAL,
} PathState;

/* A member of an md array, as /sys/block/mdX/md/dev-NAME/ shows it. */
typedef struct ArrayMember {
        char *name;        /* kernel name of the member block device: "sdb1", "dm-3" */
        char *disk_name;   /* the disk under it: "sdb" (partition parent, dm slave) */
        char *state;       /* md's raw state: "in_sync", "faulty", "spare,write_mostly" */
        MemberRole role;
        int slot;          /* -1: none */
        uint64_t errors;   /* md's count of corrected read errors */
} ArrayMember;

/* A path of a dm-multipath map. */
typedef struct MultipathPath {
        char *name;        /* "sdc" */
        char *device_state; /* SCSI device state: "running", "offline", ... */
        PathState state;   /* dm's A/F when its status could be read, else from device_state */
        int fail_count;    /* dm's failures of this path since the map was loaded; -1: unknown */
} MultipathPath;

typedef struct Ci {
        char *id;
        CiType type;
        CiState state;

        char *name;        /* kernel name: "sda", "nvme0n1", "host2", "nvme0", "0000:00:1f.2", "md0", "dm-0" */
        char *syspath;
        char *devnode;
        char *by_path;     /* udev ID_PATH or derived from the sysfs path */
        char *alias;       /* md: MD_DEVNAME ("/dev/md/data"); multipath: DM_NAME ("mpatha") */

        char *vendor;
        char *model;
        char *serial;
        char *wwn;         /* arrays: the md array UUID */
        char *firmware;
        Transport transport;
        uint64_t capacity_bytes;
        int rotational;    /* 1, 0, -1 unknown */

        /* disk */
        HealthSource health_source;
        char *unsupported_reason; /* why health cannot be read; NULL when it can */
        char *lun_id;             /* multipath paths: the id of the LUN they lead to */
        char *controller_id;      /* disk -> controller */
        /* controller and pci */
        char *driver;
        char *pci_address;
        char *pci_id;             /* controller -> pci */
        /* array and multipath */
        char *level;              /* "raid1" */
        char *array_state;        /* md array_state, or dm map state */
        unsigned raid_disks;
        unsigned degraded;
        char *sync_action;
        int queue_if_no_path;     /* multipath: the table's feature; -1: unknown */
        int queueing;             /* multipath: dm queues I/O now (no usable path); -1: unknown */
        ArrayMember *members;
        size_t n_members;
        MultipathPath *paths;
        size_t n_paths;

        usec_t first_seen;        /* CLOCK_REALTIME */
        usec_t last_seen;
        usec_t removed_at;
} Ci;

const char *ci_type_to_string(CiType t) _const_;
CiType ci_type_from_string(const char *s) _pure_;
const char *ci_state_to_string(CiState s) _const_;
CiState ci_state_from_string(const char *s) _pure_;
const char *transport_to_string(Transport t) _const_;
Transport transport_from_string(const char *s) _pure_;
const char *health_source_to_string(HealthSource s) _const_;
HealthSource health_source_from_string(const char *s) _pure_;
const char *member_role_to_string(MemberRole r) _const_;
MemberRole member_role_from_string(const char *s) _pure_;
const char *path_state_to_string(PathState s) _const_;
PathState path_state_from_string(const char *s) _pure_;

Ci *ci_new(CiType type);
Ci *ci_free(Ci *c);
DEFINE_POINTER_CLEANUP_FUNC(Ci, ci_free);

/* ci_move_contents() - take over everything src says about the device
 * (not first_seen/state), leaving src empty.  Used when an already known
 * CI is seen again. */
void ci_move_contents(Ci *dst, Ci *src);

/* ci_same_contents() - whether two reads of a CI say the same (ignoring
 * id, state and timestamps). */
bool ci_same_contents(const Ci *a, const Ci *b) _pure_;

/* member_role_from_md_state() - md's comma-separated member state
 * ("in_sync", "faulty,write_mostly", "spare") to a role; slot tells a
 * rebuilding member (has a slot, not in_sync) from a spare (none). */
MemberRole member_role_from_md_state(const char *state, int slot) _pure_;

/* set_trimmed() - *field = a copy of @v without surrounding blanks, unless
 * *field is already set (the first source wins) or @v is NULL or blank.
 * Return: 1 if set, 0 if not, -ENOMEM. */
int set_trimmed(char **field, const char *v);

/* The md sysfs attributes of one array as read (Documentation/admin-guide/
 * md.rst), NULL where absent.  Every one is kernel text, trusted as little
 * as a device string. */
typedef struct MdArrayValues {
        const char *level;        /* md/level: "raid1" */
        const char *array_state;  /* md/array_state: "clean", "active", "inactive", ... */
        const char *sync_action;  /* md/sync_action: "idle", "resync", "recover", ... */
        const char *raid_disks;   /* md/raid_disks: decimal */
        const char *degraded;     /* md/degraded: decimal */
        const char *size;         /* size: 512-byte sectors */
} MdArrayValues;

/* ci_set_md_values() - an array's md sysfs values into @c: level, state
 * and sync action trimmed, counts and capacity parsed (an unparsable or
 * overflowing number is left unset).  Return: 0, or -ENOMEM. */
int ci_set_md_values(Ci *c, const MdArrayValues *v);

/* array_member_set_md_values() - a member's md/dev-NAME/{state,slot,errors}
 * (NULL where absent) into @m: raw state trimmed, slot ("none" for a spare:
 * -1), error count, and the role derived from them.  Return: 0, -ENOMEM. */
int array_member_set_md_values(ArrayMember *m, const char *state, const char *slot, const char *errors);

/* wwn_normalize() - SCSI/NVMe world-wide names as sysfs and udev print
 * them ("naa.5000c500a1b2c3d4", "0x5000c500a1b2c3d4", "eui.0025388...")
 * to one form: lower case, "0x<hex>" for NAA, "eui.<hex>" for EUI-64,
 * "nvme.<...>" and "uuid.<...>" kept.  T10 vendor ids ("t10.ATA ...") are
 * not world-wide names.
 * Return: 0 and a new string in *ret, -EINVAL when s is no WWN. */
int wwn_normalize(const char *s, char **ret);

/* ci_make_disk_id() - the stable id from identity (see above).
 * Return: 0 and a new string, -EINVAL when nothing identifies the disk. */
int ci_make_disk_id(const char *wwn, const char *model, const char *serial, const char *by_path, char **ret);

/* ci_make_path_id() - make a disk one path to its LUN: its id becomes
 * "<lun id>@<by-path>" and lun_id the former id.
 * Return: 1 if changed, 0 if it was a path already, -ENOMEM. */
int ci_make_path_id(Ci *c);

/* ci_id_escape() - "<prefix><a>[_<b>]" with white space, '/' and
 * unprintable bytes replaced by '_'.  Return: a new string or NULL. */
char *ci_id_escape(const char *prefix, const char *a, const char *b);

/* ata_id_string() - an ATA IDENTIFY string field (model: word 27, 20
 * words; firmware: word 23, 4; serial: word 10, 10), byte-swapped back,
 * unprintable bytes as spaces, trimmed.
 * Return: 0 and a new string, -EINVAL if the field lies outside size. */
int ata_id_string(const uint8_t *identify, size_t size, size_t word, size_t n_words, char **ret);
