/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * From evidence to incidents, on the Manager's event loop:
 *
 *   /dev/kmsg ──> kmsg reader ─┐
 *   md / multipath state ──────┼──> diagnosis ──> faults ──> incident manager ──> store (+ outbox)
 *   (inventory changes)        ┘        ^ timer
 *
 * Also: array back to optimal marks the lifecycle of its incidents.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "alloc-util.h"
#include "evidence-state.h"
#include "fileio.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "md/mdstat.h"
#include "manager.h"
#include "message-ids.h"
#include "report-journal.h"
#include "paths.h"
#include "string-util.h"

#define KMSG_BATCH 4096 /* records per wakeup, so one storm cannot starve the loop */

/* --- topology for diagnosis ---------------------------------------------- */

static const char *keep(Manager *m, unsigned slot, const char *s) {
        if (!s)
                return NULL;
        snprintf(m->lookup_buf[slot], sizeof(m->lookup_buf[slot]), "%s", s);
        return m->lookup_buf[slot];
}

Ci *manager_find_container(Manager *m, const char *name, CiType type) {
        return inventory_find_container(m->inventory, name, type);
}

Incident *manager_controller_incident(Manager *m, const Ci *disk) {
        char key[256];

        if (!disk->controller_id || !m->incidents)
                return NULL;
        snprintf(key, sizeof(key), "%s:%s", fault_class_to_string(FAULT_CONTROLLER), disk->controller_id);
        return incident_manager_find_active(m->incidents, key);
}

/* "ata3" names the libata port: the controller whose id ends in it, and
 * the disk behind it. */
static Ci *find_ata_port(Manager *m, const char *port) {
        _cleanup_free_ Ci **l = NULL;
        Ci *ctrl = NULL;
        int n = inventory_list_unsorted(m->inventory, &l); /* per record: no sort */
        char suffix[64];

        snprintf(suffix, sizeof(suffix), "-%s", port);
        for (int i = 0; i < n && !ctrl; i++)
                if (l[i]->type == CI_CONTROLLER && l[i]->state == CI_STATE_PRESENT && endswith(l[i]->id, suffix))
                        ctrl = l[i];
        if (!ctrl)
                return NULL;
        for (int i = 0; i < n; i++)
                if (l[i]->type == CI_DISK && l[i]->state == CI_STATE_PRESENT && streq_ptr(l[i]->controller_id, ctrl->id))
                        return l[i];
        return ctrl;
}

static Ci *find_devnum(Manager *m, const char *device) {
        unsigned maj, min;
        struct udev_device *d;
        Ci *c = NULL;
        char tail;

        if (!m->udev || sscanf(device, "%u:%u%c", &maj, &min, &tail) != 2)
                return NULL;
        d = udev_device_new_from_devnum(m->udev, 'b', makedev(maj, min));
        if (!d)
                return NULL;
        c = inventory_get_by_name(m->inventory, udev_device_get_sysname(d));
        udev_device_unref(d);
        return c;
}

/* "2:0:0:0": the kernel log names a SCSI device by its address when no
 * disk name is at hand (sdev_printk(): "rejecting I/O to offline device",
 * "Device offlined ...").  Its disk is the one under the device's block/
 * directory in sysfs. */
static Ci *find_scsi_address(Manager *m, const char *device) {
        _cleanup_closedir_ DIR *dir = NULL;
        _cleanup_free_ char *p = NULL;
        struct udev_device *d;
        unsigned h, c, t, l;
        struct dirent *de;
        char tail;

        if (!m->udev || sscanf(device, "%u:%u:%u:%u%c", &h, &c, &t, &l, &tail) != 4)
                return NULL;
        d = udev_device_new_from_subsystem_sysname(m->udev, "scsi", device);
        if (!d)
                return NULL;
        p = path_join(udev_device_get_syspath(d), "block");
        udev_device_unref(d);
        dir = p ? opendir(p) : NULL;
        while (dir && (de = readdir(dir)))
                if (de->d_name[0] != '.')
                        return inventory_get_by_name(m->inventory, de->d_name);
        return NULL;
}

int manager_diag_lookup(void *userdata, const char *device, DiagNode *ret) {
        Manager *m = userdata;
        Ci *c, *array, *map;

        c = inventory_get_by_name(m->inventory, device);
        if (!c && startswith(device, "ata"))
                c = find_ata_port(m, device);
        if (!c)
                c = find_devnum(m, device);
        if (!c)
                c = find_scsi_address(m, device);
        if (!c)
                return -ENOENT;

        array = c->type == CI_DISK ? manager_find_container(m, c->name, CI_ARRAY) : NULL;
        map = c->type == CI_DISK ? manager_find_container(m, c->name, CI_MULTIPATH) : NULL;
        *ret = (DiagNode) {
                .ci_id = keep(m, 0, c->id),
                .type = c->type,
                .name = keep(m, 1, c->name),
                .controller_id = keep(m, 2, c->controller_id),
                .array_id = array ? keep(m, 3, array->id) : NULL,
                .map_id = map && !array ? keep(m, 3, map->id) : NULL,
                .offlined_by_us = c->type == CI_DISK && manager_offlined_itself(m, c->id),
        };
        return 0;
}

