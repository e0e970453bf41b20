/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * udev devices to configuration items.  What is read, and from where
 * (udev property "E:", sysfs attribute "A:"; the first one present wins):
 *
 *   CI field         disk (sd*, nvme*n*, vd*, ...)                 source
 *   --------------   --------------------------------------------  -----------------------------
 *   name             kernel name                                    sysname
 *   devnode          /dev node                                      devnode
 *   by_path          E:ID_PATH, else derived from the sysfs path
 *   vendor           E:ID_VENDOR_ENC, A:device/vendor
 *   model            ATA: IDENTIFY in A:device/vpd_pg89; E:ID_MODEL_ENC, A:device/model;
 *                    NVMe: A:model of the controller
 *   serial           ATA: IDENTIFY in A:device/vpd_pg89; SCSI: E:ID_SCSI_SERIAL, A:device/vpd_pg80,
 *                    E:ID_SERIAL_SHORT; virtio: A:serial; NVMe: A:serial of the controller
 *   firmware         ATA: IDENTIFY in A:device/vpd_pg89; E:ID_REVISION, A:device/rev;
 *                    NVMe: A:firmware_rev
 *   wwn              E:ID_WWN_WITH_EXTENSION, A:wwid, A:device/wwid (NAA/EUI/NVMe only)
 *   capacity_bytes   A:size x 512
 *   rotational       A:queue/rotational
 *   transport        the sysfs path: ata*, end_device-*, rport-*, session*, usb, virtio, pseudo
 *   health_source    SCSI vendor "ATA" -> ata-smart; other SCSI -> scsi-log; NVMe -> nvme-health;
 *                    E:ID_ATA_SMART_ACCESS=none -> none
 *   ignored          E:STORGUARD_IGNORE=1, virtual devices, SCSI types other than 0/0x0e/0x14
 *
 *   controller       the SCSI host (parent scsi/scsi_host) or the NVMe controller (parent
 *                    nvme, or the nvme class device with the same A:subsysnqn); driver: the
 *                    first ancestor with a driver; pci: the nearest pci ancestor
 *   array (md*)      A:md/level, md/array_state, md/raid_disks, md/degraded, md/sync_action;
 *                    E:MD_UUID, E:MD_DEVNAME; members from md/dev-NAME/ (state, slot, errors)
 *   multipath        dm-N with E:DM_UUID (or A:dm/uuid) "mpath-<wwid>"; E:DM_NAME (A:dm/name);
 *                    paths from slaves/, each path's A:device/state; the last kernel dm event
 *                    (E:DM_ACTION=PATH_FAILED/PATH_REINSTATED, E:DM_PATH=major:minor)
 */

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "alloc-util.h"
#include "dm/dm-status.h"
#include "fd-util.h"
#include "fileio.h"
#include "hashmap.h"
#include "inventory-udev.h"
#include "log.h"
#include "parse-util.h"
#include "paths.h"
#include "string-util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_enumerate *, udev_enumerate_unref);

#define IGNORED(ret, ...)                                                                  \
        ({                                                                                 \
                if (asprintf((ret), __VA_ARGS__) < 0) {                                    \
                        *(ret) = NULL;                                                     \
                        return -ENOMEM;                                                    \
                }                                                                          \
                -EADDRNOTAVAIL;                                                            \
        })

static const char *prop(struct udev_device *d, const char *key) {
        const char *v = udev_device_get_property_value(d, key);

        return isempty(v) ? NULL : v;
}

static const char *attr(struct udev_device *d, const char *key) {
        const char *v = udev_device_get_sysattr_value(d, key);

        return isempty(v) ? NULL : v;
}

/* A copy of a device string, trimmed; NULL stays NULL, "" becomes NULL. */
static int set_decoded(char **field, const char *enc) {
        _cleanup_free_ char *t = NULL;

        if (!enc || *field)
                return 0;
        t = udev_decode_string(enc);
        if (!t)
                return -ENOMEM;
        return set_trimmed(field, t);
}

/* Unit serial number from VPD page 0x80 as the kernel exposes it (binary:
 * 4-byte header, byte 3 = page length, then ASCII; SPC-5 7.7.19). */
static int serial_from_vpd80(struct udev_device *scsi_dev, char **field) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        size_t n;
        int r;

        if (!scsi_dev || *field)
                return 0;
        path = path_join(udev_device_get_syspath(scsi_dev), "vpd_pg80");
        if (!path)
                return -ENOMEM;
        r = read_full_file(path, 4096, &buf, &n);
        if (r < 0 || n < 4 || (unsigned char) buf[1] != 0x80)
                return 0;
        n = MIN(n - 4, (size_t) (unsigned char) buf[3]);
        memmove(buf, buf + 4, n);
        buf[n] = '\0';
        return set_trimmed(field, buf);
}

/* The full ATA identity from the ATA Information VPD page (0x89, SAT-4
 * 12.4.2): the IDENTIFY DEVICE data starts at byte 60.  SCSI INQUIRY cuts
 * an ATA model to 16 characters ("WDC WD20EFRX-68E"); IDENTIFY has all 40
 * ("WDC WD20EFRX-68EUZN0") and the 8-character firmware revision. */
