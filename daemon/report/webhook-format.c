/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "alloc-util.h"
#include "json-util.h"
#include "string-table.h"
#include "string-util.h"
#include "webhook-format.h"

static const char *const webhook_event_type_table[_WEBHOOK_EVENT_MAX] = {
        [WEBHOOK_EVENT_RAISED] = "raised",
        [WEBHOOK_EVENT_UPDATED] = "updated",
        [WEBHOOK_EVENT_MITIGATED] = "mitigated",
        [WEBHOOK_EVENT_RESOLVED] = "resolved",
        [WEBHOOK_EVENT_CLOSED] = "closed",
        [WEBHOOK_EVENT_REOPENED] = "reopened",
        [WEBHOOK_EVENT_ACKNOWLEDGED] = "acknowledged",
        [WEBHOOK_EVENT_TEST] = "test",
};
DEFINE_STRING_TABLE_LOOKUP(webhook_event_type, WebhookEventType);

/* Alertmanager's alert names, one per category: CamelCase as Prometheus
 * alerting rules name theirs. */
static const char *const alertname_table[_INCIDENT_CATEGORY_MAX] = {
        [INCIDENT_CATEGORY_DISK] = "StorguardDisk",
        [INCIDENT_CATEGORY_CONTROLLER] = "StorguardController",
        [INCIDENT_CATEGORY_PATH] = "StorguardPath",
        [INCIDENT_CATEGORY_ARRAY] = "StorguardArray",
        [INCIDENT_CATEGORY_ENCLOSURE] = "StorguardEnclosure",
        [INCIDENT_CATEGORY_KNOWN_ERROR] = "StorguardKnownError",
};

/* PagerDuty's "summary" is at most 1024 characters, "dedup_key" 255. */
#define PAGERDUTY_SUMMARY_MAX 1024U
#define PAGERDUTY_DEDUP_KEY_MAX 255U
/* Alertmanager prints zero Go times for "no end yet". */
#define GO_ZERO_TIME "0001-01-01T00:00:00Z"

const char *webhook_severity(unsigned priority, WebhookFormat format) {
        if (format == WEBHOOK_FORMAT_PAGERDUTY)
                return priority <= 1 ? "critical" : priority == 2 ? "error" : priority == 3 ? "warning" : "info";
        return priority <= 2 ? "critical" : priority == 3 ? "warning" : "info";
}

char *webhook_event_id(const char *incident_id, uint64_t seq) {
        char *id;

        if (!incident_id || asprintf(&id, "%s.%" PRIu64, incident_id, seq) < 0)
                return NULL;
        return id;
}