/* --- faults to incidents ------------------------------------------------- */

static json_object *ci_identity(Manager *m, const Ci *c) {
        json_object *o = json_object_new_object();
        const Ci *ctrl = c->type == CI_DISK ? inventory_controller_of(m->inventory, c) : NULL;
        Ci *array = c->type == CI_DISK ? manager_find_container(m, c->name, CI_ARRAY) : NULL;
        Ci *map = c->type == CI_DISK ? manager_find_container(m, c->name, CI_MULTIPATH) : NULL;
        const struct {
                const char *key, *value;
        } fields[] = {
                { "id", c->id },           { "type", ci_type_to_string(c->type) },
                { "name", c->name },       { "vendor", c->vendor },
                { "model", c->model },     { "serial", c->serial },
                { "wwn", c->wwn },         { "firmware", c->firmware },
                { "slot", c->by_path },    { "transport", transport_to_string(c->transport) },
                { "controller_id", c->controller_id ?: (c->type == CI_CONTROLLER ? c->id : NULL) },
                { "pci_address", ctrl ? ctrl->pci_address : c->pci_address },
                { "driver", ctrl ? ctrl->driver : c->driver },
                { "array_id", array ? array->id : NULL },
                { "array", array ? array->name : NULL },
                { "map_id", map ? map->id : NULL },
        };

        if (!o)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if (fields[i].value && json_object_object_add(o, fields[i].key, json_object_new_string(fields[i].value)) < 0) {
                        json_object_put(o);
                        return NULL;
                }
        return o;
}

static json_object *evidence_json(const Fault *f) {
        json_object *a = json_object_new_array();

        if (!a)
                return NULL;
        for (size_t k = 0; k < f->n_evidence; k++) {
                const Ereport *e = &f->evidence[k];
                json_object *o = json_object_new_object();

                if (!o || json_object_array_add(a, o) < 0) {
                        json_object_put(o);
                        break;
                }
                json_object_object_add(o, "class", json_object_new_string(strempty(ereport_class_to_string(e->class))));
                json_object_object_add(o, "device", json_object_new_string(e->device));
                json_object_object_add(o, "time_usec", json_object_new_uint64(e->time_usec));
                json_object_object_add(o, "source", json_object_new_string(e->source));
                if (e->sense_key != EREPORT_SENSE_NONE) {
                        char sense[32];
                        snprintf(sense, sizeof(sense), "%02x/%02x/%02x", e->sense_key, e->asc, e->ascq);
                        json_object_object_add(o, "sense", json_object_new_string(sense));
                }
                if (e->lba != EREPORT_LBA_NONE)
                        json_object_object_add(o, "lba", json_object_new_uint64(e->lba));
                if (e->raw[0])
                        json_object_object_add(o, "raw", json_object_new_string(e->raw));
        }
        return a;
}

static void classify(Manager *m, const Fault *f, const Ci *c, IncidentInput *in) {
        Ci *array = c && c->type == CI_DISK ? manager_find_container(m, c->name, CI_ARRAY) : NULL;
        Ci *map = c && c->type == CI_DISK ? manager_find_container(m, c->name, CI_MULTIPATH) : NULL;

        in->category = INCIDENT_CATEGORY_DISK;
        in->urgency = URGENCY_MEDIUM;
        in->impact = IMPACT_DEGRADED;
        switch (f->class) {
        case FAULT_DISK_FAILED:
        case FAULT_DISK_OFFLINE:
                in->urgency = URGENCY_HIGH;
                if (array)
                        in->impact = streq_ptr(array->array_state, "inactive") || streq_ptr(array->array_state, "broken")
                                             ? IMPACT_SERVICE_DOWN : IMPACT_REDUNDANCY_LOST;
                else
                        in->impact = map ? IMPACT_REDUNDANCY_LOST : IMPACT_SERVICE_DOWN;
                break;
        case FAULT_DISK_MEDIA:
                in->urgency = URGENCY_HIGH;
                break;
        case FAULT_DISK_PRECURSORS:
        case FAULT_DISK_SMART_HISTORY:
                in->impact = IMPACT_NONE_YET;
                in->urgency = URGENCY_LOW;
                break;
        case FAULT_CONTROLLER:
                /* Every disk behind it is at risk, mirrors included: the
                 * redundancy the arrays count on is gone. */
                in->category = INCIDENT_CATEGORY_CONTROLLER;
                in->impact = IMPACT_REDUNDANCY_LOST;
                in->urgency = URGENCY_HIGH;
                break;
        case FAULT_PATH_FAILED:
                in->category = INCIDENT_CATEGORY_PATH;
                in->impact = map && map->degraded >= map->raid_disks ? IMPACT_SERVICE_DOWN : IMPACT_REDUNDANCY_LOST;
                break;
        case FAULT_PATH_FLAPPING:
                in->category = INCIDENT_CATEGORY_PATH;
                break;
        default:
                break;
        }
        /* A disk fault on the last copy of the data: the array has no
         * redundancy left, so its errors are the service's. */
        if (array && array->degraded > 0 &&
            (f->class == FAULT_DISK_MEDIA || f->class == FAULT_DISK_FAILED || f->class == FAULT_DISK_OFFLINE ||
             f->class == FAULT_DISK_TRANSPORT)) {
                bool last = true;

                for (size_t k = 0; k < array->n_members; k++)
                        if (array->members[k].role == MEMBER_ROLE_ACTIVE &&
                            !streq_ptr(array->members[k].disk_name, c->name))
                                last = false;
                if (last) {
                        in->impact = IMPACT_SERVICE_DOWN;
                        in->urgency = URGENCY_HIGH;
                }
        }
        if (f->known_error_id[0])
                in->category = INCIDENT_CATEGORY_KNOWN_ERROR;
        /* Arrays count their spares; a spare makes lost redundancy less urgent. */
        in->spare_available = false;
        if (array)
                for (size_t k = 0; k < array->n_members; k++)
                        if (array->members[k].role == MEMBER_ROLE_SPARE)
                                in->spare_available = true;
}