static int ata_identity_from_vpd89(struct udev_device *scsi_dev, Ci *c) {
        _cleanup_free_ char *path = NULL, *buf = NULL, *model = NULL, *fw = NULL, *serial = NULL;
        size_t n;
        int r;

        path = path_join(udev_device_get_syspath(scsi_dev), "vpd_pg89");
        if (!path)
                return -ENOMEM;
        r = read_full_file(path, 4096, &buf, &n);
        if (r < 0 || n < 60 + 512 || (unsigned char) buf[1] != 0x89)
                return 0; /* no page: keep what INQUIRY says */
        if (ata_id_string((const uint8_t *) buf + 60, 512, 27, 20, &model) < 0 ||
            ata_id_string((const uint8_t *) buf + 60, 512, 23, 4, &fw) < 0 ||
            ata_id_string((const uint8_t *) buf + 60, 512, 10, 10, &serial) < 0)
                return -ENOMEM;
        if (set_trimmed(&c->model, model) < 0 || set_trimmed(&c->firmware, fw) < 0 ||
            set_trimmed(&c->serial, serial) < 0)
                return -ENOMEM;
        return 0;
}

static struct udev_device *ancestor(struct udev_device *d, const char *subsystem, const char *devtype) {
        return udev_device_get_parent_with_subsystem_devtype(d, subsystem, devtype);
}

static const char *driver_up(struct udev_device *d) {
        for (; d; d = udev_device_get_parent(d)) {
                const char *drv = udev_device_get_driver(d);
                if (!isempty(drv))
                        return drv;
        }
        return NULL;
}

/* "/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0"
 * -> is there a component starting with prefix? */
static bool devpath_has(const char *devpath, const char *prefix) {
        size_t l = strlen(prefix);

        for (const char *p = devpath; (p = strchr(p, '/')); p++)
                if (strneq(p + 1, prefix, l))
                        return true;
        return false;
}

/* The path from an anchor device (a PCI function, or the first component
 * under /devices) down to, not including, the device d: "0000:00:1f.2-ata1".
 * Stable across boots for the same slot and port, unlike host numbers. */
