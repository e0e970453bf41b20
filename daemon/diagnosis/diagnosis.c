/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "diagnosis-internal.h"
#include "hashmap.h"
#include "kmsg.h"
#include "log.h"
#include "string-table.h"
#include "string-util.h"

static const char *const fault_class_table[_FAULT_CLASS_MAX] = {
        [FAULT_DISK_FAILED] = "disk.failed",
        [FAULT_DISK_OFFLINE] = "disk.offline",
        [FAULT_DISK_MEDIA] = "disk.media",
        [FAULT_DISK_TRANSPORT] = "disk.transport",
        [FAULT_DISK_LINK] = "disk.link",
        [FAULT_DISK_PRECURSORS] = "disk.precursors",
        [FAULT_DISK_FAIL_SLOW] = "disk.fail_slow",
        [FAULT_DISK_SMART_HISTORY] = "disk.smart_history",
        [FAULT_CONTROLLER] = "controller",
        [FAULT_PATH_FAILED] = "path.failed",
        [FAULT_PATH_FLAPPING] = "path.flapping",
};
DEFINE_STRING_TABLE_LOOKUP(fault_class, FaultClass);

static const char *const fault_action_table[_FAULT_ACTION_MAX] = {
        [FAULT_ACTION_MONITOR] = "monitor",
        [FAULT_ACTION_ISOLATE_MEMBER] = "isolate-member",
        [FAULT_ACTION_REPLACE_DISK] = "replace-disk",
        [FAULT_ACTION_CHECK_CONTROLLER] = "check-controller",
        [FAULT_ACTION_FAIL_PATH] = "fail-path",
        [FAULT_ACTION_APPLY_WORKAROUND] = "apply-workaround",
};
DEFINE_STRING_TABLE_LOOKUP(fault_action, FaultAction);

void diag_params_default(DiagParams *p) {
        *p = (DiagParams) {
                .media = { DIAG_MEDIA_SERD_N, DIAG_MEDIA_SERD_T_USEC },
                .transport = { DIAG_TRANSPORT_SERD_N, DIAG_TRANSPORT_SERD_T_USEC },
                .link = { DIAG_LINK_SERD_N, DIAG_LINK_SERD_T_USEC },
                .precursor = { DIAG_PRECURSOR_SERD_N, DIAG_PRECURSOR_SERD_T_USEC },
                .controller = { DIAG_CONTROLLER_SERD_N, DIAG_CONTROLLER_SERD_T_USEC },
                .path_flap = { DIAG_PATH_FLAP_SERD_N, DIAG_PATH_FLAP_SERD_T_USEC },
                .path_failed_hold_usec = DIAG_PATH_FAILED_HOLD_USEC,
                .correlation_window_usec = DIAG_CORRELATION_WINDOW_USEC,
                .correlation_disks = DIAG_CORRELATION_DISKS,
                .hold_usec = DIAG_HOLD_USEC,
        };
}

Node *node_free(Node *n) {
        if (!n)
                return NULL;
        free(n->pending);
        free(n->children);
        free(n->id);
        free(n->name);
        return mfree(n);
}

Diagnosis *diagnosis_free(Diagnosis *d) {
        Node *n;

        if (!d)
                return NULL;
        if (d->nodes) {
                HASHMAP_FOREACH(n, d->nodes)
                        node_free(n);
                hashmap_free(d->nodes);
        }
        return mfree(d);
}

int diagnosis_new(const DiagParams *p, DiagLookup lookup, void *lookup_userdata, FaultSink sink,
                  void *sink_userdata, Diagnosis **ret) {
        _cleanup_(diagnosis_freep) Diagnosis *d = NULL;

        assert(lookup && ret);
        d = new0(Diagnosis, 1);
        if (!d)
                return -ENOMEM;
        if (p)
                d->p = *p;
        else
                diag_params_default(&d->p);
        d->lookup = lookup;
        d->lookup_userdata = lookup_userdata;
        d->sink = sink;
        d->sink_userdata = sink_userdata;
        d->nodes = hashmap_new();
        if (!d->nodes)
                return -ENOMEM;
        *ret = TAKE_PTR(d);
        return 0;
}