static const char *fault_title(FaultClass c) {
        switch (c) {
        case FAULT_DISK_FAILED:
                return "failed";
        case FAULT_DISK_OFFLINE:
                return "taken offline by the kernel";
        case FAULT_DISK_MEDIA:
                return "unrecovered media errors";
        case FAULT_DISK_TRANSPORT:
                return "repeated timeouts and resets";
        case FAULT_DISK_LINK:
                return "repeated link resets";
        case FAULT_DISK_PRECURSORS:
                return "rising rate of recovered errors and retries";
        case FAULT_DISK_FAIL_SLOW:
                return "much slower than its peers";
        case FAULT_DISK_SMART_HISTORY:
                return "SMART history warrants a warning: ";
        case FAULT_CONTROLLER:
                return "errors on several disks behind it: suspect the controller or its path";
        case FAULT_PATH_FAILED:
                return "path failed";
        case FAULT_PATH_FLAPPING:
                return "path flapping";
        default:
                return "fault";
        }
}

static void on_fault(const Fault *f, void *userdata) {
        Manager *m = userdata;
        Ci *c = inventory_get(m->inventory, f->suspect);
        _cleanup_free_ char *model = c && c->model ? strdup_printable(c->model, 64) : NULL;
        _cleanup_free_ char *serial = c && c->serial ? strdup_printable(c->serial, 64) : NULL;
        char key[256], title[512];
        json_object *ci = c ? ci_identity(m, c) : NULL, *evidence = evidence_json(f);
        IncidentInput in = {};
        Incident *i = NULL, *ctrl = NULL;
        usec_t t = now(CLOCK_REALTIME);
        const char *health_reason = NULL, *detail;
        int r;

        /* A device that predicts its own failure says why: that reason
         * (decoded by its driver) is the title, not "media errors". */
        for (size_t k = 0; k < f->n_evidence && !health_reason; k++)
                switch (f->evidence[k].class) {
                case EREPORT_SCSI_PREDICTIVE_FAILURE:
                case EREPORT_ATA_SMART_FAILING:
                case EREPORT_NVME_CRITICAL_WARNING:
                case EREPORT_HEALTH_FAILING:
                        if (f->evidence[k].raw[0])
                                health_reason = f->evidence[k].raw;
                        break;
                default:
                        break;
                }
        /* The ATA policy's warning is titled with its reason. */
        detail = health_reason ?: f->class == FAULT_DISK_SMART_HISTORY ? f->reason : NULL;
        /* A disk fault raised while its controller's incident is active
         * (an md member failed in the middle of the cascade) is tied to it. */
        if (c && c->type == CI_DISK)
                ctrl = manager_controller_incident(m, c);
        snprintf(key, sizeof(key), "%s:%s", strempty(fault_class_to_string(f->class)), f->suspect);
        snprintf(title, sizeof(title), "%s %s%s%s%s%s%s: %s%s", ci_type_to_string(f->suspect_type),
                 c && c->name ? c->name : f->suspect_name[0] ? f->suspect_name : f->suspect, model || serial ? " (" : "", strempty(model),
                 model && serial ? ", serial " : (serial ? "serial " : ""), strempty(serial), model || serial ? ")" : "",
                 health_reason ? "predicts its own failure: " : fault_title(f->class), strempty(detail));
        title[0] = (char) toupper((unsigned char) title[0]);

        in = (IncidentInput) {
                .dedup_key = key,
                .title = title,
                .description = f->reason,
                .ci_id = f->suspect,
                .ci = ci,
                .confidence_percent = f->confidence_pct,
                .known_error_id = f->known_error_id[0] ? f->known_error_id : NULL,
                .evidence = evidence,
                .occurrences = MAX(f->n_evidence_total, (uint64_t) 1),
                .precursors = f->class == FAULT_DISK_PRECURSORS ? f->n_evidence_total : 0,
                .workaround = fault_action_to_string(f->action),
                .related_id = ctrl ? ctrl->id : NULL,
        };
        classify(m, f, c, &in);

        r = incident_manager_report(m->incidents, &in, t, &i);
        json_object_put(ci);
        json_object_put(evidence);
        if (r < 0) {
                log_error_errno(r, "Failed to record incident for fault '%s' on '%s': %m", key, f->suspect);
                return;
        }
        report_journal_incident(i->priority <= 2 ? LOG_CRIT : LOG_WARNING, i, r > 0 ? "raised" : "updated",
                                "Incident %s %s (priority %u%s): %s — %s", i->id, r > 0 ? "raised" : "updated",
                                i->priority, i->major ? ", major" : "", i->title, f->reason);

        /* The incident is in the store: save the engines that raised it
         * soon, so a crash does not replay the evidence into it again. */
        m->state_urgent = true;

        manager_respond(m, f, i);

        /* Disk incidents that this controller fault explains point to it. */
        for (size_t k = 0; k < f->n_symptoms; k++)
                for (int fc = 0; fc < _FAULT_CLASS_MAX; fc++) {
                        char sk[256];
                        Incident *s;

                        snprintf(sk, sizeof(sk), "%s:%s", fault_class_to_string(fc), f->symptoms[k]);
                        s = incident_manager_find_active(m->incidents, sk);
                        if (s && s != i)
                                (void) incident_manager_link(m->incidents, s->id, i->id, t);
                }
}