/* JSON helpers: each returns 0 or -ENOMEM and takes nothing on failure. */
static int add(json_object *o, const char *k, json_object *v) {
        if (!v || json_object_object_add(o, k, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int add_str(json_object *o, const char *k, const char *v) {
        return add(o, k, json_object_new_string(strempty(v)));
}

static int add_time(json_object *o, const char *k, usec_t t) {
        char buf[FORMAT_TIMESTAMP_MAX];

        return add_str(o, k, format_timestamp_utc(buf, sizeof(buf), t));
}

static int to_string(json_object *o, char **ret) {
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

        if (!s)
                return -ENOMEM;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int webhook_native_payload(const WebhookEvent *e, char **ret) {
        _cleanup_free_ char *id = NULL;
        json_object *o;
        int r = 0;

        if (!e->incident || !e->incident->id || e->type < 0 || e->type >= _WEBHOOK_EVENT_MAX)
                return -EINVAL;
        id = webhook_event_id(e->incident->id, e->seq);
        o = json_object_new_object();
        if (!id || !o) {
                json_object_put(o);
                return -ENOMEM;
        }
        r |= add_str(o, "schema", WEBHOOK_SCHEMA);
        r |= add_str(o, "event_id", id);
        r |= add_str(o, "event_type", webhook_event_type_to_string(e->type));
        r |= add(o, "sequence", json_object_new_uint64(e->seq));
        r |= add_str(o, "host", e->host);
        r |= add_time(o, "time", e->time_usec);
        r |= add(o, "incident", incident_to_json(e->incident));
        if (r == 0)
                r = to_string(o, ret);
        json_object_put(o);
        return r < 0 ? -ENOMEM : 0;
}

typedef struct Envelope {
        json_object *root;
        const char *event_id;
        WebhookEventType type;
        uint64_t seq;
        const char *host;
        const char *time;
        json_object *incident_json;
        Incident *incident;
} Envelope;

static void envelope_done(Envelope *e) {
        incident_free(e->incident);
        json_object_put(e->root);
}

static int envelope_parse(const char *native, Envelope *ret) {
        Envelope e = {};
        json_object *v;
        int r;

        e.root = json_tokener_parse(native);
        if (!e.root || !json_object_is_type(e.root, json_type_object) || !streq_ptr(json_get_str(e.root, "schema"), WEBHOOK_SCHEMA))
                goto bad;
        e.event_id = json_get_str(e.root, "event_id");
        e.type = webhook_event_type_from_string(json_get_str(e.root, "event_type"));
        e.host = json_get_str(e.root, "host");
        e.time = json_get_str(e.root, "time");
        if (!e.event_id || e.type < 0 || !e.host || !e.time)
                goto bad;
        if (!json_object_object_get_ex(e.root, "sequence", &v) || !json_object_is_type(v, json_type_int))
                goto bad;
        e.seq = json_object_get_uint64(v);
        if (!json_object_object_get_ex(e.root, "incident", &e.incident_json))
                goto bad;
        r = incident_from_json(e.incident_json, &e.incident);
        if (r < 0) {
                envelope_done(&e);
                return r;
        }
        *ret = e;
        return 0;
bad:
        envelope_done(&e);
        return -EBADMSG;
}

static int render_cloudevents(const Envelope *e, char **ret) {
        _cleanup_free_ char *source = NULL, *type = NULL;
        json_object *o = json_object_new_object();
        int r = 0;

        if (!o || asprintf(&source, "/storguard/%s", e->host) < 0 ||
            asprintf(&type, "org.storguard.incident.%s", webhook_event_type_to_string(e->type)) < 0) {
                json_object_put(o);
                return -ENOMEM;
        }
        r |= add_str(o, "specversion", "1.0");
        r |= add_str(o, "id", e->event_id);
        r |= add_str(o, "source", source);
        r |= add_str(o, "type", type);
        r |= add_str(o, "subject", e->incident->id);
        r |= add_str(o, "time", e->time);
        r |= add_str(o, "datacontenttype", "application/json");
        r |= add(o, "data", json_object_get(e->root));
        if (r == 0)
                r = to_string(o, ret);
        json_object_put(o);
        return r < 0 ? -ENOMEM : 0;
}

static int fingerprint(const char *s, char ret[static 17]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;

        if (EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) != 1 || n < 8)
                return -EIO;
        for (size_t k = 0; k < 8; k++)
                snprintf(ret + 2 * k, 3, "%02x", md[k]);
        return 0;
}

static json_object *am_labels(const Envelope *e) {
        const Incident *i = e->incident;
        json_object *l = json_object_new_object();
        char prio[8];
        int r = 0;

        if (!l)
                return NULL;
        snprintf(prio, sizeof(prio), "P%u", i->priority);
        r |= add_str(l, "alertname", alertname_table[i->category]);
        r |= add_str(l, "severity", webhook_severity(i->priority, WEBHOOK_FORMAT_ALERTMANAGER));
        r |= add_str(l, "instance", e->host);
        r |= add_str(l, "ci", i->ci_id);
        r |= add_str(l, "category", incident_category_to_string(i->category));
        r |= add_str(l, "priority", prio);
        r |= add_str(l, "impact", impact_to_string(i->impact));
        r |= add_str(l, "major", i->major ? "true" : "false");
        r |= add_str(l, "incident_id", i->id);
        r |= add_str(l, "dedup_key", i->dedup_key);
        if (e->type == WEBHOOK_EVENT_TEST)
                r |= add_str(l, "test", "true");
        if (r < 0) {
                json_object_put(l);
                return NULL;
        }
        return l;
}

static json_object *am_annotations(const Envelope *e) {
        const Incident *i = e->incident;
        json_object *a = json_object_new_object();
        int r = 0;

        if (!a)
                return NULL;
        r |= add_str(a, "summary", i->title);
        r |= add_str(a, "description", i->description);
        if (i->workaround)
                r |= add_str(a, "workaround", i->workaround);
        if (i->cause)
                r |= add_str(a, "cause", i->cause);
        if (i->known_error_id)
                r |= add_str(a, "known_error", i->known_error_id);
        r |= add_str(a, "status", incident_status_to_string(i->status));
        r |= add_str(a, "event_id", e->event_id);
        r |= add_str(a, "event_type", webhook_event_type_to_string(e->type));
        if (r < 0) {
                json_object_put(a);
                return NULL;
        }
        return a;
}

static int render_alertmanager(const Envelope *e, const WebhookRenderParams *p, char **ret) {
        const Incident *i = e->incident;
        bool resolved = e->type == WEBHOOK_EVENT_RESOLVED || e->type == WEBHOOK_EVENT_CLOSED ||
                        i->status == INCIDENT_RESOLVED || i->status == INCIDENT_CLOSED;
        const char *status = resolved ? "resolved" : "firing";
        _cleanup_free_ char *group_key = NULL;
        json_object *o = NULL, *alerts = NULL, *alert = NULL, *group = NULL;
        usec_t start = i->stage_usec[STAGE_DETECTED] ?: i->updated_usec;
        usec_t end = i->resolved_usec ?: i->closed_usec ?: i->updated_usec;
        char fp[17];
        int r = 0;

        if (fingerprint(i->dedup_key, fp) < 0)
                return -EIO;
        /* Alertmanager's group key is "<route matchers>:<group labels>";
         * we group by incident. */
        if (asprintf(&group_key, "{}:{incident_id=\"%s\"}", i->id) < 0)
                return -ENOMEM;

        o = json_object_new_object();
        alerts = json_object_new_array();
        alert = json_object_new_object();
        group = json_object_new_object();
        if (!o || !alerts || !alert || !group)
                goto oom;

        r |= add_str(alert, "status", status);
        r |= add(alert, "labels", am_labels(e));
        r |= add(alert, "annotations", am_annotations(e));
        r |= add_time(alert, "startsAt", start);
        if (resolved)
                r |= add_time(alert, "endsAt", end);
        else
                r |= add_str(alert, "endsAt", GO_ZERO_TIME);
        r |= add_str(alert, "generatorURL", "");
        r |= add_str(alert, "fingerprint", fp);
        if (r < 0 || json_object_array_add(alerts, alert) < 0)
                goto oom;
        alert = NULL;

        r |= add_str(group, "incident_id", i->id);
        r |= add_str(o, "version", "4");
        r |= add_str(o, "groupKey", group_key);
        r |= add(o, "truncatedAlerts", json_object_new_int(0));
        r |= add_str(o, "status", status);
        r |= add_str(o, "receiver", p ? p->endpoint : "");
        r |= add(o, "groupLabels", group);
        group = NULL;
        r |= add(o, "commonLabels", am_labels(e));
        r |= add(o, "commonAnnotations", am_annotations(e));
        r |= add_str(o, "externalURL", "");
        r |= add(o, "alerts", alerts);
        alerts = NULL;
        if (r < 0)
                goto oom;
        r = to_string(o, ret);
        json_object_put(o);
        return r;
oom:
        json_object_put(o);
        json_object_put(alerts);
        json_object_put(alert);
        json_object_put(group);
        return -ENOMEM;
}

static int render_pagerduty(const Envelope *e, const WebhookRenderParams *p, char **ret) {
        const Incident *i = e->incident;
        const char *action;
        _cleanup_free_ char *summary = NULL;
        char dedup[PAGERDUTY_DEDUP_KEY_MAX + 1];
        json_object *o, *payload;
        int r = 0;

        switch (e->type) {
        case WEBHOOK_EVENT_MITIGATED:
        case WEBHOOK_EVENT_ACKNOWLEDGED:
                action = "acknowledge";
                break;
        case WEBHOOK_EVENT_RESOLVED:
        case WEBHOOK_EVENT_CLOSED:
                action = "resolve";
                break;
        default:
                action = "trigger";
        }
        if (asprintf(&summary, "[P%u%s] %s on %s", i->priority, i->major ? ", major" : "", strna(i->title),
                     strna(e->host)) < 0)
                return -ENOMEM;
        if (strlen(summary) > PAGERDUTY_SUMMARY_MAX)
                summary[PAGERDUTY_SUMMARY_MAX] = '\0';
        if (strlen(i->dedup_key) <= PAGERDUTY_DEDUP_KEY_MAX)
                snprintf(dedup, sizeof(dedup), "%s", i->dedup_key);
        else {
                /* Too long for PagerDuty: its SHA-256, stable all the same. */
                unsigned char md[EVP_MAX_MD_SIZE];
                unsigned n = 0;

                if (EVP_Digest(i->dedup_key, strlen(i->dedup_key), md, &n, EVP_sha256(), NULL) != 1 || n != 32)
                        return -EIO;
                for (size_t k = 0; k < 32; k++)
                        snprintf(dedup + 2 * k, 3, "%02x", md[k]);
        }

        o = json_object_new_object();
        payload = json_object_new_object();
        if (!o || !payload) {
                json_object_put(o);
                json_object_put(payload);
                return -ENOMEM;
        }
        r |= add_str(payload, "summary", summary);
        r |= add_str(payload, "source", e->host);
        r |= add_str(payload, "severity", webhook_severity(i->priority, WEBHOOK_FORMAT_PAGERDUTY));
        r |= add_str(payload, "timestamp", e->time);
        r |= add_str(payload, "component", i->ci_id);
        r |= add_str(payload, "group", e->host);
        r |= add_str(payload, "class", incident_category_to_string(i->category));
        r |= add(payload, "custom_details", json_object_get(e->root));
        r |= add_str(o, "routing_key", p ? p->routing_key : "");
        r |= add_str(o, "event_action", action);
        r |= add_str(o, "dedup_key", dedup);
        r |= add_str(o, "client", "storguard");
        r |= add(o, "payload", payload);
        if (r == 0)
                r = to_string(o, ret);
        json_object_put(o);
        return r < 0 ? -ENOMEM : 0;
}

int webhook_render(WebhookFormat format, const char *native, const WebhookRenderParams *p, char **ret_body,
                   const char **ret_content_type) {
        _cleanup_(envelope_done) Envelope e = {};
        int r;

        if (format == WEBHOOK_FORMAT_NATIVE) {
                /* As stored: the bytes the operator can find in the outbox. */
                *ret_body = strdup(native);
                *ret_content_type = "application/json";
                return *ret_body ? 0 : -ENOMEM;
        }

        r = envelope_parse(native, &e);
        if (r < 0)
                return r;
        switch (format) {
        case WEBHOOK_FORMAT_CLOUDEVENTS:
                *ret_content_type = "application/cloudevents+json; charset=utf-8";
                return render_cloudevents(&e, ret_body);
        case WEBHOOK_FORMAT_ALERTMANAGER:
                *ret_content_type = "application/json";
                return render_alertmanager(&e, p, ret_body);
        case WEBHOOK_FORMAT_PAGERDUTY:
                *ret_content_type = "application/json";
                return render_pagerduty(&e, p, ret_body);
        default:
                return -EINVAL;
        }
}