static int path_below_anchor(struct udev_device *d, struct udev_device *pci, char **ret) {
        const char *dp = udev_device_get_devpath(d), *start;
        _cleanup_free_ char *s = NULL;
        const char *end;

        if (pci) {
                const char *pp = udev_device_get_devpath(pci);
                start = startswith(dp, pp);
                if (!start)
                        return -EINVAL;
                s = strdup(udev_device_get_sysname(pci));
        } else {
                start = startswith(dp, "/devices/");
                if (!start)
                        return -EINVAL;
                s = strdup("");
        }
        if (!s)
                return -ENOMEM;
        end = strrchr(dp, '/');
        while (*start == '/')
                start++;
        while (start < end) {
                size_t n = strcspn(start, "/");
                char *t;

                /* The class directory between a device and its block
                 * device says nothing about where it is, and a virtio
                 * device's index ("virtio2") is an enumeration order, not
                 * a place: udev's path_id skips both too. */
                if ((n == 5 && strneq(start, "block", 5)) ||
                    (n > 6 && strneq(start, "virtio", 6) && strspn(start + 6, "0123456789") == n - 6)) {
                        start += n;
                        while (*start == '/')
                                start++;
                        continue;
                }
                if (asprintf(&t, "%s%s%.*s", s, isempty(s) ? "" : "-", (int) n, start) < 0)
                        return -ENOMEM;
                free(s);
                s = t;
                start += n;
                while (*start == '/')
                        start++;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

static Transport scsi_transport(struct udev_device *d, struct udev_device *host) {
        const char *dp = udev_device_get_devpath(d);
        const char *drv = host ? driver_up(host) : NULL;

        if (devpath_has(dp, "end_device-"))
                return TRANSPORT_SAS;
        if (devpath_has(dp, "rport-"))
                return TRANSPORT_FC;
        if (devpath_has(dp, "session"))
                return TRANSPORT_ISCSI;
        if (ancestor(d, "usb", "usb_device"))
                return TRANSPORT_USB;
        if (devpath_has(dp, "ata"))
                return TRANSPORT_SATA;
        if (streq_ptr(drv, "virtio_scsi"))
                return TRANSPORT_VIRTIO;
        if (startswith(dp, "/devices/pseudo"))
                return TRANSPORT_VIRTUAL;
        return TRANSPORT_SCSI;
}

static int read_pci(struct udev_device *pci, Ci **ret) {
        _cleanup_(ci_freep) Ci *c = ci_new(CI_PCI);
        const char *addr = udev_device_get_sysname(pci);
        int r = 0;

        if (!c)
                return -ENOMEM;
        if (asprintf(&c->id, "pci-%s", addr) < 0) {
                c->id = NULL;
                return -ENOMEM;
        }
        c->transport = TRANSPORT_PCI;
        if (!(c->name = strdup(addr)) || !(c->syspath = strdup(udev_device_get_syspath(pci))) ||
            !(c->pci_address = strdup(addr)))
                return -ENOMEM;
        if (set_trimmed(&c->vendor, prop(pci, "ID_VENDOR_FROM_DATABASE")) < 0 ||
            set_trimmed(&c->vendor, attr(pci, "vendor")) < 0 ||
            set_trimmed(&c->model, prop(pci, "ID_MODEL_FROM_DATABASE")) < 0 ||
            set_trimmed(&c->model, attr(pci, "device")) < 0 ||
            set_trimmed(&c->driver, udev_device_get_driver(pci)) < 0 ||
            set_trimmed(&c->firmware, attr(pci, "revision")) < 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

static int read_scsi_host(struct udev_device *disk, struct udev_device *host, struct udev_device *pci,
                          Transport transport, Ci **ret) {
        _cleanup_(ci_freep) Ci *c = ci_new(CI_CONTROLLER);
        _cleanup_free_ char *below = NULL;
        int r;

        if (!c)
                return -ENOMEM;
        r = path_below_anchor(host, pci, &below);
        if (r < 0)
                return r;
        if (asprintf(&c->id, "scsi-%s", isempty(below) ? udev_device_get_sysname(host) : below) < 0) {
                c->id = NULL;
                return -ENOMEM;
        }
        c->transport = transport;
        if (!(c->name = strdup(udev_device_get_sysname(host))) ||
            !(c->syspath = strdup(udev_device_get_syspath(host))))
                return -ENOMEM;
        if (set_trimmed(&c->driver, driver_up(host)) < 0)
                return -ENOMEM;
        if (pci) {
                if (asprintf(&c->pci_id, "pci-%s", udev_device_get_sysname(pci)) < 0) {
                        c->pci_id = NULL;
                        return -ENOMEM;
                }
                if (set_trimmed(&c->pci_address, udev_device_get_sysname(pci)) < 0 ||
                    set_trimmed(&c->vendor, prop(pci, "ID_VENDOR_FROM_DATABASE")) < 0 ||
                    set_trimmed(&c->model, prop(pci, "ID_MODEL_FROM_DATABASE")) < 0)
                        return -ENOMEM;
        }
        if (set_trimmed(&c->by_path, below) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

static int read_nvme_ctrl(struct udev_device *ctrl, Ci **ret_ctrl, Ci **ret_pci) {
        _cleanup_(ci_freep) Ci *c = ci_new(CI_CONTROLLER), *p = NULL;
        struct udev_device *pci = ancestor(ctrl, "pci", NULL);
        int r;

        if (!c)
                return -ENOMEM;
        c->transport = TRANSPORT_NVME;
        if (!(c->name = strdup(udev_device_get_sysname(ctrl))) ||
            !(c->syspath = strdup(udev_device_get_syspath(ctrl))))
                return -ENOMEM;
        if (set_trimmed(&c->model, attr(ctrl, "model")) < 0 || set_trimmed(&c->serial, attr(ctrl, "serial")) < 0 ||
            set_trimmed(&c->firmware, attr(ctrl, "firmware_rev")) < 0 ||
            set_trimmed(&c->driver, driver_up(ctrl)) < 0 || set_trimmed(&c->by_path, prop(ctrl, "ID_PATH")) < 0)
                return -ENOMEM;
        if (c->serial)
                c->id = ci_id_escape("nvme-", c->serial, NULL);
        else if (pci)
                c->id = ci_id_escape("nvme-pci-", udev_device_get_sysname(pci), NULL);
        else
                c->id = ci_id_escape("nvme-", c->name, NULL);
        if (!c->id)
                return -ENOMEM;
        if (pci) {
                if (asprintf(&c->pci_id, "pci-%s", udev_device_get_sysname(pci)) < 0) {
                        c->pci_id = NULL;
                        return -ENOMEM;
                }
                if (set_trimmed(&c->pci_address, udev_device_get_sysname(pci)) < 0)
                        return -ENOMEM;
                r = read_pci(pci, &p);
                if (r < 0)
                        return r;
        }
        *ret_ctrl = TAKE_PTR(c);
        if (ret_pci)
                *ret_pci = TAKE_PTR(p);
        return 0;
}

/* With native NVMe multipath (Debian's default) a namespace hangs off a
 * virtual nvme-subsystem device; its controllers are the nvme class
 * devices with the same subsysnqn. */
static struct udev_device *nvme_controller_of(struct udev_device *d) {
        _cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = NULL;
        struct udev_device *parent = udev_device_get_parent(d), *found = NULL;
        struct udev_list_entry *le;
        const char *nqn;

        if (!parent)
                return NULL;
        if (streq_ptr(udev_device_get_subsystem(parent), "nvme"))
                return udev_device_ref(parent);
        if (!streq_ptr(udev_device_get_subsystem(parent), "nvme-subsystem"))
                return NULL;
        nqn = attr(parent, "subsysnqn");
        if (!nqn)
                return NULL;
        e = udev_enumerate_new(udev_device_get_udev(d));
        if (!e || udev_enumerate_add_match_subsystem(e, "nvme") < 0 || udev_enumerate_scan_devices(e) < 0)
                return NULL;
        udev_list_entry_foreach(le, udev_enumerate_get_list_entry(e)) {
                struct udev_device *c = udev_device_new_from_syspath(udev_device_get_udev(d),
                                                                     udev_list_entry_get_name(le));
                if (!c)
                        continue;
                if (streq_ptr(attr(c, "subsysnqn"), nqn) && (!found || strverscmp(udev_device_get_sysname(c),
                                                                                  udev_device_get_sysname(found)) < 0)) {
                        udev_device_unref(found);
                        found = c;
                } else
                        udev_device_unref(c);
        }
        return found;
}

static int read_disk(struct udev_device *d, Ci *c, Ci **ret_ctrl, Ci **ret_pci, char **ret_ignored) {
        struct udev_device *scsi = ancestor(d, "scsi", "scsi_device");
        struct udev_device *parent = udev_device_get_parent(d);
        const char *dp = udev_device_get_devpath(d), *v;
        _cleanup_(udev_device_unrefp) struct udev_device *nvme_ctrl = NULL;
        _cleanup_(ci_freep) Ci *ctrl = NULL, *pci_ci = NULL;
        _cleanup_free_ char *wwn = NULL;
        uint64_t u;
        int r;

        if (startswith(dp, "/devices/virtual/"))
                return IGNORED(ret_ignored, "virtual block device (loop, zram, ram, nbd, ...)");

        if (scsi) {
                struct udev_device *host = ancestor(d, "scsi", "scsi_host");
                struct udev_device *pci = ancestor(d, "pci", NULL);
                unsigned type = 0;

                v = attr(scsi, "type");
                if (v && safe_atou(v, &type) >= 0 && type != 0x00 && type != 0x0e && type != 0x14)
                        return IGNORED(ret_ignored, "SCSI peripheral device type 0x%02x is not a disk", type);

                c->transport = scsi_transport(d, host);
                if (set_trimmed(&c->vendor, attr(scsi, "vendor")) < 0)
                        return -ENOMEM;
                /* SAT (libata, or a SATA disk behind a SAS HBA) reports the
                 * T10 vendor "ATA" (SAT-4 10.3.2): it speaks ATA SMART. */
                c->health_source = streq_ptr(c->vendor, "ATA") ? HEALTH_SOURCE_ATA : HEALTH_SOURCE_SCSI;
                if (c->health_source == HEALTH_SOURCE_ATA) {
                        r = ata_identity_from_vpd89(scsi, c);
                        if (r < 0)
                                return r;
                }
                if (set_decoded(&c->model, prop(d, "ID_MODEL_ENC")) < 0 ||
                    set_trimmed(&c->model, attr(scsi, "model")) < 0 ||
                    /* The unit serial number (VPD 0x80); udev's
                     * ID_SERIAL_SHORT is the NAA WWN for SAS disks. */
                    set_trimmed(&c->serial, prop(d, "ID_SCSI_SERIAL")) < 0 ||
                    serial_from_vpd80(scsi, &c->serial) < 0 ||
                    set_trimmed(&c->serial, prop(d, "ID_SERIAL_SHORT")) < 0 ||
                    set_trimmed(&c->firmware, prop(d, "ID_REVISION")) < 0 ||
                    set_trimmed(&c->firmware, attr(scsi, "rev")) < 0)
                        return -ENOMEM;
                if (wwn_normalize(prop(d, "ID_WWN_WITH_EXTENSION"), &wwn) < 0)
                        (void) wwn_normalize(attr(scsi, "wwid"), &wwn);
                if (host) {
                        r = read_scsi_host(d, host, pci, c->transport, &ctrl);
                        if (r < 0)
                                return r;
                        if (pci) {
                                r = read_pci(pci, &pci_ci);
                                if (r < 0)
                                        return r;
                        }
                }
        } else if ((nvme_ctrl = nvme_controller_of(d)) ||
                   (parent && streq_ptr(udev_device_get_subsystem(parent), "nvme-subsystem"))) {
                c->transport = TRANSPORT_NVME;
                c->health_source = HEALTH_SOURCE_NVME;
                if (nvme_ctrl) {
                        r = read_nvme_ctrl(nvme_ctrl, &ctrl, &pci_ci);
                        if (r < 0)
                                return r;
                        if (set_trimmed(&c->model, ctrl->model) < 0 || set_trimmed(&c->serial, ctrl->serial) < 0 ||
                            set_trimmed(&c->firmware, ctrl->firmware) < 0)
                                return -ENOMEM;
                } else if (set_trimmed(&c->model, attr(parent, "model")) < 0 ||
                           set_trimmed(&c->serial, attr(parent, "serial")) < 0 ||
                           set_trimmed(&c->firmware, attr(parent, "firmware_rev")) < 0)
                        return -ENOMEM;
                if (wwn_normalize(attr(d, "wwid"), &wwn) < 0)
                        (void) wwn_normalize(prop(d, "ID_WWN"), &wwn);
        } else {
                const char *subsystem = parent ? udev_device_get_subsystem(parent) : NULL;
                const char *drv = parent ? udev_device_get_driver(parent) : NULL;
                int k;

                c->health_source = HEALTH_SOURCE_NONE;
                if (streq_ptr(subsystem, "virtio") || streq_ptr(drv, "virtio_blk")) {
                        c->transport = TRANSPORT_VIRTIO;
                        k = asprintf(&c->unsupported_reason,
                                     "virtio-blk exposes no SMART data, SCSI log pages or NVMe health log; "
                                     "storguard watches only its presence");
                } else
                        k = asprintf(&c->unsupported_reason, "no health interface for '%s' devices",
                                     strna(subsystem));
                if (k < 0) {
                        c->unsupported_reason = NULL;
                        return -ENOMEM;
                }
                if (set_decoded(&c->model, prop(d, "ID_MODEL_ENC")) < 0 ||
                    set_trimmed(&c->serial, prop(d, "ID_SERIAL_SHORT")) < 0 ||
                    set_trimmed(&c->serial, attr(d, "serial")) < 0)
                        return -ENOMEM;
                if (parent) {
                        struct udev_device *pci = ancestor(d, "pci", NULL);
                        if (pci) {
                                r = read_pci(pci, &pci_ci);
                                if (r < 0)
                                        return r;
                        }
                }
        }

        if (streq_ptr(prop(d, "ID_ATA_SMART_ACCESS"), "none") && c->health_source != HEALTH_SOURCE_NONE) {
                c->health_source = HEALTH_SOURCE_NONE;
                free(c->unsupported_reason);
                c->unsupported_reason = strdup("SMART access disabled by udev (ID_ATA_SMART_ACCESS=none)");
                if (!c->unsupported_reason)
                        return -ENOMEM;
        }

        c->wwn = TAKE_PTR(wwn);
        if ((v = attr(d, "size")) && safe_atou64(v, &u) >= 0 && u <= UINT64_MAX / 512)
                c->capacity_bytes = u * 512;
        if ((v = attr(d, "queue/rotational")))
                c->rotational = streq(v, "1");

        if (ctrl) {
                c->controller_id = strdup(ctrl->id);
                if (!c->controller_id)
                        return -ENOMEM;
        }
        if (!ctrl && pci_ci && !c->controller_id) {
                /* No controller device between the disk and PCI (virtio-blk). */
                if (!(c->pci_id = strdup(pci_ci->id)) || !(c->pci_address = strdup(pci_ci->pci_address)))
                        return -ENOMEM;
        }

        r = ci_make_disk_id(c->wwn, c->model, c->serial, c->by_path, &c->id);
        if (r < 0)
                return r;
        /* multipath-tools' udev rules mark the paths it will claim. */
        if (streq_ptr(prop(d, "DM_MULTIPATH_DEVICE_PATH"), "1")) {
                r = ci_make_path_id(c);
                if (r < 0)
                        return r;
        }

        *ret_ctrl = TAKE_PTR(ctrl);
        *ret_pci = TAKE_PTR(pci_ci);
        return 0;
}

static int read_file_attr(const char *dir, const char *name, char **ret) {
        _cleanup_free_ char *p = path_join(dir, name);

        if (!p)
                return -ENOMEM;
        return read_one_line_file(p, ret);
}

/* The disk under a member device: a partition's parent disk, a dm
 * device's single slave (dm-flakey/dm-delay between md and the disk). */
static char *disk_under(struct udev *udev, const char *name, unsigned depth) {
        _cleanup_(udev_device_unrefp) struct udev_device *d = udev_device_new_from_subsystem_sysname(udev, "block", name);
        _cleanup_free_ char *slaves = NULL;
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;
        char *only = NULL;

        if (!d || depth > 8)
                return NULL;
        if (streq_ptr(udev_device_get_devtype(d), "partition")) {
                struct udev_device *p = udev_device_get_parent_with_subsystem_devtype(d, "block", "disk");
                return p ? strdup(udev_device_get_sysname(p)) : NULL;
        }
        if (!startswith(name, "dm-"))
                return strdup(name);
        slaves = path_join(udev_device_get_syspath(d), "slaves");
        if (!slaves || !(dir = opendir(slaves)))
                return NULL;
        while ((de = readdir(dir))) {
                if (de->d_name[0] == '.')
                        continue;
                if (only) /* several: not a single disk */
                        return mfree(only);
                only = strdup(de->d_name);
                if (!only)
                        return NULL;
        }
        if (!only)
                return NULL;
        {
                char *t = disk_under(udev, only, depth + 1);
                free(only);
                return t;
        }
}

static int cmp_member(const void *a, const void *b) {
        return strverscmp(((const ArrayMember *) a)->name, ((const ArrayMember *) b)->name);
}

static int read_md(struct udev_device *d, Ci *c) {
        _cleanup_free_ char *mddir = NULL;
        _cleanup_closedir_ DIR *dir = NULL;
        size_t allocated = 0;
        struct dirent *de;
        const char *v;

        c->transport = TRANSPORT_VIRTUAL;
        if (ci_set_md_values(c, &(MdArrayValues) {
                                 .level = attr(d, "md/level"),
                                 .array_state = attr(d, "md/array_state"),
                                 .sync_action = attr(d, "md/sync_action"),
                                 .raid_disks = attr(d, "md/raid_disks"),
                                 .degraded = attr(d, "md/degraded"),
                                 .size = attr(d, "size"),
                         }) < 0 ||
            set_trimmed(&c->alias, prop(d, "MD_DEVNAME")) < 0)
                return -ENOMEM;

        if ((v = prop(d, "MD_UUID")))
                c->id = ci_id_escape("md-", v, NULL);
        else
                c->id = ci_id_escape("md-", udev_device_get_sysname(d), NULL);
        if (!c->id)
                return -ENOMEM;
        if (set_trimmed(&c->wwn, prop(d, "MD_UUID")) < 0)
                return -ENOMEM;

        mddir = path_join(udev_device_get_syspath(d), "md");
        if (!mddir)
                return -ENOMEM;
        dir = opendir(mddir);
        if (!dir)
                return 0; /* an inactive array has no md/ entries to list */
        while ((de = readdir(dir))) {
                _cleanup_free_ char *sub = NULL, *state = NULL, *slot = NULL, *errors = NULL;
                const char *member = startswith(de->d_name, "dev-");
                ArrayMember *m;

                if (!member)
                        continue;
                if (GREEDY_REALLOC(c->members, allocated, c->n_members + 1) < 0)
                        return -ENOMEM;
                m = &c->members[c->n_members];
                *m = (ArrayMember) { .slot = -1 };
                sub = path_join(mddir, de->d_name);
                if (!sub || !(m->name = strdup(member)))
                        return -ENOMEM;
                c->n_members++;
                (void) read_file_attr(sub, "state", &state);
                (void) read_file_attr(sub, "slot", &slot);
                (void) read_file_attr(sub, "errors", &errors);
                if (array_member_set_md_values(m, state, slot, errors) < 0)
                        return -ENOMEM;
                m->disk_name = disk_under(udev_device_get_udev(d), member, 0);
        }
        if (c->n_members > 1)
                qsort(c->members, c->n_members, sizeof(ArrayMember), cmp_member);
        return 0;
}

static PathState path_state_from_device_state(const char *s) {
        if (!s)
                return PATH_STATE_UNKNOWN;
        if (streq(s, "running"))
                return PATH_STATE_ACTIVE;
        /* "offline", "transport-offline", "blocked", "quiesce", "cancel", "deleted" */
        return PATH_STATE_FAILED;
}

/* dm's own view of the map (DM_TABLE_STATUS): each path active or failed
 * and its fail count, whether I/O is queued now, the table's
 * queue_if_no_path.  Overrides the SCSI device states where it can be
 * read; without /dev/mapper/control (a recording, no dm) nothing changes.
 * The path a PATH_FAILED / PATH_REINSTATED event names (@event_path,
 * "major:minor") keeps the event's state: the status is read later and a
 * path that flaps may already be back (or down again), which would hide
 * the event that is being handled; the next event brings the next state.
 * Return: 0 (read or not), -ENOMEM. */
static int read_mpath_dm(struct udev *udev, Ci *c, const char *event_path) {
        _cleanup_free_ char *type = NULL, *params = NULL, *ttype = NULL, *tparams = NULL;
        DmMpathStatus st;
        bool q;
        int r;

        if (!c->alias)
                return 0;
        r = dm_target_status(DM_CONTROL_PATH, c->alias, false, &type, &params);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_debug_errno(r, "No dm status of '%s', path states from the SCSI devices: %m", c->alias);
                return 0;
        }
        if (!streq(type, "multipath") || dm_mpath_status_parse(params, &st) < 0) {
                log_debug("dm status of '%s' is not a multipath status we read ('%s %s'), ignoring.", c->alias, type,
                          params);
                return 0;
        }
        c->queueing = st.queue_io;
        for (size_t i = 0; i < c->n_paths; i++) {
                _cleanup_(udev_device_unrefp) struct udev_device *p =
                        udev_device_new_from_subsystem_sysname(udev, "block", c->paths[i].name);
                char majmin[32];
                dev_t n;

                if (!p)
                        continue;
                n = udev_device_get_devnum(p);
                snprintf(majmin, sizeof(majmin), "%u:%u", major(n), minor(n));
                for (size_t k = 0; k < st.n_paths; k++)
                        if (st.paths[k].major == major(n) && st.paths[k].minor == minor(n)) {
                                if (!streq_ptr(event_path, majmin))
                                        c->paths[i].state = st.paths[k].active ? PATH_STATE_ACTIVE : PATH_STATE_FAILED;
                                c->paths[i].fail_count = (int) MIN(st.paths[k].fail_count, (unsigned) INT_MAX);
                        }
        }
        r = dm_target_status(DM_CONTROL_PATH, c->alias, true, &ttype, &tparams);
        if (r == -ENOMEM)
                return r;
        if (r >= 0 && dm_mpath_table_queue_if_no_path(tparams, &q) >= 0)
                c->queue_if_no_path = q;
        return 0;
}

static int read_mpath(struct udev_device *d, const char *wwid, Ci *c) {
        struct udev *udev = udev_device_get_udev(d);
        _cleanup_free_ char *slaves = NULL;
        _cleanup_closedir_ DIR *dir = NULL;
        const char *action = prop(d, "DM_ACTION"), *dm_path = prop(d, "DM_PATH");
        size_t allocated = 0;
        unsigned failed = 0;
        struct dirent *de;
        const char *v;
        uint64_t u;
        int r;

        c->transport = TRANSPORT_VIRTUAL;
        c->id = ci_id_escape("mpath-", wwid, NULL);
        if (!c->id || set_trimmed(&c->wwn, wwid) < 0 || set_trimmed(&c->level, "multipath") < 0 ||
            set_trimmed(&c->alias, prop(d, "DM_NAME")) < 0 || set_trimmed(&c->alias, attr(d, "dm/name")) < 0)
                return -ENOMEM;
        if ((v = attr(d, "size")) && safe_atou64(v, &u) >= 0 && u <= UINT64_MAX / 512)
                c->capacity_bytes = u * 512;

        slaves = path_join(udev_device_get_syspath(d), "slaves");
        if (!slaves)
                return -ENOMEM;
        dir = opendir(slaves);
        while (dir && (de = readdir(dir))) {
                _cleanup_(udev_device_unrefp) struct udev_device *p = NULL;
                MultipathPath *mp;

                if (de->d_name[0] == '.')
                        continue;
                if (GREEDY_REALLOC(c->paths, allocated, c->n_paths + 1) < 0)
                        return -ENOMEM;
                mp = &c->paths[c->n_paths];
                *mp = (MultipathPath) { .fail_count = -1 };
                if (!(mp->name = strdup(de->d_name)))
                        return -ENOMEM;
                c->n_paths++;
                p = udev_device_new_from_subsystem_sysname(udev, "block", de->d_name);
                if (p) {
                        char majmin[32];

                        if (set_trimmed(&mp->device_state, attr(p, "device/state")) < 0)
                                return -ENOMEM;
                        mp->state = path_state_from_device_state(mp->device_state);
                        /* The kernel's last dm-multipath event on the map
                         * names one path: it overrides a "running" device. */
                        snprintf(majmin, sizeof(majmin), "%u:%u", major(udev_device_get_devnum(p)),
                                 minor(udev_device_get_devnum(p)));
                        if (dm_path && streq(dm_path, majmin) && streq_ptr(action, "PATH_FAILED"))
                                mp->state = PATH_STATE_FAILED;
                        if (dm_path && streq(dm_path, majmin) && streq_ptr(action, "PATH_REINSTATED"))
                                mp->state = PATH_STATE_ACTIVE;
                }
        }
        r = read_mpath_dm(udev, c,
                          streq_ptr(action, "PATH_FAILED") || streq_ptr(action, "PATH_REINSTATED") ? dm_path : NULL);
        if (r < 0)
                return r;
        failed = 0;
        for (size_t i = 0; i < c->n_paths; i++)
                if (c->paths[i].state != PATH_STATE_ACTIVE)
                        failed++;
        c->raid_disks = (unsigned) c->n_paths;
        c->degraded = failed;
        c->array_state = strdup(c->n_paths == 0 || failed == c->n_paths ? "failed" : failed > 0 ? "degraded" : "active");
        return c->array_state ? 0 : -ENOMEM;
}

static bool name_ignored(const InventoryFilter *filter, const char *name) {
        if (!filter)
                return false;
        STRV_FOREACH(p, filter->ignore_names)
                if (fnmatch(*p, name, 0) == 0)
                        return true;
        return false;
}

int ci_read_block(struct udev_device *d, const InventoryFilter *filter, Ci **ret_ci, Ci **ret_controller,
                  Ci **ret_pci, char **ret_ignored) {
        const char *name = udev_device_get_sysname(d), *v;
        _cleanup_(ci_freep) Ci *c = NULL, *ctrl = NULL, *pci = NULL;
        CiType type = CI_DISK;
        const char *mpath_wwid = NULL;
        int r;

        assert(d);
        assert(ret_ci);
        assert(ret_ignored);

        if (!streq_ptr(udev_device_get_devtype(d), "disk"))
                return IGNORED(ret_ignored, "not a whole disk");
        if (streq_ptr(prop(d, "STORGUARD_IGNORE"), "1"))
                return IGNORED(ret_ignored, "STORGUARD_IGNORE=1 set by a udev rule");
        if (name_ignored(filter, name))
                return IGNORED(ret_ignored, "matches IgnoreDevices= in the configuration");

        if (attr(d, "md/level") || (startswith(name, "md") && prop(d, "MD_LEVEL")))
                type = CI_ARRAY;
        else if (startswith(name, "dm-")) {
                v = prop(d, "DM_UUID") ?: attr(d, "dm/uuid");
                mpath_wwid = v ? startswith(v, "mpath-") : NULL;
                if (!mpath_wwid)
                        return IGNORED(ret_ignored, "device-mapper device that is not a multipath map");
                type = CI_MULTIPATH;
        }

        c = ci_new(type);
        if (!c)
                return -ENOMEM;
        if (!(c->name = strdup(name)) || !(c->syspath = strdup(udev_device_get_syspath(d))) ||
            set_trimmed(&c->devnode, udev_device_get_devnode(d)) < 0 ||
            set_trimmed(&c->by_path, prop(d, "ID_PATH")) < 0)
                return -ENOMEM;
        if (!c->by_path && type == CI_DISK) {
                struct udev_device *pcidev = ancestor(d, "pci", NULL);
                _cleanup_free_ char *below = NULL;

                /* Without udev's ID_PATH (no udevd running): the sysfs
                 * path below the PCI function, which is as stable. */
                if (path_below_anchor(d, pcidev, &below) >= 0 && !isempty(below) &&
                    asprintf(&c->by_path, "%s%s", pcidev ? "pci-" : "", below) < 0) {
                        c->by_path = NULL;
                        return -ENOMEM;
                }
        }

        switch (type) {
        case CI_ARRAY:
                r = read_md(d, c);
                break;
        case CI_MULTIPATH:
                r = read_mpath(d, mpath_wwid, c);
                break;
        default:
                r = read_disk(d, c, &ctrl, &pci, ret_ignored);
                break;
        }
        if (r < 0)
                return r;

        *ret_ci = TAKE_PTR(c);
        if (ret_controller)
                *ret_controller = TAKE_PTR(ctrl);
        if (ret_pci)
                *ret_pci = TAKE_PTR(pci);
        return 0;
}

static int merge(Inventory *inv, Ci *c, usec_t now, InventoryChangeFn cb, void *userdata, Ci **ret) {
        Ci *stored;
        int r;

        if (!c)
                return 0;
        r = inventory_update(inv, c, now, &stored);
        if (r < 0)
                return r;
        if (r != INVENTORY_UNCHANGED && cb)
                cb(stored, r, userdata);
        if (ret)
                *ret = stored;
        return 0;
}

static int add_block_device(Inventory *inv, struct udev_device *d, const InventoryFilter *filter, usec_t now,
                            InventoryChangeFn cb, void *userdata, Ci **ret) {
        _cleanup_free_ char *ignored = NULL;
        Ci *c = NULL, *ctrl = NULL, *pci = NULL;
        int r;

        r = ci_read_block(d, filter, &c, &ctrl, &pci, &ignored);
        if (r == -EADDRNOTAVAIL) {
                log_debug("Not watching '%s': %s.", udev_device_get_sysname(d), ignored);
                return 0;
        }
        if (r < 0)
                return r;
        /* PCI first, then controller, then disk: relationships point up. */
        r = merge(inv, pci, now, cb, userdata, NULL);
        if (r >= 0)
                r = merge(inv, ctrl, now, cb, userdata, NULL);
        else
                ci_free(ctrl);
        if (r >= 0)
                r = merge(inv, c, now, cb, userdata, ret);
        else
                ci_free(c);
        return r;
}

static int add_nvme_controller(Inventory *inv, struct udev_device *d, usec_t now, InventoryChangeFn cb,
                               void *userdata, Ci **ret) {
        Ci *ctrl = NULL, *pci = NULL;
        int r;

        r = read_nvme_ctrl(d, &ctrl, &pci);
        if (r < 0)
                return r;
        r = merge(inv, pci, now, cb, userdata, NULL);
        if (r < 0) {
                ci_free(ctrl);
                return r;
        }
        return merge(inv, ctrl, now, cb, userdata, ret);
}

int inventory_scan(Inventory *inv, struct udev *udev, const InventoryFilter *filter, usec_t now,
                   InventoryChangeFn cb, void *userdata) {
        _cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = NULL;
        _cleanup_(hashmap_freep) Hashmap *seen = NULL;
        struct udev_list_entry *le;
        _cleanup_free_ Ci **all = NULL;
        int r, n, present = 0;

        assert(inv);
        assert(udev);

        seen = hashmap_new();
        e = udev_enumerate_new(udev);
        if (!seen || !e)
                return -ENOMEM;
        if ((r = udev_enumerate_add_match_subsystem(e, "block")) < 0 ||
            (r = udev_enumerate_add_match_subsystem(e, "nvme")) < 0)
                return r;
        r = udev_enumerate_scan_devices(e);
        if (r < 0)
                return r;

        udev_list_entry_foreach(le, udev_enumerate_get_list_entry(e)) {
                _cleanup_(udev_device_unrefp) struct udev_device *d =
                        udev_device_new_from_syspath(udev, udev_list_entry_get_name(le));
                Ci *c = NULL;

                if (!d)
                        continue; /* gone between listing and reading */
                if (streq_ptr(udev_device_get_subsystem(d), "nvme"))
                        r = add_nvme_controller(inv, d, now, cb, userdata, &c);
                else
                        r = add_block_device(inv, d, filter, now, cb, userdata, &c);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        /* One device we cannot make sense of must not hide
                         * the others. */
                        log_warning_errno(r, "Cannot read '%s', leaving it out of the inventory: %m",
                                          udev_list_entry_get_name(le));
                        continue;
                }
                if (c) {
                        r = hashmap_replace(seen, c->id, c);
                        if (r < 0)
                                return r;
                        if (c->controller_id) {
                                Ci *x = inventory_get(inv, c->controller_id);
                                if (x && (r = hashmap_replace(seen, x->id, x)) < 0)
                                        return r;
                                if (x && x->pci_id && (x = inventory_get(inv, x->pci_id)) &&
                                    (r = hashmap_replace(seen, x->id, x)) < 0)
                                        return r;
                        }
                        if (c->pci_id) {
                                Ci *x = inventory_get(inv, c->pci_id);
                                if (x && (r = hashmap_replace(seen, x->id, x)) < 0)
                                        return r;
                        }
                }
        }

        /* Whatever was present before and was not found now is gone. */
        n = inventory_list(inv, &all);
        if (n < 0)
                return n;
        for (int i = 0; i < n; i++) {
                if (all[i]->state != CI_STATE_PRESENT)
                        continue;
                if (hashmap_get(seen, all[i]->id)) {
                        present++;
                        continue;
                }
                if (all[i]->syspath && inventory_mark_removed(inv, all[i]->syspath, now, NULL) == INVENTORY_REMOVED && cb)
                        cb(all[i], INVENTORY_REMOVED, userdata);
        }
        return present;
}

int inventory_handle_uevent(Inventory *inv, struct udev_device *d, const InventoryFilter *filter, usec_t now,
                            InventoryChangeFn cb, void *userdata) {
        const char *action = udev_device_get_action(d), *subsystem = udev_device_get_subsystem(d);
        Ci *c = NULL;

        if (!action || !subsystem)
                return 0;
        if (streq(action, "remove")) {
                if (inventory_mark_removed(inv, udev_device_get_syspath(d), now, &c) == INVENTORY_REMOVED && cb)
                        cb(c, INVENTORY_REMOVED, userdata);
                return 0;
        }
        if (streq(subsystem, "nvme"))
                return add_nvme_controller(inv, d, now, cb, userdata, NULL);
        if (streq(subsystem, "block"))
                return add_block_device(inv, d, filter, now, cb, userdata, NULL);
        return 0;
}

int inventory_refresh(Inventory *inv, struct udev *udev, CiType type, char *const *names,
                      const InventoryFilter *filter, usec_t now, InventoryChangeFn cb, void *userdata) {
        _cleanup_free_ Ci **l = NULL;
        int n, r, ret = 0;

        n = inventory_list(inv, &l);
        if (n < 0)
                return n;
        for (int i = 0; i < n; i++) {
                _cleanup_(udev_device_unrefp) struct udev_device *d = NULL;

                if (l[i]->type != type || l[i]->state != CI_STATE_PRESENT || !l[i]->syspath ||
                    (names && !strv_contains(names, l[i]->name)))
                        continue;
                d = udev_device_new_from_syspath(udev, l[i]->syspath);
                if (!d) {
                        /* Gone without a remove event. */
                        if (inventory_mark_removed(inv, l[i]->syspath, now, NULL) == INVENTORY_REMOVED && cb)
                                cb(l[i], INVENTORY_REMOVED, userdata);
                        continue;
                }
                r = add_block_device(inv, d, filter, now, cb, userdata, NULL);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}