void manager_raise_fault(Manager *m, const Fault *f) {
        on_fault(f, m);
}

static void arm_diagnosis_timer(Manager *m);

void manager_feed(const Ereport *e, void *userdata) {
        Manager *m = userdata;
        int r;

        m->ereports_seen++;
        if (!m->diagnosis)
                return;
        r = diagnosis_feed(m->diagnosis, e, now(CLOCK_REALTIME));
        manager_state_changed(m);
        /* Known errors matched by a failure signature (Evidence=). */
        if (m->known_errors.n > 0 && known_error_db_wants(&m->known_errors, e->class)) {
                DiagNode dn;
                if (manager_diag_lookup(m, e->device, &dn) >= 0 && dn.ci_id)
                        manager_known_errors_evidence(m, dn.ci_id, e->class);
        }
        if (r < 0 && r != -ENOENT)
                log_warning_errno(r, "Failed to diagnose '%s' on '%s', ignoring: %m",
                                  strempty(ereport_class_to_string(e->class)), e->device);
        /* A fault may now be held back until a deadline. */
        arm_diagnosis_timer(m);
}

void manager_incident_resolved(Manager *m, const Incident *i) {
        if (!m->diagnosis || !i->ci_id)
                return;
        diagnosis_clear(m->diagnosis, i->ci_id);
        manager_state_changed(m);
}

/* --- the diagnosis timer ------------------------------------------------- */

static void arm_diagnosis_timer(Manager *m) {
        usec_t next;

        if (!m->diagnosis_timer)
                return;
        next = diagnosis_next_deadline(m->diagnosis);
        if (next == USEC_INFINITY) {
                (void) sd_event_source_set_enabled(m->diagnosis_timer, SD_EVENT_OFF);
                return;
        }
        if (sd_event_source_set_time(m->diagnosis_timer, next) < 0 ||
            sd_event_source_set_enabled(m->diagnosis_timer, SD_EVENT_ONESHOT) < 0)
                log_warning("Failed to arm the diagnosis timer, ignoring.");
}

static int on_diagnosis_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        (void) diagnosis_tick(m->diagnosis, now(CLOCK_REALTIME));
        manager_state_changed(m);
        arm_diagnosis_timer(m);
        return 0;
}

/* --- the state kept across restarts (evidence-state.h) ------------------ */

int manager_state_save(Manager *m) {
        _cleanup_free_ char *failslow = NULL;
        int r;

        if (!m->store || !m->diagnosis)
                return 0;
        r = manager_latency_snapshot(m, &failslow);
        if (r >= 0)
                r = evidence_state_save(m->store, m->diagnosis, m->boot_id, m->kmsg ? &m->kmsg_cursor : NULL, failslow);
        if (r < 0) {
                if (!m->state_failing)
                        log_error_errno(r, "Failed to save the diagnosis state and kernel log cursor to '%s', "
                                        "retrying; evidence since the last save is re-read after a restart: %m",
                                        store_path(m->store));
                m->state_failing = true;
                manager_state_changed(m);
                return r;
        }
        if (m->state_failing)
                log_info("Saving the diagnosis state to '%s' works again.", store_path(m->store));
        m->state_failing = false;
        m->state_dirty = m->state_urgent = false;
        return 0;
}

static int on_state_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        m->state_dirty = false; /* manager_state_save() re-arms on failure */
        (void) manager_state_save(m);
        return 0;
}

void manager_state_changed(Manager *m) {
        /* Once per save interval, not per ereport: a flag, and the timer
         * armed only by the first change after a save. */
        if (m->state_dirty || !m->state_timer)
                return;
        m->state_dirty = true;
        if (sd_event_source_set_time_relative(m->state_timer, EVIDENCE_STATE_SAVE_USEC) < 0 ||
            sd_event_source_set_enabled(m->state_timer, SD_EVENT_ONESHOT) < 0)
                log_warning("Failed to arm the diagnosis state timer; the state is saved at stop only.");
}