Node *node_get(Diagnosis *d, const char *id, const char *name, CiType type) {
        Node *n = hashmap_get(d->nodes, id);

        if (n)
                return n;
        n = new0(Node, 1);
        if (!n)
                return NULL;
        n->id = strdup(id);
        n->name = strdup(name ?: id);
        n->type = type;
        if (!n->id || !n->name || hashmap_put(d->nodes, n->id, n) < 0)
                return node_free(n);
        serd_init(&n->media, d->p.media);
        serd_init(&n->transport, d->p.transport);
        serd_init(&n->link, d->p.link);
        serd_init(&n->precursor, d->p.precursor);
        serd_init(&n->controller_serd, d->p.controller);
        serd_init(&n->path_flap, d->p.path_flap);
        return n;
}

int node_add_child(Node *c, Node *child) {
        for (size_t i = 0; i < c->n_children; i++)
                if (c->children[i] == child)
                        return 0;
        if (GREEDY_REALLOC(c->children, c->n_children_allocated, c->n_children + 1) < 0)
                return -ENOMEM;
        c->children[c->n_children++] = child;
        return 0;
}

static void node_remember(Node *n, const Ereport *e) {
        /* Keep the first ones (how it started) and then the latest. */
        if (n->n_recent < NODE_RECENT) {
                n->recent[n->n_recent++] = *e;
        } else {
                size_t slot = NODE_RECENT / 2 + n->recent_head;
                n->recent[slot] = *e;
                n->recent_head = (n->recent_head + 1) % (NODE_RECENT / 2);
        }
        n->n_total++;
}

typedef enum Group {
        GROUP_NONE,
        GROUP_MEDIA,
        GROUP_MEDIA_NOW,  /* one is enough: predictive failure, SMART failing */
        GROUP_FAILED,
        GROUP_OFFLINE,    /* one is enough, and it is transport evidence too */
        GROUP_FAIL_SLOW,
        GROUP_TRANSPORT,
        GROUP_LINK,
        GROUP_PATH_FAILED,
        GROUP_PATH_BACK,
} Group;

static Group ereport_group(const Ereport *e) {
        switch (e->class) {
        case EREPORT_SCSI_SENSE_MEDIUM_ERROR:
        case EREPORT_SCSI_SENSE_HARDWARE_ERROR:
        case EREPORT_BLK_MEDIUM_ERROR:
        case EREPORT_NVME_MEDIA_ERRORS:
                return GROUP_MEDIA;
        case EREPORT_SCSI_PREDICTIVE_FAILURE:
        case EREPORT_ATA_SMART_FAILING:
        case EREPORT_HEALTH_FAILING:
        case EREPORT_NVME_CRITICAL_WARNING:
                return GROUP_MEDIA_NOW;
        case EREPORT_MD_MEMBER_FAULTY:
                return GROUP_FAILED;
        case EREPORT_SCSI_DEVICE_OFFLINE:
                return GROUP_OFFLINE;
        case EREPORT_BLK_FAIL_SLOW:
                return GROUP_FAIL_SLOW;
        case EREPORT_SCSI_CMD_FAILED:
                return e->value <= 0xff && scsi_host_byte_is_transport((int) e->value) ? GROUP_TRANSPORT
                                                                                       : GROUP_NONE;
        case EREPORT_SCSI_TIMEOUT:
        case EREPORT_SCSI_ABORT:
        case EREPORT_SCSI_DEVICE_RESET:
        case EREPORT_SCSI_TARGET_RESET:
        case EREPORT_SCSI_BUS_RESET:
        case EREPORT_SCSI_HOST_RESET:
        case EREPORT_SCSI_IOTMO_COUNT:
        case EREPORT_BLK_TIMEOUT:
        case EREPORT_BLK_LATENCY_OUTLIER:
        case EREPORT_NVME_TIMEOUT:
        case EREPORT_NVME_RESET:
                return GROUP_TRANSPORT;
        case EREPORT_ATA_LINK_RESET:
                return GROUP_LINK;
        case EREPORT_MPATH_PATH_FAILED:
                return GROUP_PATH_FAILED;
        case EREPORT_MPATH_PATH_REINSTATED:
                return GROUP_PATH_BACK;
        default:
                return GROUP_NONE;
        }
}

