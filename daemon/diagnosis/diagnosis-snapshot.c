/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The diagnosis engines' state as JSON, so that partial evidence survives
 * a restart (issue 6).  The schema, version DIAG_SNAPSHOT_VERSION:
 *
 *   { "version": 1,
 *     "nodes": [ {
 *       "id", "name", "type"           CI id, kernel name, ci_type_to_string()
 *       "controller"                   the controller's CI id (a node of this snapshot), optional
 *       "in_array", "is_path"          booleans
 *       "serd": { "<engine>": { "times": [usec, ...] oldest first, "fired": bool } }
 *                                      engines: media transport link precursor controller path_flap;
 *                                      empty ones are left out
 *       "transport_usec"               last transport trouble (correlation), optional
 *       "path_failed_since"            the path is failed since then, optional
 *       "open": [ fault class, ... ]   faults already raised (or absorbed)
 *       "pending": { fault }           a disk fault held back for correlation, optional
 *       "recent": [ ereport, ... ], "recent_head", "total"
 *     } ] }
 *
 *   fault:   class, suspect, suspect_name, suspect_type, confidence, action,
 *            known_error_id, reason, time_usec, evidence [ereport], evidence_total,
 *            symptoms [CI id]
 *   ereport: class, device, ci_id, time_usec, seq, lba, value, sense [key, asc, ascq],
 *            source, raw
 *
 * The fail-slow windows of each block device are saved beside it in the
 * same way (failslow_rings_snapshot(), schema further down).
 *
 * Every time is CLOCK_REALTIME (what the manager passes as now_usec), so
 * windows mean the same after a restart and after a reboot.  Restoring is
 * all or nothing: the first thing that does not fit the schema is named in
 * the reason and the engines stay as they were.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "diagnosis-internal.h"
#include "json-util.h"
#include "string-util.h"

#define SERD_ENGINES 6

static const char *const serd_engine_names[SERD_ENGINES] = {
        "media", "transport", "link", "precursor", "controller", "path_flap",
};

static SerdEngine *node_serd(Node *n, size_t k) {
        SerdEngine *const engines[SERD_ENGINES] = {
                &n->media, &n->transport, &n->link, &n->precursor, &n->controller_serd, &n->path_flap,
        };
        return engines[k];
}

static SerdParams params_serd(const DiagParams *p, size_t k) {
        const SerdParams params[SERD_ENGINES] = {
                p->media, p->transport, p->link, p->precursor, p->controller, p->path_flap,
        };
        return params[k];
}

/* --- writing ------------------------------------------------------------ */

static json_object *ereport_to_json(const Ereport *e) {
        json_object *o = json_object_new_object(), *sense = json_object_new_array();
        int r = 0;

        if (!o || !sense) {
                json_object_put(o);
                json_object_put(sense);
                return NULL;
        }
        r |= json_object_array_add(sense, json_object_new_int(e->sense_key));
        r |= json_object_array_add(sense, json_object_new_int(e->asc));
        r |= json_object_array_add(sense, json_object_new_int(e->ascq));
        r |= json_put_new(o, "sense", sense);
        r |= json_put_str(o, "class", ereport_class_to_string(e->class));
        r |= json_put_str(o, "device", e->device);
        r |= json_put_str(o, "ci_id", e->ci_id);
        r |= json_put_u64(o, "time_usec", e->time_usec);
        r |= json_put_u64(o, "seq", e->seq);
        r |= json_put_u64(o, "lba", e->lba);
        r |= json_put_u64(o, "value", e->value);
        r |= json_put_str(o, "source", e->source);
        r |= json_put_str(o, "raw", e->raw);
        if (r != 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

static json_object *ereports_to_json(const Ereport *e, size_t n) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; a && i < n; i++) {
                json_object *x = ereport_to_json(&e[i]);
                if (!x || json_object_array_add(a, x) < 0) {
                        json_object_put(x);
                        json_object_put(a);
                        return NULL;
                }
        }
        return a;
}