/* --- the kernel log ------------------------------------------------------ */

static int cursor_get(void *userdata, KmsgCursor *ret) {
        Manager *m = userdata;

        return evidence_cursor_load(m->store, ret);
}

/* The reader's cursor after each batch: kept here and saved with the
 * diagnosis snapshot, never alone (evidence-state.h says why). */
static int cursor_set(void *userdata, const KmsgCursor *c) {
        Manager *m = userdata;

        m->kmsg_cursor = *c;
        manager_state_changed(m);
        return 0;
}

static int on_kmsg(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        int r;

        r = kmsg_reader_dispatch(m->kmsg, KMSG_BATCH, manager_feed, m);
        if (r < 0 && r != -EAGAIN)
                log_warning_errno(r, "Failed to read the kernel log, ignoring: %m");
        if (m->state_urgent)
                (void) manager_state_save(m);
        /* A replay FIFO's reader may hold records that EPOLLIN will not
         * announce: come back for them after the other sources had a turn. */
        if (m->kmsg_pending && kmsg_dev_pending(&m->kmsg_dev))
                (void) sd_event_source_set_enabled(m->kmsg_pending, SD_EVENT_ONESHOT);
        arm_diagnosis_timer(m);
        return 0;
}

static int on_kmsg_pending(sd_event_source *s, void *userdata) {
        Manager *m = userdata;

        return on_kmsg(m->kmsg_source, kmsg_dev_fd(&m->kmsg_dev), EPOLLIN, m);
}

static int start_kmsg(Manager *m) {
        static const KmsgCursorStore cursor_ops = { .get = cursor_get, .set = cursor_set };
        KmsgCursorStore cursor = cursor_ops;
        int r;

        if (!m->config.kernel_log) {
                log_info("Not reading the kernel log (KernelLog= is empty).");
                return 0;
        }
        cursor.userdata = m;
        m->kmsg_dev = (KmsgDev) { .path = m->config.kernel_log, .boot_id_path = BOOT_ID_PATH, .fd = -EBADF };
        r = kmsg_reader_new(&kmsg_dev_ops, &m->kmsg_dev, &cursor, &m->kmsg);
        if (r < 0)
                return log_warning_errno(r, "Cannot read the kernel log '%s', going on without it: %m",
                                         m->config.kernel_log);
        r = sd_event_add_io(m->event, &m->kmsg_source, kmsg_dev_fd(&m->kmsg_dev), EPOLLIN, on_kmsg, m);
        if (r < 0)
                return log_warning_errno(r, "Cannot watch the kernel log, going on without it: %m");
        (void) sd_event_source_set_description(m->kmsg_source, "kmsg");
        r = sd_event_add_defer(m->event, &m->kmsg_pending, on_kmsg_pending, m);
        if (r < 0)
                return log_warning_errno(r, "Cannot watch the kernel log, going on without it: %m");
        (void) sd_event_source_set_enabled(m->kmsg_pending, SD_EVENT_OFF);
        /* What is already there: handled now (the cursor skips what was
         * handled before a restart). */
        (void) on_kmsg(m->kmsg_source, kmsg_dev_fd(&m->kmsg_dev), EPOLLIN, m);
        return 0;
}

/* --- array and path states ---------------------------------------------- */

/* What an array's or map's members looked like when last seen. */
typedef struct MemberStates {
        char *id;     /* the CI id; the hash key */
        char *states; /* "sdb=active sdc=faulty degraded=1" */
} MemberStates;

static void member_states_free(MemberStates *e) {
        if (!e)
                return;
        free(e->id);
        free(e->states);
        free(e);
}

static char *member_state_string(const Ci *c) {
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);

        if (!f)
                return NULL;
        for (size_t k = 0; k < c->n_members; k++)
                fprintf(f, "%s=%s ", c->members[k].name, member_role_to_string(c->members[k].role));
        for (size_t k = 0; k < c->n_paths; k++)
                fprintf(f, "%s=%s ", c->paths[k].name, path_state_to_string(c->paths[k].state));
        fprintf(f, "degraded=%u", c->degraded);
        if (fclose(f) != 0)
                return mfree(s);
        return s;
}

/* The role of name in a state string, or NULL. */
static bool had_role(const char *states, const char *name, const char *role) {
        char want[128];

        if (!states)
                return false;
        snprintf(want, sizeof(want), "%s=%s ", name, role);
        return strstr(states, want) == states || (strstr(states, want) && strstr(states, want)[-1] == ' ');
}

static void emit_state(Manager *m, EreportClass class, const char *device, const Ci *container, const char *what) {
        Ereport e;
        char raw[EREPORT_RAW_MAX];

        ereport_init(&e, class, container->type == CI_ARRAY ? "md" : "multipath", device, now(CLOCK_REALTIME));
        snprintf(raw, sizeof(raw), "%s %s: %s %s", ci_type_to_string(container->type), container->name, device, what);
        ereport_set_raw(&e, raw, strlen(raw));
        log_notice("%s", raw);
        manager_feed(&e, m);
}