static void fault_add_evidence(Fault *f, const Node *n) {
        for (size_t i = 0; i < n->n_recent && f->n_evidence < FAULT_EVIDENCE_MAX; i++)
                f->evidence[f->n_evidence++] = n->recent[i];
        f->n_evidence_total += n->n_total;
}

static Fault *fault_new(const Node *n, FaultClass c, unsigned confidence, FaultAction a, usec_t now_usec) {
        Fault *f = new0(Fault, 1);

        if (!f)
                return NULL;
        f->class = c;
        snprintf(f->suspect, sizeof(f->suspect), "%s", n->id);
        snprintf(f->suspect_name, sizeof(f->suspect_name), "%s", n->name);
        f->suspect_type = n->type;
        f->confidence_pct = confidence;
        f->action = a;
        f->time_usec = now_usec;
        fault_add_evidence(f, n);
        return f;
}

static void emit(Diagnosis *d, Node *n, Fault *f) {
        n->open[f->class] = true;
        if (d->sink)
                d->sink(f, d->sink_userdata);
}

static bool controller_suspect(const Node *n) {
        return n->controller && n->controller->open[FAULT_CONTROLLER];
}

/* A member md has failed is a fact, not a symptom: the array lost its
 * redundancy whatever the cause.  It is raised even while its controller is
 * suspect (the incident layer links it to the controller incident, and the
 * response guard refuses to isolate it); every other disk fault is
 * absorbed. */
static bool absorbable(FaultClass c) {
        return c != FAULT_DISK_FAILED;
}

static void emit_behind_suspect(Diagnosis *d, Node *n, Fault *f) {
        size_t l = strlen(f->reason);

        snprintf(f->reason + l, sizeof(f->reason) - l, "; its controller '%s' is suspect", n->controller->name);
        emit(d, n, f);
}

/* Hold a disk-level fault back: its controller may turn out to be the cause. */
static void hold(Diagnosis *d, Node *n, FaultClass c, unsigned confidence, FaultAction a, usec_t now_usec,
                 const char *reason) {
        Fault *f;

        if (n->open[c] || (n->pending && n->pending->class == c))
                return;
        if (controller_suspect(n) && absorbable(c)) {
                log_debug("Fault %s of '%s' absorbed: controller '%s' is suspect.", fault_class_to_string(c), n->name,
                          n->controller->name);
                n->open[c] = true;
                return;
        }
        if (n->pending) {
                /* Keep the more severe one (lower class value is more severe). */
                if (n->pending->class <= c)
                        return;
                n->pending = mfree(n->pending);
        }
        f = fault_new(n, c, confidence, a, now_usec);
        if (!f)
                return;
        snprintf(f->reason, sizeof(f->reason), "%s", reason);
        if (controller_suspect(n)) {
                /* Not absorbable: no reason to hold it back. */
                emit_behind_suspect(d, n, f);
                free(f);
                return;
        }
        n->pending = f;
}

static size_t troubled_children(const Diagnosis *d, const Node *c, usec_t now_usec, const Node *except) {
        size_t k = 0;

        for (size_t i = 0; i < c->n_children; i++) {
                const Node *x = c->children[i];
                if (x == except || !x->has_transport)
                        continue;
                if (now_usec - x->last_transport_usec <= d->p.correlation_window_usec)
                        k++;
        }
        return k;
}

