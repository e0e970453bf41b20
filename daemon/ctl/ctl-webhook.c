/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* storguardctl webhook: test, status, retry. */

#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "alloc-util.h"
#include "configuration.h"
#include "ctl-webhook.h"
#include "log.h"
#include "store.h"
#include "string-util.h"
#include "webhook.h"

/* How long `webhook test` waits for every answer: the endpoints' own
 * timeouts end each attempt before this; it only bounds the tool. */
#define CTL_WEBHOOK_TEST_DEADLINE_USEC (5 * USEC_PER_MINUTE)

typedef struct TestRun {
        unsigned started, answered, failed;
        bool json;
        json_object *out;
        sd_event *event;
} TestRun;

static void on_answer(const WebhookTestResult *r, void *userdata) {
        TestRun *t = userdata;
        bool ok = r->http_status >= 200 && r->http_status <= 299;
        _cleanup_free_ char *body = strdup_printable(r->body, WEBHOOK_RESPONSE_MAX_BYTES);

        if (!ok)
                t->failed++;
        if (t->json) {
                json_object *o = json_object_new_object();

                if (o) {
                        json_object_object_add(o, "endpoint", json_object_new_string(r->endpoint));
                        json_object_object_add(o, "event_id", json_object_new_string(r->event_id));
                        json_object_object_add(o, "http_status", json_object_new_int64(r->http_status));
                        if (r->error)
                                json_object_object_add(o, "error", json_object_new_string(r->error));
                        json_object_object_add(o, "body", json_object_new_string(strempty(body)));
                        json_object_object_add(o, "duration_usec", json_object_new_uint64(r->duration_usec));
                        json_object_object_add(o, "ok", json_object_new_boolean(ok));
                        json_object_array_add(t->out, o);
                }
        } else if (r->error)
                printf("%s: no answer after %" PRIu64 " ms: %s\n", r->endpoint, r->duration_usec / USEC_PER_MSEC, r->error);
        else
                printf("%s: HTTP %ld in %" PRIu64 " ms (%s)%s%s\n", r->endpoint, r->http_status,
                       r->duration_usec / USEC_PER_MSEC, ok ? "delivered" : "not accepted",
                       isempty(body) ? "" : ": ", strempty(body));
        if (++t->answered >= t->started)
                (void) sd_event_exit(t->event, 0);
}