static void array_restored(Manager *m, Ci *array) {
        _cleanup_free_ Incident **l = NULL;
        usec_t t = now(CLOCK_REALTIME);
        int n = incident_manager_list(m->incidents, &l);

        for (int k = 0; k < n; k++) {
                Incident *i = l[k];
                json_object *v;

                if (i->status != INCIDENT_OPEN && i->status != INCIDENT_MITIGATED)
                        continue;
                if (!i->ci || !json_object_object_get_ex(i->ci, "array_id", &v) ||
                    !streq_ptr(json_object_get_string(v), array->id))
                        continue;
                /* The failed member is gone and the array is whole again:
                 * replaced, resynced, serving normally. */
                (void) incident_manager_mark_stage(m->incidents, i->id, STAGE_REPAIRED, t);
                (void) incident_manager_mark_stage(m->incidents, i->id, STAGE_RECOVERED, t);
                (void) incident_manager_mark_stage(m->incidents, i->id, STAGE_RESTORED, t);
                (void) incident_manager_set_status(m->incidents, i->id, INCIDENT_RESOLVED,
                                                   "array optimal again", t);
        }
        if (m->diagnosis) {
                for (size_t k = 0; k < array->n_members; k++) {
                        Ci *d = inventory_disk_of_name(m->inventory, array->members[k].disk_name);
                        if (d)
                                diagnosis_clear(m->diagnosis, d->id);
                }
                manager_state_changed(m);
        }
}

/* Members that turned faulty and paths that failed or came back since
 * before (a state string; NULL: never seen, so every faulty member and
 * failed path is news). */
static void emit_member_changes(Manager *m, const Ci *c, const char *before) {
        for (size_t k = 0; k < c->n_members; k++) {
                const ArrayMember *a = &c->members[k];
                if (a->role == MEMBER_ROLE_FAULTY && !had_role(before, a->name, "faulty"))
                        emit_state(m, EREPORT_MD_MEMBER_FAULTY, a->disk_name ?: a->name, c, "member faulty");
        }
        for (size_t k = 0; k < c->n_paths; k++) {
                const MultipathPath *p = &c->paths[k];
                if (p->state == PATH_STATE_FAILED && !had_role(before, p->name, "failed"))
                        emit_state(m, EREPORT_MPATH_PATH_FAILED, p->name, c, "path failed");
                else if (p->state == PATH_STATE_ACTIVE && had_role(before, p->name, "failed"))
                        emit_state(m, EREPORT_MPATH_PATH_REINSTATED, p->name, c, "path reinstated");
        }
}

void manager_evidence_initial_states(Manager *m) {
        _cleanup_free_ Ci **l = NULL;
        int n = inventory_list_unsorted(m->inventory, &l);

        if (n < 0) {
                log_warning_errno(n, "Cannot list the inventory for faulty members present at start, ignoring: %m");
                return;
        }
        /* A member md failed, or a path that failed, while storguard was
         * not running (first start, or a restart) is still a fault: the
         * incident store turns a repeat into an update, not a new one. */
        for (int k = 0; k < n; k++)
                if (l[k]->type == CI_ARRAY || l[k]->type == CI_MULTIPATH)
                        emit_member_changes(m, l[k], NULL);
        arm_diagnosis_timer(m);
}

void manager_inventory_changed(Manager *m, Ci *c, InventoryChange change) {
        _cleanup_free_ char *now_states = NULL;
        char *before;

        if ((c->type != CI_ARRAY && c->type != CI_MULTIPATH) || !m->member_states)
                return;
        now_states = member_state_string(c);
        if (!now_states)
                return;
        {
                MemberStates *e = hashmap_get(m->member_states, c->id);
                before = e ? e->states : NULL;
        }

        if (m->startup_done && before && change != INVENTORY_REMOVED) {
                emit_member_changes(m, c, before);
                if (c->type == CI_ARRAY && c->degraded == 0 && !strstr(before, "degraded=0"))
                        array_restored(m, c);
                arm_diagnosis_timer(m);
        }

        {
                MemberStates *e = hashmap_get(m->member_states, c->id);

                if (!e) {
                        e = new0(MemberStates, 1);
                        if (!e || !(e->id = strdup(c->id)) || hashmap_put(m->member_states, e->id, e) < 0) {
                                member_states_free(e);
                                return;
                        }
                }
                free(e->states);
                e->states = TAKE_PTR(now_states);
        }
}

/* --- md events -------------------------------------------------------------
 * md wakes pollers of /proc/mdstat with POLLPRI on every array event (a
 * member failed, recovery started or finished: md_new_event() in
 * drivers/md/md.c); reading the file re-arms it.  md sends no uevent for a
 * failed member, so this is how it is noticed at once. */

#define MDSTAT_MAX ((size_t) 4 * 1024 * 1024) /* bytes; thousands of arrays fit */