static void controller_fault(Diagnosis *d, Node *c, usec_t now_usec, const char *why) {
        _cleanup_free_ Fault *f = NULL;
        Node *facts[FAULT_SYMPTOMS_MAX];
        size_t n_facts = 0;
        size_t k = troubled_children(d, c, now_usec, NULL);

        if (c->open[FAULT_CONTROLLER])
                return;
        f = fault_new(c, FAULT_CONTROLLER, (unsigned) MIN(95, 55 + 10 * k), FAULT_ACTION_CHECK_CONTROLLER, now_usec);
        if (!f)
                return;
        snprintf(f->reason, sizeof(f->reason), "%s; the disks' own faults are held back as its symptoms", why);
        for (size_t i = 0; i < c->n_children; i++) {
                Node *x = c->children[i];
                bool troubled = x->has_transport &&
                                now_usec - x->last_transport_usec <= d->p.correlation_window_usec;

                if (!troubled && !x->pending)
                        continue;
                fault_add_evidence(f, x);
                if (f->n_symptoms < FAULT_SYMPTOMS_MAX)
                        snprintf(f->symptoms[f->n_symptoms++], EREPORT_CI_ID_MAX, "%s", x->id);
                if (x->pending && !absorbable(x->pending->class)) {
                        /* Raised after the controller fault; beyond the
                         * array's room, when its hold time is over. */
                        if (n_facts < ELEMENTSOF(facts))
                                facts[n_facts++] = x;
                } else if (x->pending) {
                        x->open[x->pending->class] = true; /* absorbed */
                        x->pending = mfree(x->pending);
                }
        }
        emit(d, c, f);
        for (size_t i = 0; i < n_facts; i++) {
                emit_behind_suspect(d, facts[i], facts[i]->pending);
                facts[i]->pending = mfree(facts[i]->pending);
        }
}

static void correlate(Diagnosis *d, Node *n, usec_t now_usec) {
        Node *c = n->controller;
        size_t k;
        char why[FAULT_REASON_MAX];

        if (!c)
                return;
        k = troubled_children(d, c, now_usec, NULL);
        if (k < d->p.correlation_disks)
                return;
        snprintf(why, sizeof(why), "transport errors on %zu disks/paths behind '%s' within %s", k, c->name,
                 format_timespan((char[FORMAT_TIMESPAN_MAX]) {}, FORMAT_TIMESPAN_MAX, d->p.correlation_window_usec));
        controller_fault(d, c, now_usec, why);
}

