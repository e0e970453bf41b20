/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "metrics.h"
#include "string-util.h"

char *metrics_escape_label(const char *s) {
        _cleanup_free_ char *p = strdup_printable(strempty(s), METRICS_LABEL_MAX);
        char *out, *o;

        if (!p)
                return NULL;
        /* strdup_printable() left no newline; '\' and '"' double at most. */
        out = new(char, strlen(p) * 2 + 1);
        if (!out)
                return NULL;
        o = out;
        for (const char *i = p; *i; i++) {
                if (*i == '\\' || *i == '"')
                        *o++ = '\\';
                *o++ = *i;
        }
        *o = '\0';
        return out;
}

/* The fault class is the part of the dedup key before the first ':'. */
static HealthAssessment incident_health(const Incident *i) {
        const char *key = strempty(i->dedup_key);
        size_t l = strcspn(key, ":");

        if ((l == strlen("disk.failed") && strneq(key, "disk.failed", l)) ||
            (l == strlen("disk.offline") && strneq(key, "disk.offline", l)) ||
            (l == strlen("path.failed") && strneq(key, "path.failed", l)))
                return HEALTH_FAILED;
        if ((l == strlen("disk.media") && strneq(key, "disk.media", l)) ||
            (l == strlen("controller") && strneq(key, "controller", l)))
                return HEALTH_FAILING;
        return HEALTH_WARNING;
}

HealthAssessment metrics_ci_health(const Ci *c, const IncidentManager *incidents, HealthAssessment polled) {
        _cleanup_free_ Incident **l = NULL;
        HealthAssessment worst = HEALTH_OK;
        bool any = false;
        int n = incidents ? incident_manager_list(incidents, &l) : 0;

        /* HEALTH_UNKNOWN from a poll (could not be read) says nothing. */
        if (polled >= HEALTH_OK && polled <= HEALTH_FAILED) {
                worst = polled;
                any = true;
        }
        for (int k = 0; k < n; k++) {
                const Incident *i = l[k];
                HealthAssessment h;

                if ((i->status != INCIDENT_OPEN && i->status != INCIDENT_MITIGATED) || !streq_ptr(i->ci_id, c->id))
                        continue;
                h = incident_health(i);
                if (!any || h > worst)
                        worst = h;
                any = true;
        }
        if (!any)
                return c->type == CI_DISK ? HEALTH_UNKNOWN : HEALTH_OK;
        return worst;
}