static int webhook_test(const Config *c, const char *endpoint, bool json) {
        _cleanup_(webhook_freep) Webhook *w = NULL;
        sd_event *e = NULL;
        sd_event_source *deadline = NULL;
        TestRun t = { .json = json };
        char host[HOST_NAME_MAX + 1] = {};
        int r;

        r = sd_event_new(&e);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate an event loop: %m");
        t.event = e;
        if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
                strcpy(host, "localhost");
        r = webhook_new(e, &c->webhook, host, &w);
        if (r < 0)
                goto finish;
        if (webhook_n_endpoints(w) == 0) {
                r = log_error_errno(ENOENT, "No webhook endpoint is configured ([Webhook] URL= or [Webhook.NAME]).");
                goto finish;
        }
        if (json && !(t.out = json_object_new_array())) {
                r = log_oom();
                goto finish;
        }
        r = webhook_send_test(w, endpoint, now(CLOCK_REALTIME), on_answer, &t);
        if (r == -ENOENT) {
                r = log_error_errno(r, "No webhook endpoint '%s' is configured.", endpoint);
                goto finish;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to send the test event: %m");
                goto finish;
        }
        t.started = (unsigned) r;
        r = sd_event_add_time_relative(e, &deadline, CLOCK_MONOTONIC, CTL_WEBHOOK_TEST_DEADLINE_USEC, USEC_PER_SEC,
                                       NULL, NULL); /* NULL handler: the loop ends */
        if (r >= 0)
                r = sd_event_loop(e);
        if (r < 0) {
                log_error_errno(r, "Event loop failed: %m");
                goto finish;
        }
        if (t.answered < t.started)
                log_error("Gave up waiting for %u of %u answers.", t.started - t.answered, t.started);
        if (json)
                puts(json_object_to_json_string_ext(t.out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        r = t.failed > 0 || t.answered < t.started ? 1 : 0;
finish:
        json_object_put(t.out);
        sd_event_source_disable_unref(deadline);
        w = webhook_free(w);
        sd_event_unref(e);
        return r;
}

typedef struct StatusRow {
        char *endpoint;
        bool configured;
        OutboxStats s;
        char *last_error;
} StatusRow;

typedef struct Status {
        StatusRow *rows;
        size_t n;
} Status;

static StatusRow *status_row(Status *st, const char *endpoint) {
        StatusRow *n;

        for (size_t k = 0; k < st->n; k++)
                if (streq(st->rows[k].endpoint, endpoint))
                        return &st->rows[k];
        n = realloc(st->rows, (st->n + 1) * sizeof(*n));
        if (!n)
                return NULL;
        st->rows = n;
        n = &st->rows[st->n];
        *n = (StatusRow) { .endpoint = strdup(endpoint) };
        if (!n->endpoint)
                return NULL;
        st->n++;
        return n;
}

static int on_stats(const OutboxStats *x, void *userdata) {
        StatusRow *row = status_row(userdata, x->endpoint);

        if (!row)
                return -ENOMEM;
        row->s = *x;
        row->s.endpoint = NULL;
        row->last_error = x->last_error ? strdup_printable(x->last_error, 200) : NULL;
        row->s.last_error = NULL;
        return 0;
}

static const char *stamp(char *buf, size_t l, usec_t t) {
        return t == 0 ? "-" : format_timestamp_utc(buf, l, t);
}

static int webhook_status(const Config *c, Store *s, bool json) {
        WebhookEndpointConfig *l = NULL;
        size_t n = 0;
        Status st = {};
        int r;

        r = webhook_config_resolve(&c->webhook, &l, &n);
        if (r < 0)
                return r;
        for (size_t k = 0; k < n; k++) {
                StatusRow *row = status_row(&st, l[k].name);
                if (!row) {
                        r = log_oom();
                        goto finish;
                }
                row->configured = true;
        }
        r = store_outbox_endpoint_stats(s, on_stats, &st);
        if (r < 0) {
                log_error_errno(r, "Failed to read the outbox of '%s': %m", store_path(s));
                goto finish;
        }

        if (json) {
                json_object *a = json_object_new_array();

                for (size_t k = 0; a && k < st.n; k++) {
                        StatusRow *x = &st.rows[k];
                        json_object *o = json_object_new_object();

                        if (!o)
                                break;
                        json_object_object_add(o, "endpoint", json_object_new_string(x->endpoint));
                        json_object_object_add(o, "configured", json_object_new_boolean(x->configured));
                        json_object_object_add(o, "pending", json_object_new_uint64(x->s.pending));
                        json_object_object_add(o, "dead", json_object_new_uint64(x->s.dead));
                        json_object_object_add(o, "delivered", json_object_new_uint64(x->s.delivered));
                        json_object_object_add(o, "oldest_pending_usec", json_object_new_uint64(x->s.oldest_pending_usec));
                        json_object_object_add(o, "last_delivered_usec", json_object_new_uint64(x->s.last_delivered_usec));
                        json_object_object_add(o, "last_error_usec", json_object_new_uint64(x->s.last_error_usec));
                        if (x->last_error)
                                json_object_object_add(o, "last_error", json_object_new_string(x->last_error));
                        json_object_array_add(a, o);
                }
                if (!a) {
                        r = log_oom();
                        goto finish;
                }
                puts(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(a);
        } else {
                printf("%-16s %8s %6s %10s  %-27s  %-27s  %s\n", "ENDPOINT", "PENDING", "DEAD", "DELIVERED",
                       "OLDEST PENDING", "LAST SUCCESS", "LAST ERROR");
                for (size_t k = 0; k < st.n; k++) {
                        StatusRow *x = &st.rows[k];
                        char a[FORMAT_TIMESTAMP_MAX], b[FORMAT_TIMESTAMP_MAX], e[FORMAT_TIMESTAMP_MAX];

                        printf("%-16s %8" PRIu64 " %6" PRIu64 " %10" PRIu64 "  %-27s  %-27s  %s%s%s%s\n",
                               x->endpoint, x->s.pending, x->s.dead, x->s.delivered,
                               stamp(a, sizeof(a), x->s.oldest_pending_usec),
                               stamp(b, sizeof(b), x->s.last_delivered_usec),
                               x->last_error ? stamp(e, sizeof(e), x->s.last_error_usec) : "-",
                               x->last_error ? " " : "", strempty(x->last_error),
                               x->configured ? "" : " (endpoint no longer configured)");
                }
        }
        r = 0;
finish:
        for (size_t k = 0; k < st.n; k++) {
                free(st.rows[k].endpoint);
                free(st.rows[k].last_error);
        }
        free(st.rows);
        webhook_endpoint_configs_free(l, n);
        return r;
}

int verb_webhook(char *const *args, const char *config_path, bool config_explicit, const char *state_dir, bool json) {
        _cleanup_(store_closep) Store *s = NULL;
        Config c = {};
        const char *verb = args[0], *endpoint;
        int r;

        if (!verb || (!streq(verb, "test") && !streq(verb, "status") && !streq(verb, "retry")))
                return log_error_errno(EINVAL, "'webhook' needs one of: test [ENDPOINT], status, retry [ENDPOINT].");
        endpoint = args[1];
        if (endpoint && args[2])
                return log_error_errno(EINVAL, "'webhook %s' takes at most one ENDPOINT.", verb);
        if (endpoint && streq(verb, "status"))
                return log_error_errno(EINVAL, "'webhook status' takes no ENDPOINT.");

        r = config_load(&c, config_path, !config_explicit);
        if (r < 0)
                goto finish;

        if (streq(verb, "test")) {
                r = webhook_test(&c, endpoint, json);
                goto finish;
        }

        r = store_open(state_dir ?: c.state_directory, STORE_SYNC_FULL, &s, NULL);
        if (r < 0) {
                log_error_errno(r, "Failed to open the store in '%s': %m", state_dir ?: c.state_directory);
                goto finish;
        }
        if (streq(verb, "status"))
                r = webhook_status(&c, s, json);
        else {
                r = store_outbox_requeue_dead(s, endpoint, now(CLOCK_REALTIME));
                if (r < 0)
                        log_error_errno(r, "Failed to re-queue dead letters in '%s': %m", store_path(s));
                else {
                        printf("%d dead letter%s re-queued%s%s%s.\n", r, r == 1 ? "" : "s",
                               endpoint ? " for '" : "", strempty(endpoint), endpoint ? "'" : "");
                        if (r > 0)
                                printf("A running storguardd sends them within %" PRIu64 " s.\n",
                                       (uint64_t) (WEBHOOK_RESYNC_INTERVAL_USEC / USEC_PER_SEC));
                        r = 0;
                }
        }
finish:
        config_done(&c);
        return r;
}