int diagnosis_feed(Diagnosis *d, const Ereport *e, usec_t now_usec) {
        DiagNode dn = {};
        Node *n;
        Group g;
        int r;

        r = d->lookup(d->lookup_userdata, e->device, &dn);
        if (r < 0 || !dn.ci_id) {
                d->unresolved++;
                return -ENOENT;
        }
        n = node_get(d, dn.ci_id, dn.name ?: e->device, dn.type);
        if (!n)
                return -ENOMEM;
        if (dn.controller_id && !n->controller) {
                Node *c = node_get(d, dn.controller_id, dn.controller_id, CI_CONTROLLER);
                if (!c || node_add_child(c, n) < 0)
                        return -ENOMEM;
                n->controller = c;
        }
        n->in_array = n->in_array || dn.array_id;
        n->is_path = n->is_path || dn.map_id;

        (void) diagnosis_tick(d, now_usec);
        node_remember(n, e);
        g = ereport_group(e);

        /* Events about a controller itself (host resets, HBA aborts). */
        if (n->type == CI_CONTROLLER || n->type == CI_PCI) {
                if (g == GROUP_TRANSPORT && serd_record(&n->controller_serd, now_usec)) {
                        char why[FAULT_REASON_MAX];
                        snprintf(why, sizeof(why), "%u error-handling escalations (aborts/resets) on '%s' within %s",
                                 d->p.controller.n, n->name,
                                 format_timespan((char[FORMAT_TIMESPAN_MAX]) {}, FORMAT_TIMESPAN_MAX,
                                                 d->p.controller.t_usec));
                        controller_fault(d, n, now_usec, why);
                }
                return 0;
        }

        if (ereport_class_kind(e->class) == EREPORT_KIND_PRECURSOR && serd_record(&n->precursor, now_usec))
                hold(d, n, FAULT_DISK_PRECURSORS, 30, FAULT_ACTION_MONITOR, now_usec,
                     "near misses (recovered errors, retries, timeouts that completed) over their rate threshold");

        switch (g) {
        case GROUP_MEDIA:
                if (serd_record(&n->media, now_usec))
                        hold(d, n, FAULT_DISK_MEDIA, 75, n->in_array ? FAULT_ACTION_ISOLATE_MEMBER : FAULT_ACTION_REPLACE_DISK,
                             now_usec, "unrecovered media errors over their rate threshold");
                break;
        case GROUP_MEDIA_NOW:
                hold(d, n, FAULT_DISK_MEDIA, 80, n->in_array ? FAULT_ACTION_ISOLATE_MEMBER : FAULT_ACTION_REPLACE_DISK,
                     now_usec, "the device predicts its own failure");
                break;
        case GROUP_FAILED:
                hold(d, n, FAULT_DISK_FAILED, 75, FAULT_ACTION_ISOLATE_MEMBER, now_usec, "md failed the member");
                break;
        case GROUP_FAIL_SLOW:
                /* Held like every disk fault: if its siblings behind the
                 * same controller turn slow too, the controller is the
                 * suspect. */
                n->has_transport = true;
                n->last_transport_usec = now_usec;
                hold(d, n, FAULT_DISK_FAIL_SLOW, 70, FAULT_ACTION_REPLACE_DISK, now_usec,
                     "latency far above its peers' for several windows while doing comparable work");
                correlate(d, n, now_usec);
                break;
        case GROUP_OFFLINE:
                if (dn.offlined_by_us) {
                        /* Our own workaround (scsi.offline) showing in
                         * the kernel log or the device state: the
                         * incident that asked for it already stands. */
                        log_debug("'%s' is offline by storguard's own response: not a fault.", n->name);
                        break;
                }
                /* Every command to it is now rejected: out of service,
                 * at once.  A multipath path's offline is a path failure,
                 * which the map's path faults report. */
                if (!n->is_path)
                        hold(d, n, FAULT_DISK_OFFLINE, 80,
                             n->in_array ? FAULT_ACTION_ISOLATE_MEMBER : FAULT_ACTION_REPLACE_DISK, now_usec,
                             "the kernel took the device offline: every command to it is rejected");
                n->has_transport = true;
                n->last_transport_usec = now_usec;
                if (serd_record(&n->transport, now_usec))
                        hold(d, n, FAULT_DISK_TRANSPORT, 60, FAULT_ACTION_REPLACE_DISK, now_usec,
                             "repeated timeouts/resets on this disk");
                correlate(d, n, now_usec);
                break;
        case GROUP_PATH_FAILED:
                if (!n->path_failed) {
                        n->path_failed = true;
                        n->path_failed_since = now_usec;
                }
                if (serd_record(&n->path_flap, now_usec))
                        hold(d, n, FAULT_PATH_FLAPPING, 70, FAULT_ACTION_FAIL_PATH, now_usec,
                             "the path failed and came back repeatedly");
                _fallthrough_;
        case GROUP_TRANSPORT:
                n->has_transport = true;
                n->last_transport_usec = now_usec;
                if (g == GROUP_TRANSPORT && serd_record(&n->transport, now_usec))
                        hold(d, n, FAULT_DISK_TRANSPORT, 60, FAULT_ACTION_REPLACE_DISK, now_usec,
                             "repeated timeouts/resets on this disk");
                correlate(d, n, now_usec);
                break;
        case GROUP_PATH_BACK:
                n->path_failed = false;
                break;
        case GROUP_LINK:
                n->has_transport = true;
                n->last_transport_usec = now_usec;
                if (serd_record(&n->link, now_usec))
                        hold(d, n, FAULT_DISK_LINK, 55, FAULT_ACTION_REPLACE_DISK, now_usec,
                             "repeated link resets (cable, backplane or the disk's interface)");
                correlate(d, n, now_usec);
                break;
        case GROUP_NONE:
                break;
        }
        return 0;
}