/* Read /proc/mdstat from its start (which re-arms the POLLPRI wake-up) and
 * keep it.  Return: the arrays whose entries changed since the last read
 * (*ret_changed NULL: unknown, re-read all), or -errno. */
static int mdstat_reread(Manager *m, char ***ret_changed) {
        _cleanup_free_ char *text = NULL;
        _cleanup_strv_free_ char **changed = NULL;
        int r;

        if (lseek(m->mdstat_fd, 0, SEEK_SET) < 0)
                return -errno;
        r = read_full_fd(m->mdstat_fd, MDSTAT_MAX, &text, NULL);
        if (r < 0)
                return r;
        r = mdstat_changed(m->mdstat_text, text, &changed);
        if (r < 0)
                return r;
        free(m->mdstat_text);
        m->mdstat_text = TAKE_PTR(text);
        *ret_changed = TAKE_PTR(changed);
        return r;
}

static int on_mdstat(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        InventoryFilter filter = { .ignore_names = m->config.ignore_devices };
        _cleanup_strv_free_ char **changed = NULL;
        usec_t t0 = now(CLOCK_MONOTONIC);
        int r;

        /* Only the arrays whose entries changed: the one whose member
         * failed, not all of them.  Not all of an array's state shows in
         * /proc/mdstat (array_state "broken" does not): a wake-up with no
         * entry changed, or no text, re-reads every array. */
        r = mdstat_reread(m, &changed);
        if (r < 0)
                log_warning_errno(r, "Failed to read '%s', re-reading every md array: %m", MDSTAT_PATH);
        if (r <= 0)
                changed = strv_free(changed);
        r = inventory_refresh(m->inventory, m->udev, CI_ARRAY, changed, &filter, now(CLOCK_REALTIME),
                              manager_ci_changed, m);
        if (r < 0)
                log_warning_errno(r, "Failed to re-read md arrays, ignoring: %m");
        /* In microseconds: tests/vmlab/scenarios/91-bench-latency reads it. */
        log_debug("md event: re-read %zu array(s)%s%s in %lluus.", changed ? strv_length(changed) : 0,
                  changed ? ", the first " : " (all)", changed ? changed[0] : "",
                  (unsigned long long) (now(CLOCK_MONOTONIC) - t0));
        return 0;
}

static void start_mdstat(Manager *m) {
        _cleanup_strv_free_ char **changed = NULL;
        int r;

        m->mdstat_fd = open(MDSTAT_PATH, O_RDONLY | O_CLOEXEC);
        if (m->mdstat_fd < 0) {
                log_debug_errno(errno, "No '%s' (no md in this kernel?), md events come from polling only: %m",
                                MDSTAT_PATH);
                return;
        }
        r = mdstat_reread(m, &changed);
        if (r < 0)
                log_warning_errno(r, "Failed to read '%s', ignoring: %m", MDSTAT_PATH);
        r = sd_event_add_io(m->event, &m->mdstat_source, m->mdstat_fd, EPOLLPRI, on_mdstat, m);
        if (r < 0)
                log_warning_errno(r, "Cannot watch '%s', md events come from polling only: %m", MDSTAT_PATH);
        else
                (void) sd_event_source_set_description(m->mdstat_source, "mdstat");
}

/* --- start and stop ------------------------------------------------------ */

/* The notifications of an incident change, written in its transaction. */
static int on_incident_enqueue(Store *s, const Incident *i, uint64_t seq, const char *event_type, usec_t now,
                               void *userdata) {
        Manager *m = userdata;

        if (!m->webhook)
                return 0;
        return webhook_enqueue_hook(s, i, seq, event_type, now, m->webhook);
}

/* After each incident change: the journal, then D-Bus. */
static void on_incident_changed(const Incident *i, const char *event_type, void *userdata) {
        Manager *m = userdata;

        report_journal_incident_changed(i, event_type, userdata);
        bus_incident_changed(m, i, event_type);
        /* Refused by the store (full, read-only): written again later. */
        if (m->incidents && incident_manager_unsaved(m->incidents) > 0 &&
            !(m->store_retry_source && sd_event_source_get_enabled(m->store_retry_source, NULL) > 0))
                manager_store_retry_arm(m);
}

static int open_store(Manager *m) {
        bool recreated = false;
        int r;

        if (mkdir(m->config.state_directory, 0700) < 0 && errno != EEXIST)
                return log_event_errno(LOG_ERR, errno, SG_MESSAGE_STORE_UNWRITABLE,
                                       LOG_FIELDS({ "STORGUARD_PATH", m->config.state_directory }),
                                       "Cannot create state directory '%s': %m. Incidents will not "
                                       "survive a restart.", m->config.state_directory);
        r = store_open(m->config.state_directory, m->config.store_sync, &m->store, &recreated);
        if (r < 0)
                return log_event_errno(LOG_ERR, r, SG_MESSAGE_STORE_UNWRITABLE,
                                       LOG_FIELDS({ "STORGUARD_PATH", m->config.state_directory }),
                                       "Cannot open the incident store in '%s': %m. Incidents will not "
                                       "survive a restart.", m->config.state_directory);
        if (recreated)
                log_warning("Started a fresh incident store in '%s'; the old one was moved aside.",
                            m->config.state_directory);
        return 0;
}