static json_object *fault_to_json(const Fault *f) {
        json_object *o = json_object_new_object(), *symptoms = json_object_new_array();
        int r = 0;

        if (!o || !symptoms) {
                json_object_put(o);
                json_object_put(symptoms);
                return NULL;
        }
        for (size_t i = 0; i < f->n_symptoms; i++)
                r |= json_object_array_add(symptoms, json_object_new_string(f->symptoms[i]));
        r |= json_put_new(o, "symptoms", symptoms);
        r |= json_put_str(o, "class", fault_class_to_string(f->class));
        r |= json_put_str(o, "suspect", f->suspect);
        r |= json_put_str(o, "suspect_name", f->suspect_name);
        r |= json_put_str(o, "suspect_type", ci_type_to_string(f->suspect_type));
        r |= json_put_u64(o, "confidence", f->confidence_pct);
        r |= json_put_str(o, "action", fault_action_to_string(f->action));
        r |= json_put_str(o, "known_error_id", f->known_error_id);
        r |= json_put_str(o, "reason", f->reason);
        r |= json_put_u64(o, "time_usec", f->time_usec);
        r |= json_put_new(o, "evidence", ereports_to_json(f->evidence, f->n_evidence));
        r |= json_put_u64(o, "evidence_total", f->n_evidence_total);
        if (r != 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

static json_object *serd_to_json(const SerdEngine *e) {
        json_object *o = json_object_new_object(), *times = json_object_new_array();
        usec_t t[SERD_N_MAX];
        unsigned k = serd_times(e, t);
        int r = 0;

        if (!o || !times) {
                json_object_put(o);
                json_object_put(times);
                return NULL;
        }
        for (unsigned i = 0; i < k; i++)
                r |= json_object_array_add(times, json_object_new_uint64(t[i]));
        r |= json_put_new(o, "times", times);
        r |= json_put_bool(o, "fired", e->fired);
        if (r != 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

static json_object *node_to_json(Node *n) {
        json_object *o = json_object_new_object(), *serd = json_object_new_object(), *open = json_object_new_array();
        int r = 0;

        if (!o || !serd || !open) {
                json_object_put(o);
                json_object_put(serd);
                json_object_put(open);
                return NULL;
        }
        for (size_t k = 0; k < SERD_ENGINES; k++)
                if (node_serd(n, k)->count > 0 || node_serd(n, k)->fired)
                        r |= json_put_new(serd, serd_engine_names[k], serd_to_json(node_serd(n, k)));
        for (FaultClass c = 0; c < _FAULT_CLASS_MAX; c++)
                if (n->open[c])
                        r |= json_object_array_add(open, json_object_new_string(fault_class_to_string(c)));
        r |= json_put_new(o, "serd", serd);
        r |= json_put_new(o, "open", open);
        r |= json_put_str(o, "id", n->id);
        r |= json_put_str(o, "name", n->name);
        r |= json_put_str(o, "type", ci_type_to_string(n->type));
        r |= json_put_str(o, "controller", n->controller ? n->controller->id : NULL);
        r |= json_put_bool(o, "in_array", n->in_array);
        r |= json_put_bool(o, "is_path", n->is_path);
        if (n->has_transport)
                r |= json_put_u64(o, "transport_usec", n->last_transport_usec);
        if (n->path_failed)
                r |= json_put_u64(o, "path_failed_since", n->path_failed_since);
        if (n->pending)
                r |= json_put_new(o, "pending", fault_to_json(n->pending));
        r |= json_put_new(o, "recent", ereports_to_json(n->recent, n->n_recent));
        r |= json_put_u64(o, "recent_head", n->recent_head);
        r |= json_put_u64(o, "total", n->n_total);
        if (r != 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

int diagnosis_snapshot(const Diagnosis *d, char **ret) {
        json_object *o = json_object_new_object(), *nodes = json_object_new_array();
        Node *n;
        char *s;
        int r = 0;

        assert(d && ret);
        if (!o || !nodes) {
                json_object_put(o);
                json_object_put(nodes);
                return -ENOMEM;
        }
        r |= json_put_u64(o, "version", DIAG_SNAPSHOT_VERSION);
        r |= json_put_new(o, "nodes", nodes);
        HASHMAP_FOREACH(n, d->nodes) {
                json_object *x = node_to_json(n);
                if (!x || json_object_array_add(nodes, x) < 0) {
                        json_object_put(x);
                        r = -ENOMEM;
                        break;
                }
        }
        s = r == 0 ? strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) : NULL;
        json_object_put(o);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* --- reading ------------------------------------------------------------ */

typedef struct Parse {
        char *reason;
        size_t size;
        char where[EREPORT_CI_ID_MAX + 32]; /* the node or ring being read */
} Parse;

_printf_(2, 3) static int bad(Parse *p, const char *fmt, ...) {
        va_list ap;
        size_t l;

        l = (size_t) snprintf(p->reason, p->size, "%s%s", p->where, p->where[0] ? ": " : "");
        if (l < p->size) {
                va_start(ap, fmt);
                (void) vsnprintf(p->reason + l, p->size - l, fmt, ap);
                va_end(ap);
        }
        return -EBADMSG;
}

/* A required string that must fit size bytes (a snapshot of ours never
 * holds a longer one). */
static int get_string(Parse *p, json_object *o, const char *k, char *buf, size_t size) {
        const char *v = json_get_str(o, k);

        if (!v)
                return bad(p, "'%s' is missing or not a string", k);
        if (strlen(v) >= size)
                return bad(p, "'%s' is longer than %zu characters", k, size - 1);
        memcpy(buf, v, strlen(v) + 1);
        return 0;
}

static int get_uint(Parse *p, json_object *o, const char *k, uint64_t max, uint64_t *ret) {
        json_object *v = json_get_typed(o, k, json_type_int);

        if (!v)
                return bad(p, "'%s' is missing or not an integer", k);
        if (json_object_get_int64(v) < 0 || json_object_get_uint64(v) > max)
                return bad(p, "'%s' is out of range (0..%" PRIu64 ")", k, max);
        *ret = json_object_get_uint64(v);
        return 0;
}

static int get_bool(Parse *p, json_object *o, const char *k, bool *ret) {
        json_object *v = json_get_typed(o, k, json_type_boolean);

        if (!v)
                return bad(p, "'%s' is missing or not a boolean", k);
        *ret = json_object_get_boolean(v);
        return 0;
}

static json_object *get_array(Parse *p, json_object *o, const char *k, size_t max, int *ret) {
        json_object *v = json_get_typed(o, k, json_type_array);

        *ret = 0;
        if (!v)
                *ret = bad(p, "'%s' is missing or not an array", k);
        else if (json_object_array_length(v) > max)
                *ret = bad(p, "'%s' has %zu entries, at most %zu fit", k, json_object_array_length(v), max);
        return *ret < 0 ? NULL : v;
}

static int ereport_from_json(Parse *p, json_object *o, Ereport *ret) {
        Ereport e = {};
        char class[64];
        uint64_t v[3];
        json_object *sense;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return bad(p, "an ereport is not an object");
        if ((r = get_string(p, o, "class", class, sizeof(class))) < 0 ||
            (r = get_string(p, o, "device", e.device, sizeof(e.device))) < 0 ||
            (r = get_string(p, o, "ci_id", e.ci_id, sizeof(e.ci_id))) < 0 ||
            (r = get_string(p, o, "source", e.source, sizeof(e.source))) < 0 ||
            (r = get_string(p, o, "raw", e.raw, sizeof(e.raw))) < 0 ||
            (r = get_uint(p, o, "time_usec", UINT64_MAX, &e.time_usec)) < 0 ||
            (r = get_uint(p, o, "seq", UINT64_MAX, &e.seq)) < 0 ||
            (r = get_uint(p, o, "lba", UINT64_MAX, &e.lba)) < 0 ||
            (r = get_uint(p, o, "value", UINT64_MAX, &e.value)) < 0)
                return r;
        e.class = ereport_class_from_string(class);
        if (e.class < 0)
                return bad(p, "unknown ereport class '%s'", class);
        sense = get_array(p, o, "sense", 3, &r);
        if (!sense)
                return r;
        if (json_object_array_length(sense) != 3)
                return bad(p, "'sense' needs 3 entries");
        for (size_t i = 0; i < 3; i++) {
                json_object *x = json_object_array_get_idx(sense, i);
                if (!json_object_is_type(x, json_type_int) || json_object_get_int64(x) < 0 ||
                    json_object_get_int64(x) > 0xff)
                        return bad(p, "'sense' entries are bytes");
                v[i] = json_object_get_uint64(x);
        }
        e.sense_key = (uint8_t) v[0];
        e.asc = (uint8_t) v[1];
        e.ascq = (uint8_t) v[2];
        *ret = e;
        return 0;
}

static int ereports_from_json(Parse *p, json_object *o, const char *k, Ereport *ret, size_t max, size_t *ret_n) {
        json_object *a;
        int r;

        a = get_array(p, o, k, max, &r);
        if (!a)
                return r;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                r = ereport_from_json(p, json_object_array_get_idx(a, i), &ret[i]);
                if (r < 0)
                        return r;
        }
        *ret_n = json_object_array_length(a);
        return 0;
}

static int fault_from_json(Parse *p, json_object *o, Fault **ret) {
        _cleanup_free_ Fault *f = new0(Fault, 1);
        char class[32], action[32], type[32];
        uint64_t confidence = 0;
        json_object *symptoms;
        int r;

        if (!f)
                return -ENOMEM;
        if (!json_object_is_type(o, json_type_object))
                return bad(p, "'pending' is not an object");
        if ((r = get_string(p, o, "class", class, sizeof(class))) < 0 ||
            (r = get_string(p, o, "action", action, sizeof(action))) < 0 ||
            (r = get_string(p, o, "suspect_type", type, sizeof(type))) < 0 ||
            (r = get_string(p, o, "suspect", f->suspect, sizeof(f->suspect))) < 0 ||
            (r = get_string(p, o, "suspect_name", f->suspect_name, sizeof(f->suspect_name))) < 0 ||
            (r = get_string(p, o, "known_error_id", f->known_error_id, sizeof(f->known_error_id))) < 0 ||
            (r = get_string(p, o, "reason", f->reason, sizeof(f->reason))) < 0 ||
            (r = get_uint(p, o, "confidence", 100, &confidence)) < 0 ||
            (r = get_uint(p, o, "time_usec", UINT64_MAX, &f->time_usec)) < 0 ||
            (r = get_uint(p, o, "evidence_total", UINT64_MAX, &f->n_evidence_total)) < 0 ||
            (r = ereports_from_json(p, o, "evidence", f->evidence, FAULT_EVIDENCE_MAX, &f->n_evidence)) < 0)
                return r;
        f->class = fault_class_from_string(class);
        f->action = fault_action_from_string(action);
        f->suspect_type = ci_type_from_string(type);
        if (f->class < 0 || f->action < 0 || f->suspect_type < 0)
                return bad(p, "unknown fault class '%s', action '%s' or CI type '%s'", class, action, type);
        f->confidence_pct = (unsigned) confidence;
        symptoms = get_array(p, o, "symptoms", FAULT_SYMPTOMS_MAX, &r);
        if (!symptoms)
                return r;
        for (size_t i = 0; i < json_object_array_length(symptoms); i++) {
                json_object *x = json_object_array_get_idx(symptoms, i);
                if (!json_object_is_type(x, json_type_string) || strlen(json_object_get_string(x)) >= EREPORT_CI_ID_MAX)
                        return bad(p, "'symptoms' holds something other than a CI id");
                memcpy(f->symptoms[i], json_object_get_string(x), strlen(json_object_get_string(x)) + 1);
        }
        f->n_symptoms = json_object_array_length(symptoms);
        *ret = TAKE_PTR(f);
        return 0;
}

static int serd_from_json(Parse *p, json_object *serd, size_t k, SerdParams params, SerdEngine *ret) {
        json_object *o = json_get_typed(serd, serd_engine_names[k], json_type_object), *times;
        usec_t t[SERD_N_MAX];
        bool fired = false;
        int r;

        if (!o) {
                if (json_object_object_get_ex(serd, serd_engine_names[k], NULL))
                        return bad(p, "SERD engine '%s' is not an object", serd_engine_names[k]);
                serd_init(ret, params);
                return 0;
        }
        times = get_array(p, o, "times", SERD_N_MAX, &r);
        if (!times)
                return r;
        if ((r = get_bool(p, o, "fired", &fired)) < 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(times); i++) {
                json_object *x = json_object_array_get_idx(times, i);
                if (!json_object_is_type(x, json_type_int) || json_object_get_int64(x) < 0)
                        return bad(p, "SERD engine '%s' has a time that is not a positive integer", serd_engine_names[k]);
                t[i] = json_object_get_uint64(x);
        }
        if (serd_load(ret, params, t, (unsigned) json_object_array_length(times), fired) < 0)
                return bad(p, "SERD engine '%s' has times out of order", serd_engine_names[k]);
        return 0;
}

/* One node, without its controller link (resolved once all are read). */
/* Node ids and names are CI ids and kernel names of any length (a
 * controller node is named by its CI id: "controller-pci-0000:01:00.0-host0"). */
#define NODE_STRING_MAX 1024

static int node_from_json(Parse *p, Diagnosis *d, json_object *o, bool new_boot) {
        char id[NODE_STRING_MAX], name[NODE_STRING_MAX], type[32];
        json_object *serd, *open, *v;
        uint64_t u;
        CiType t;
        Node *n;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return bad(p, "a node is not an object");
        if ((r = get_string(p, o, "id", id, sizeof(id))) < 0)
                return r;
        snprintf(p->where, sizeof(p->where), "node '%.*s'", EREPORT_CI_ID_MAX, id);
        if ((r = get_string(p, o, "name", name, sizeof(name))) < 0 ||
            (r = get_string(p, o, "type", type, sizeof(type))) < 0)
                return r;
        t = ci_type_from_string(type);
        if (t < 0)
                return bad(p, "unknown CI type '%s'", type);
        if (hashmap_get(d->nodes, id))
                return bad(p, "appears twice");
        n = node_get(d, id, name, t);
        if (!n)
                return -ENOMEM;
        if ((r = get_bool(p, o, "in_array", &n->in_array)) < 0 || (r = get_bool(p, o, "is_path", &n->is_path)) < 0)
                return r;
        serd = json_get_typed(o, "serd", json_type_object);
        if (!serd)
                return bad(p, "'serd' is missing or not an object");
        for (size_t k = 0; k < SERD_ENGINES; k++) {
                r = serd_from_json(p, serd, k, params_serd(&d->p, k), node_serd(n, k));
                if (r < 0)
                        return r;
        }
        if (json_object_object_get_ex(o, "transport_usec", NULL)) {
                if ((r = get_uint(p, o, "transport_usec", UINT64_MAX, &n->last_transport_usec)) < 0)
                        return r;
                n->has_transport = true;
        }
        /* A failed path is this boot's state: after a reboot the map is
         * re-read and a path still failed is reported again. */
        if (json_object_object_get_ex(o, "path_failed_since", NULL)) {
                if ((r = get_uint(p, o, "path_failed_since", UINT64_MAX, &n->path_failed_since)) < 0)
                        return r;
                n->path_failed = !new_boot;
        }
        open = get_array(p, o, "open", _FAULT_CLASS_MAX, &r);
        if (!open)
                return r;
        for (size_t i = 0; i < json_object_array_length(open); i++) {
                FaultClass c = fault_class_from_string(json_object_get_string(json_object_array_get_idx(open, i)));
                if (c < 0)
                        return bad(p, "'open' names an unknown fault class");
                n->open[c] = true;
        }
        v = json_get_typed(o, "pending", json_type_object);
        if (v && (r = fault_from_json(p, v, &n->pending)) < 0)
                return r;
        if ((r = ereports_from_json(p, o, "recent", n->recent, NODE_RECENT, &n->n_recent)) < 0 ||
            (r = get_uint(p, o, "recent_head", NODE_RECENT / 2 - 1, &u)) < 0)
                return r;
        n->recent_head = (size_t) u;
        if ((r = get_uint(p, o, "total", UINT64_MAX, &n->n_total)) < 0)
                return r;
        p->where[0] = '\0';
        return 0;
}

static int link_controller(Parse *p, Diagnosis *d, json_object *o) {
        const char *id = json_get_str(o, "id"), *cid = json_get_str(o, "controller");
        Node *n = hashmap_get(d->nodes, id), *c;

        if (!cid)
                return 0;
        c = hashmap_get(d->nodes, cid);
        snprintf(p->where, sizeof(p->where), "node '%.*s'", EREPORT_CI_ID_MAX, id);
        if (!c || c == n)
                return bad(p, "controller '%s' is not a node of the snapshot", cid);
        p->where[0] = '\0';
        n->controller = c;
        return node_add_child(c, n);
}

/* The text as a JSON object of our version.  Return: 0 and *ret (put it),
 * -EBADMSG with the reason. */
static int parse_envelope(Parse *p, const char *text, json_object **ret) {
        json_object *o;
        uint64_t version = 0;
        int r;

        assert(text && p->reason && p->size > 0);
        p->reason[0] = '\0';
        o = json_tokener_parse(text);
        if (!o || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return bad(p, "not a JSON object");
        }
        r = get_uint(p, o, "version", UINT64_MAX, &version);
        if (r >= 0 && version != DIAG_SNAPSHOT_VERSION)
                r = bad(p, "version %" PRIu64 ", this storguard reads version %d", version, DIAG_SNAPSHOT_VERSION);
        if (r < 0) {
                json_object_put(o);
                return r;
        }
        *ret = o;
        return 0;
}

static void nodes_free(Hashmap *h) {
        Node *n;

        HASHMAP_FOREACH(n, h)
                node_free(n);
        hashmap_free(h);
}

int diagnosis_restore(Diagnosis *d, const char *text, bool new_boot, char *ret_reason, size_t reason_size) {
        Parse p = { .reason = ret_reason, .size = reason_size };
        json_object *o = NULL, *nodes;
        Hashmap *old = d->nodes;
        int r;

        assert(d);
        r = parse_envelope(&p, text, &o);
        if (r < 0)
                return r;
        nodes = get_array(&p, o, "nodes", SIZE_MAX, &r);
        if (r < 0) {
                json_object_put(o);
                return r;
        }

        /* Read into a fresh map; the old one stays until all of it fits. */
        d->nodes = hashmap_new();
        if (!d->nodes)
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < json_object_array_length(nodes); i++)
                r = node_from_json(&p, d, json_object_array_get_idx(nodes, i), new_boot);
        for (size_t i = 0; r >= 0 && i < json_object_array_length(nodes); i++)
                r = link_controller(&p, d, json_object_array_get_idx(nodes, i));
        json_object_put(o);
        if (r < 0) {
                if (d->nodes)
                        nodes_free(d->nodes);
                d->nodes = old;
                if (r == -ENOMEM)
                        snprintf(ret_reason, reason_size, "out of memory");
                return r;
        }
        nodes_free(old);
        return 0;
}

/* --- fail-slow windows ---------------------------------------------------
 *
 *   { "version": 1, "interval_usec": N,
 *     "rings": [ { "key", "last_usec", "flagged", "windows": [ [latency_usec, ios], ... ] } ] }
 */

int failslow_rings_snapshot(const FailSlowNamedRing *rings, size_t n, usec_t interval_usec, char **ret) {
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        char *s;
        int r = 0;

        if (!o || !a) {
                json_object_put(o);
                json_object_put(a);
                return -ENOMEM;
        }
        r |= json_put_u64(o, "version", DIAG_SNAPSHOT_VERSION);
        r |= json_put_u64(o, "interval_usec", interval_usec);
        r |= json_put_new(o, "rings", a);
        for (size_t i = 0; r == 0 && i < n; i++) {
                json_object *x = json_object_new_object(), *w = json_object_new_array();

                r |= json_object_array_add(a, x);
                r |= json_put_new(x, "windows", w);
                for (unsigned k = 0; r == 0 && k < rings[i].ring->n; k++) {
                        json_object *pair = json_object_new_array();
                        r |= json_object_array_add(w, pair);
                        r |= json_object_array_add(pair, json_object_new_uint64(rings[i].ring->windows[k].latency_usec));
                        r |= json_object_array_add(pair, json_object_new_uint64(rings[i].ring->windows[k].ios));
                }
                r |= json_put_str(x, "key", rings[i].key);
                r |= json_put_u64(x, "last_usec", rings[i].ring->last_usec);
                r |= json_put_bool(x, "flagged", rings[i].ring->flagged);
        }
        s = r == 0 ? strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) : NULL;
        json_object_put(o);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int ring_from_json(Parse *p, json_object *o, FailSlowRing *ret) {
        FailSlowRing x = {};
        json_object *w;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return bad(p, "a ring is not an object");
        if (!json_get_str(o, "key"))
                return bad(p, "'key' is missing or not a string");
        snprintf(p->where, sizeof(p->where), "ring '%.*s'", EREPORT_CI_ID_MAX - 1, json_get_str(o, "key"));
        if ((r = get_uint(p, o, "last_usec", UINT64_MAX, &x.last_usec)) < 0 || (r = get_bool(p, o, "flagged", &x.flagged)) < 0)
                return r;
        w = get_array(p, o, "windows", FAILSLOW_RING_MAX, &r);
        if (!w)
                return r;
        for (size_t k = 0; k < json_object_array_length(w); k++) {
                json_object *pair = json_object_array_get_idx(w, k), *a, *b;

                if (!json_object_is_type(pair, json_type_array) || json_object_array_length(pair) != 2 ||
                    !json_object_is_type(a = json_object_array_get_idx(pair, 0), json_type_int) ||
                    !json_object_is_type(b = json_object_array_get_idx(pair, 1), json_type_int) ||
                    json_object_get_int64(a) < 0 || json_object_get_int64(b) < 0)
                        return bad(p, "window %zu is not [latency_usec, ios]", k);
                x.windows[k] = (FailSlowSample) { .latency_usec = json_object_get_uint64(a), .ios = json_object_get_uint64(b) };
        }
        x.n = (unsigned) json_object_array_length(w);
        p->where[0] = '\0';
        *ret = x;
        return 0;
}

int failslow_rings_restore(const char *text, usec_t interval_usec, FailSlowRingFn fn, void *userdata, char *ret_reason,
                           size_t reason_size) {
        Parse p = { .reason = ret_reason, .size = reason_size };
        _cleanup_free_ FailSlowRing *rings = NULL;
        json_object *o = NULL, *a = NULL;
        uint64_t interval = 0;
        size_t n = 0;
        int r;

        r = parse_envelope(&p, text, &o);
        if (r < 0)
                return r;
        r = get_uint(&p, o, "interval_usec", UINT64_MAX, &interval);
        if (r >= 0)
                a = get_array(&p, o, "rings", SIZE_MAX, &r);
        if (r >= 0) {
                n = json_object_array_length(a);
                rings = new0(FailSlowRing, MAX(n, (size_t) 1));
                if (!rings)
                        r = -ENOMEM;
        }
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = ring_from_json(&p, json_object_array_get_idx(a, i), &rings[i]);
        /* Valid, but sampled at another rate: nothing to resume. */
        for (size_t i = 0; r >= 0 && interval == interval_usec && i < n; i++)
                r = fn(json_get_str(json_object_array_get_idx(a, i), "key"), &rings[i], userdata);
        json_object_put(o);
        return r;
}