static int release(Diagnosis *d, Node *n, usec_t now_usec) {
        Fault *f = n->pending;

        if (!f || now_usec - f->time_usec < d->p.hold_usec)
                return 0;
        n->pending = NULL;
        if (controller_suspect(n)) {
                bool fact = !absorbable(f->class);

                if (fact)
                        emit_behind_suspect(d, n, f);
                else
                        n->open[f->class] = true;
                free(f);
                return fact;
        }
        if (n->controller && f->class != FAULT_DISK_PRECURSORS &&
            troubled_children(d, n->controller, now_usec, n) == 0 && n->controller->n_children > 1) {
                /* Its siblings behind the same controller are healthy: the
                 * disk itself, not the controller. */
                f->confidence_pct = MIN(95U, f->confidence_pct + 15);
                size_t l = strlen(f->reason);
                snprintf(f->reason + l, sizeof(f->reason) - l, "; its siblings behind '%s' are healthy",
                         n->controller->name);
        }
        emit(d, n, f);
        free(f);
        return 1;
}

int diagnosis_tick(Diagnosis *d, usec_t now_usec) {
        Node *n;
        int k = 0;

        HASHMAP_FOREACH(n, d->nodes) {
                k += release(d, n, now_usec);
                if (n->path_failed && !n->open[FAULT_PATH_FAILED] &&
                    now_usec - n->path_failed_since >= d->p.path_failed_hold_usec) {
                        if (controller_suspect(n))
                                n->open[FAULT_PATH_FAILED] = true;
                        else {
                                _cleanup_free_ Fault *f = fault_new(n, FAULT_PATH_FAILED, 70, FAULT_ACTION_FAIL_PATH, now_usec);
                                if (f) {
                                        snprintf(f->reason, sizeof(f->reason), "the path failed and did not come back within %s",
                                                 format_timespan((char[FORMAT_TIMESPAN_MAX]) {}, FORMAT_TIMESPAN_MAX,
                                                                 d->p.path_failed_hold_usec));
                                        emit(d, n, f);
                                        k++;
                                }
                        }
                }
        }
        return k;
}

usec_t diagnosis_next_deadline(const Diagnosis *d) {
        usec_t t = USEC_INFINITY;
        Node *n;

        HASHMAP_FOREACH(n, d->nodes) {
                if (n->pending)
                        t = MIN(t, n->pending->time_usec + d->p.hold_usec);
                if (n->path_failed && !n->open[FAULT_PATH_FAILED])
                        t = MIN(t, n->path_failed_since + d->p.path_failed_hold_usec);
        }
        return t;
}

void diagnosis_clear(Diagnosis *d, const char *ci_id) {
        Node *n = hashmap_get(d->nodes, ci_id);

        if (!n)
                return;
        memset(n->open, 0, sizeof(n->open));
        n->pending = mfree(n->pending);
        serd_reset(&n->media);
        serd_reset(&n->transport);
        serd_reset(&n->link);
        serd_reset(&n->precursor);
        serd_reset(&n->controller_serd);
        serd_reset(&n->path_flap);
        n->has_transport = n->path_failed = false;
        n->n_recent = n->recent_head = 0;
        n->n_total = 0;
}