static int read_boot_id(Manager *m) {
        _cleanup_free_ char *s = NULL;
        int r;

        r = read_one_line_file(BOOT_ID_PATH, &s);
        if (r < 0)
                return r;
        snprintf(m->boot_id, sizeof(m->boot_id), "%s", s);
        return 0;
}

int manager_evidence_start(Manager *m) {
        char host[256];
        int r;

        m->member_states = hashmap_new();
        if (!m->member_states)
                return log_oom();

        (void) open_store(m);

        if (m->config.host_name)
                snprintf(host, sizeof(host), "%s", m->config.host_name);
        else if (gethostname(host, sizeof(host)) < 0 || isempty(host))
                snprintf(host, sizeof(host), "storguard");
        host[sizeof(host) - 1] = '\0';
        /* Endpoints and their secrets are checked at every start (a secret
         * others can read refuses the start; Insecure=yes is logged). */
        r = webhook_new(m->event, &m->config.webhook, host, &m->webhook);
        if (r < 0)
                return r;
        r = incident_manager_new(host, m->store, NULL,
                                 &(IncidentManagerHooks) { .changed = on_incident_changed,
                                                           .enqueue = on_incident_enqueue,
                                                           .userdata = m },
                                 &m->incidents);
        if (r < 0)
                return log_oom();
        r = incident_manager_load(m->incidents);
        if (r < 0)
                log_error_errno(r, "Failed to load incidents from the store, ignoring: %m");
        else if (r > 0)
                log_info("Loaded %d incident(s) from '%s'.", r, store_path(m->store));
        if (m->store) {
                r = webhook_start(m->webhook, m->store);
                if (r < 0)
                        log_error_errno(r, "Webhooks are not sent: %m");
        }

        r = diagnosis_new(&m->config.diagnosis.diag, manager_diag_lookup, m, on_fault, m, &m->diagnosis);
        if (r < 0)
                return log_error_errno(r, "Failed to start diagnosis: %m");
        r = sd_event_add_time(m->event, &m->diagnosis_timer, CLOCK_REALTIME, USEC_INFINITY, USEC_PER_MSEC * 10,
                              on_diagnosis_timer, m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the diagnosis timer: %m");
        (void) sd_event_source_set_enabled(m->diagnosis_timer, SD_EVENT_OFF);

        r = read_boot_id(m);
        if (r < 0)
                log_warning_errno(r, "Cannot read the boot id from '%s'; the diagnosis state is taken as from "
                                  "another boot: %m", BOOT_ID_PATH);
        r = evidence_state_load(m->store, m->diagnosis, m->boot_id);
        if (r < 0)
                return r;
        arm_diagnosis_timer(m); /* restored held-back faults and failed paths have deadlines */
        r = sd_event_add_time(m->event, &m->state_timer, CLOCK_MONOTONIC, USEC_INFINITY, USEC_PER_MSEC * 100,
                              on_state_timer, m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the diagnosis state timer: %m");
        (void) sd_event_source_set_enabled(m->state_timer, SD_EVENT_OFF);
        (void) sd_event_source_set_description(m->state_timer, "diagnosis-state");
        return 0;
}

void manager_evidence_start_streams(Manager *m) {
        manager_evidence_initial_states(m);
        /* After the first scan: the kernel log's backlog names devices,
         * which must be known to be tied to their CIs (read before, it
         * would be dropped, and its cursor saved past it). */
        (void) start_kmsg(m);
        start_mdstat(m);
}

void manager_evidence_stop(Manager *m) {
        MemberStates *e;

        m->mdstat_source = sd_event_source_disable_unref(m->mdstat_source);
        m->mdstat_fd = safe_close(m->mdstat_fd);
        m->mdstat_text = mfree(m->mdstat_text);
        m->kmsg_source = sd_event_source_disable_unref(m->kmsg_source);
        /* A clean stop: what was fed is saved with its cursor. */
        if (m->state_dirty || m->state_urgent)
                (void) manager_state_save(m);
        m->state_timer = sd_event_source_disable_unref(m->state_timer);
        m->kmsg_pending = sd_event_source_disable_unref(m->kmsg_pending);
        m->kmsg = kmsg_reader_free(m->kmsg);
        m->diagnosis_timer = sd_event_source_disable_unref(m->diagnosis_timer);
        m->diagnosis = diagnosis_free(m->diagnosis);
        if (m->incidents) {
                if (incident_manager_unsaved(m->incidents) > 0 && incident_manager_flush(m->incidents, now(CLOCK_REALTIME)) > 0)
                        log_error("%zu incident change(s) could not be written to the store and are lost with this stop.",
                                  incident_manager_unsaved(m->incidents));
                m->incidents = incident_manager_free(m->incidents);
        }
        m->webhook = webhook_free(m->webhook);
        m->store = store_close(m->store);
        HASHMAP_FOREACH(e, m->member_states)
                member_states_free(e);
        m->member_states = hashmap_free(m->member_states);
}