static void family(FILE *f, const char *name, const char *type, const char *help) {
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Escaped labels of one CI; NULL members on ENOMEM make render fail. */
typedef struct CiLabels {
        char *id, *device, *model, *serial, *array, *level, *state;
} CiLabels;

static void ci_labels_done(CiLabels *l) {
        free(l->id);
        free(l->device);
        free(l->model);
        free(l->serial);
        free(l->array);
        free(l->level);
        free(l->state);
}

static int ci_labels(const Ci *c, CiLabels *ret) {
        *ret = (CiLabels) {
                .id = metrics_escape_label(c->id),
                .device = metrics_escape_label(c->name),
                .model = metrics_escape_label(c->model),
                .serial = metrics_escape_label(c->serial),
                .array = metrics_escape_label(c->type == CI_MULTIPATH && c->alias ? c->alias : c->name),
                .level = metrics_escape_label(c->type == CI_MULTIPATH ? "multipath" : c->level),
                .state = metrics_escape_label(c->array_state ?: "unknown"),
        };
        if (!ret->id || !ret->device || !ret->model || !ret->serial || !ret->array || !ret->level || !ret->state) {
                ci_labels_done(ret);
                return -ENOMEM;
        }
        return 0;
}

static bool is_array(const Ci *c) {
        return c->type == CI_ARRAY || c->type == CI_MULTIPATH;
}

static int render_devices(const MetricsSources *s, FILE *f, Ci **l, int n) {
        unsigned by_type[_CI_TYPE_MAX] = {}, no_health = 0;

        for (int k = 0; k < n; k++) {
                by_type[l[k]->type]++;
                if (l[k]->type == CI_DISK && l[k]->health_source == HEALTH_SOURCE_NONE)
                        no_health++;
        }
        family(f, "storguard_devices", "gauge", "Configuration items present, by type.");
        for (int t = 0; t < _CI_TYPE_MAX; t++)
                fprintf(f, "storguard_devices{type=\"%s\"} %u\n", ci_type_to_string(t), by_type[t]);
        family(f, "storguard_devices_without_health_interface", "gauge",
               "Disks whose own health (SMART, SCSI log pages, NVMe health log) cannot be read.");
        fprintf(f, "storguard_devices_without_health_interface %u\n", no_health);

        family(f, "storguard_device_health", "gauge",
               "Health of a disk or controller as storguard judges it: 0 ok, 1 warning, 2 failing, 3 failed, 4 unknown.");
        for (int k = 0; k < n; k++) {
                CiLabels x;

                if (l[k]->type != CI_DISK && l[k]->type != CI_CONTROLLER)
                        continue;
                if (ci_labels(l[k], &x) < 0)
                        return -ENOMEM;
                fprintf(f, "storguard_device_health{ci_id=\"%s\",type=\"%s\",device=\"%s\",model=\"%s\",serial=\"%s\"} %d\n",
                        x.id, ci_type_to_string(l[k]->type), x.device, x.model, x.serial,
                        (int) metrics_ci_health(l[k], s->incidents,
                                                s->polled_health ? s->polled_health(l[k], s->userdata)
                                                                 : _HEALTH_ASSESSMENT_INVALID));
                ci_labels_done(&x);
        }

        /* Each family's samples must follow its own TYPE line: one pass
         * per family. */
        static const struct {
                const char *name, *help;
        } array_families[] = {
                { "storguard_array_devices", "Members of an md array, or paths of a multipath map." },
                { "storguard_array_devices_missing", "Missing members of an md array, or failed paths of a multipath map." },
                { "storguard_array_state", "State of an md array or multipath map, as the kernel reports it (1)." },
        };
        for (size_t fam = 0; fam < ELEMENTSOF(array_families); fam++) {
                family(f, array_families[fam].name, "gauge", array_families[fam].help);
                for (int k = 0; k < n; k++) {
                        const char *type = ci_type_to_string(l[k]->type);
                        CiLabels x;

                        if (!is_array(l[k]))
                                continue;
                        if (ci_labels(l[k], &x) < 0)
                                return -ENOMEM;
                        if (fam == 2)
                                fprintf(f, "%s{ci_id=\"%s\",type=\"%s\",array=\"%s\",state=\"%s\"} 1\n",
                                        array_families[fam].name, x.id, type, x.array, x.state);
                        else
                                fprintf(f, "%s{ci_id=\"%s\",type=\"%s\",array=\"%s\",level=\"%s\"} %u\n",
                                        array_families[fam].name, x.id, type, x.array, x.level,
                                        fam == 0 ? l[k]->raid_disks : l[k]->degraded);
                        ci_labels_done(&x);
                }
        }
        return 0;
}

#define PRIORITY_MAX 5

static int render_incidents(const MetricsSources *s, FILE *f) {
        _cleanup_free_ Incident **l = NULL;
        unsigned count[PRIORITY_MAX + 1][_INCIDENT_STATUS_MAX] = {}, major = 0;
        int n = s->incidents ? incident_manager_list(s->incidents, &l) : 0;

        if (n < 0)
                return n;
        for (int k = 0; k < n; k++) {
                unsigned p = MIN(MAX(l[k]->priority, 1U), (unsigned) PRIORITY_MAX);

                if (l[k]->status < 0 || l[k]->status >= _INCIDENT_STATUS_MAX)
                        continue;
                count[p][l[k]->status]++;
                if (l[k]->major && (l[k]->status == INCIDENT_OPEN || l[k]->status == INCIDENT_MITIGATED))
                        major++;
        }
        family(f, "storguard_incidents", "gauge", "Incidents known to the daemon, by priority (1 highest) and status.");
        for (unsigned p = 1; p <= PRIORITY_MAX; p++)
                for (int st = 0; st < _INCIDENT_STATUS_MAX; st++)
                        fprintf(f, "storguard_incidents{priority=\"%u\",status=\"%s\"} %u\n", p,
                                incident_status_to_string(st), count[p][st]);
        family(f, "storguard_incidents_major", "gauge", "Major incidents open or mitigated.");
        fprintf(f, "storguard_incidents_major %u\n", major);
        return 0;
}

static void render_store(const MetricsSources *s, FILE *f) {
        family(f, "storguard_store_up", "gauge", "Whether the incident store is open (1) or not (0).");
        fprintf(f, "storguard_store_up %d\n", s->store ? 1 : 0);
        family(f, "storguard_store_unsaved_changes", "gauge",
               "Incident changes kept in memory because the store could not be written.");
        fprintf(f, "storguard_store_unsaved_changes %zu\n", s->incidents ? incident_manager_unsaved(s->incidents) : 0);

        family(f, "storguard_webhook_outbox_events", "gauge",
               "Webhook notifications in the outbox by state: pending (the queue depth), delivered, dead (given up, kept).");
        if (!s->store)
                return;
        for (int st = 0; st < _OUTBOX_STATE_MAX; st++) {
                uint64_t v;

                if (store_outbox_count(s->store, st, &v) < 0)
                        continue; /* a figure we cannot read is left out, not shown as 0 */
                fprintf(f, "storguard_webhook_outbox_events{state=\"%s\"} %llu\n", outbox_state_to_string(st),
                        (unsigned long long) v);
        }
}

int metrics_render(const MetricsSources *s, FILE *f) {
        _cleanup_free_ Ci **all = NULL, **present = NULL;
        int n = 0, np = 0, r;

        if (s->inventory) {
                n = inventory_list(s->inventory, &all);
                if (n < 0)
                        return n;
                present = new(Ci *, n + 1);
                if (!present)
                        return -ENOMEM;
                for (int k = 0; k < n; k++)
                        if (all[k]->state == CI_STATE_PRESENT)
                                present[np++] = all[k];
        }

        family(f, "storguard_build_info", "gauge", "storguard's version (1).");
        fprintf(f, "storguard_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
        family(f, "storguard_metrics_updated_timestamp_seconds", "gauge", "When storguardd wrote this file.");
        fprintf(f, "storguard_metrics_updated_timestamp_seconds %llu.%06llu\n",
                (unsigned long long) (s->now_usec / USEC_PER_SEC), (unsigned long long) (s->now_usec % USEC_PER_SEC));

        r = render_devices(s, f, present, np);
        if (r < 0)
                return r;
        r = render_incidents(s, f);
        if (r < 0)
                return r;
        family(f, "storguard_ereports_total", "counter", "Pieces of evidence (ereports) fed to diagnosis since the start.");
        fprintf(f, "storguard_ereports_total %llu\n", (unsigned long long) s->ereports_total);
        family(f, "storguard_health_reads_total", "counter", "Health reads of disks ([Health]) finished since the start, whatever their outcome.");
        fprintf(f, "storguard_health_reads_total %llu\n", (unsigned long long) s->health_reads_total);
        render_store(s, f);

        if (fflush(f) != 0 || ferror(f))
                return -EIO;
        return 0;
}

int metrics_write_file(const char *path, const MetricsSources *s) {
        _cleanup_free_ char *tmp = NULL;
        FILE *f;
        int fd, r;

        if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
                tmp = NULL;
                return -ENOMEM;
        }
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* node_exporter reads it as its own user; our umask is 0077. */
        if (fchmod(fd, 0644) < 0) {
                r = -errno;
                safe_close(fd);
                goto fail;
        }
        f = fdopen(fd, "w");
        if (!f) {
                r = -errno;
                safe_close(fd);
                goto fail;
        }
        r = metrics_render(s, f);
        if (fclose(f) != 0 && r >= 0)
                r = errno > 0 ? -errno : -EIO;
        if (r < 0)
                goto fail;
        if (rename(tmp, path) < 0) {
                r = -errno;
                goto fail;
        }
        return 0;
fail:
        (void) unlink(tmp);
        return r;
}
