/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The webhook notifier end to end: the real notifier (libcurl multi on
 * sd-event, OpenSSL, the SQLite outbox) against a real HTTP(S) receiver
 * process on 127.0.0.1 (tests/webhook/receiver.py) that verifies every
 * signature with Python's hmac and every native payload against the JSON
 * Schema.  Retry schedules are compressed through the configuration
 * (milliseconds instead of seconds); nothing sleeps: the tests wait on the
 * event loop or on the receiver's /wait. */

#include <sys/stat.h>

#include "webhook-test-helpers.h"

#include "incident-manager.h"
#include "webhook-sign.h"

#define T_SEC (30 * USEC_PER_SEC) /* the bound of every wait */

/* Compressed: 20 ms doubling to 200 ms instead of 5 s to 1 h. */
#define FAST "RetryInitialSec=20ms\nRetryMaxSec=200ms\nConnectTimeoutSec=2s\nTimeoutSec=5s\n"

typedef struct Fixture {
        char *dir;
        Receiver rx;
        sd_event *event;
        Store *store;
        TestConfig config;
        Webhook *webhook;
        char *secret_path;
        LogCapture log;
} Fixture;

static const char secret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        f->dir = scratch_dir();
        log_set_max_level(LOG_WARNING);
        assert_int_equal(sd_event_new(&f->event), 0);
        assert_int_equal(store_open(f->dir, STORE_SYNC_NORMAL, &f->store, NULL), 0);
        f->secret_path = write_secret(f->dir, "secret", secret, 0600);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        log_capture_free(&f->log);
        webhook_free(f->webhook);
        webhook_config_done(&f->config.webhook);
        store_close(f->store);
        sd_event_unref(f->event);
        receiver_stop(&f->rx);
        rm_rf(f->dir);
        free(f->secret_path);
        free(f->dir);
        free(f);
        return 0;
}

static void start_receiver(Fixture *f, int port) {
        char *extra[] = { (char *) "--secret", f->secret_path, (char *) "--schema", (char *) SCHEMA, NULL };
        receiver_start_argv(&f->rx, port, extra);
}

/* start_webhook() - the notifier with config (printf-style, one %d for
 * the receiver's port per endpoint). */
static void start_webhook(Fixture *f, const char *config) {
        assert_int_equal(test_config_load(&f->config, f->dir, config), 0);
        assert_int_equal(webhook_new(f->event, &f->config.webhook, "host1.example", &f->webhook), 0);
        assert_int_equal(webhook_start(f->webhook, f->store), 0);
}

static char *cfg(const char *fmt, ...) _printf_(1, 2);
static char *cfg(const char *fmt, ...) {
        va_list ap;
        char *s;

        va_start(ap, fmt);
        assert_true(vasprintf(&s, fmt, ap) > 0);
        va_end(ap);
        return s;
}

static size_t count_for_path(json_object *reqs, const char *path) {
        size_t n = 0;

        for (size_t k = 0; k < json_object_array_length(reqs); k++)
                if (streq_ptr(req_str(json_object_array_get_idx(reqs, k), "path"), path))
                        n++;
        return n;
}

static bool req_bool(json_object *req, const char *k, bool *ret) {
        json_object *v;

        if (!json_object_object_get_ex(req, k, &v) || !json_object_is_type(v, json_type_boolean))
                return false;
        *ret = json_object_get_boolean(v);
        return true;
}

static const char *const types[] = { "raised", "updated", "mitigated", "resolved", "closed" };

typedef struct TestAnswers {
        unsigned n;
        long status[8];
} TestAnswers;

static void on_test(const WebhookTestResult *r, void *userdata) {
        TestAnswers *a = userdata;
        a->status[a->n++] = r->http_status;
}

static bool cond_tests(void *userdata) {
        return ((TestAnswers *) userdata)->n >= 4;
}

/* Every event type in every format, signed, then a test event to each;
 * each body checked here and by the receiver (signature, JSON Schema). */
static void test_every_type_every_format(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *c = NULL, *rk = write_secret(f->dir, "routing", "R0UT1NGKEY0123456789abcdef012345\n", 0600);
        _cleanup_(incident_freep) Incident *i = make_incident("host1-7", IMPACT_REDUNDANCY_LOST, URGENCY_HIGH,
                                                              INCIDENT_CATEGORY_DISK, now(CLOCK_REALTIME));
        TestAnswers answers = {};
        json_object *reqs;

        start_receiver(f, 0);
        if (!f->rx.jsonschema)
                print_message("python3-jsonschema missing: native payloads checked structurally only\n");
        c = cfg("[Webhook]\nSecretFile=%s\n" FAST
                "[Webhook.native]\nURL=http://127.0.0.1:%d/native\n"
                "[Webhook.ce]\nURL=http://127.0.0.1:%d/ce\nFormat=cloudevents\n"
                "[Webhook.am]\nURL=http://127.0.0.1:%d/am\nFormat=alertmanager\n"
                "[Webhook.pd]\nURL=http://127.0.0.1:%d/pd\nFormat=pagerduty\nRoutingKeyFile=%s\n",
                f->secret_path, f->rx.port, f->rx.port, f->rx.port, f->rx.port, rk);
        start_webhook(f, c);

        for (size_t k = 0; k < ELEMENTSOF(types); k++)
                assert_int_equal(change(f->webhook, f->store, i, types[k], now(CLOCK_REALTIME)), 4);
        run_until(f->event, cond_idle, f->webhook, T_SEC);
        assert_int_equal(webhook_send_test(f->webhook, NULL, now(CLOCK_REALTIME), on_test, &answers), 4);
        run_until(f->event, cond_tests, &answers, T_SEC);
        for (unsigned k = 0; k < 4; k++)
                assert_int_equal(answers.status[k], 200);
        assert_int_equal(webhook_send_test(f->webhook, "nope", now(CLOCK_REALTIME), on_test, &answers), -ENOENT);

        reqs = receiver_requests(&f->rx);
        assert_int_equal(json_object_array_length(reqs), 24);
        assert_int_equal(count_for_path(reqs, "/native"), 6);
        assert_int_equal(count_for_path(reqs, "/ce"), 6);
        assert_int_equal(count_for_path(reqs, "/am"), 6);
        assert_int_equal(count_for_path(reqs, "/pd"), 6);

        for (size_t k = 0, seen[4] = {}; k < json_object_array_length(reqs); k++) {
                json_object *req = json_object_array_get_idx(reqs, k), *b = req_body(req);
                const char *path = req_str(req, "path");
                bool ok = false;
                /* Per endpoint the order is the incident's: seq 1..5, then the test. */
                size_t which = streq(path, "/native") ? 0 : streq(path, "/ce") ? 1 : streq(path, "/am") ? 2 : 3;
                size_t nth = seen[which]++;
                const char *type = nth < 5 ? types[nth] : "test";

                assert_true(req_bool(req, "sig_ok", &ok));
                assert_true(ok);
                assert_non_null(req_header(req, "webhook-id"));
                assert_null(strchr(req_header(req, "webhook-id"), '.'));
                assert_non_null(strstr(req_header(req, "user-agent"), "storguard/"));

                if (which == 0) {
                        assert_string_equal(req_header(req, "content-type"), "application/json");
                        assert_string_equal(jpath(b, "schema", NULL), "storguard.webhook/1");
                        assert_string_equal(jpath(b, "event_type", NULL), type);
                        if (nth < 5) {
                                char id[32];

                                snprintf(id, sizeof(id), "host1-7.%zu", nth + 1);
                                assert_string_equal(jpath(b, "event_id", NULL), id);
                                assert_string_equal(jpath(b, "incident", "dedup_key"), i->dedup_key);
                        }
                        /* The receiver validated it against the JSON Schema
                         * (unless python3-jsonschema is missing: said below). */
                        if (f->rx.jsonschema) {
                                assert_true(req_bool(req, "schema_ok", &ok));
                                assert_true(ok);
                        }
                } else if (which == 1) {
                        char want[64];

                        assert_string_equal(req_header(req, "content-type"), "application/cloudevents+json; charset=utf-8");
                        assert_string_equal(jpath(b, "specversion", NULL), "1.0");
                        snprintf(want, sizeof(want), "org.storguard.incident.%s", type);
                        assert_string_equal(jpath(b, "type", NULL), want);
                        assert_string_equal(jpath(b, "source", NULL), "/storguard/host1.example");
                        assert_string_equal(jpath(b, "datacontenttype", NULL), "application/json");
                        assert_string_equal(jpath(b, "id", NULL), jpath(json_object_object_get(b, "data"), "event_id", NULL));
                        assert_non_null(jpath(b, "time", NULL));
                } else if (which == 2) {
                        json_object *alerts = json_object_object_get(b, "alerts"), *a0;
                        bool resolved = nth == 3 || nth == 4;

                        assert_string_equal(jpath(b, "version", NULL), "4");
                        assert_string_equal(jpath(b, "receiver", NULL), "am");
                        assert_non_null(jpath(b, "groupKey", NULL));
                        assert_string_equal(jpath(b, "status", NULL), resolved ? "resolved" : "firing");
                        assert_int_equal(json_object_array_length(alerts), 1);
                        a0 = json_object_array_get_idx(alerts, 0);
                        assert_string_equal(jpath(a0, "labels", "alertname"), "StorguardDisk");
                        assert_string_equal(jpath(a0, "labels", "instance"), "host1.example");
                        assert_string_equal(jpath(a0, "labels", "ci"), nth < 5 ? i->ci_id : "test");
                        assert_non_null(jpath(a0, "labels", "severity"));
                        assert_non_null(jpath(a0, "annotations", "summary"));
                        assert_int_equal(strlen(jpath(a0, "fingerprint", NULL)), 16);
                        if (resolved)
                                assert_string_not_equal(jpath(a0, "endsAt", NULL), "0001-01-01T00:00:00Z");
                        else
                                assert_string_equal(jpath(a0, "endsAt", NULL), "0001-01-01T00:00:00Z");
                } else {
                        static const char *const action[] = { "trigger", "trigger", "acknowledge", "resolve", "resolve",
                                                              "trigger" };

                        assert_string_equal(jpath(b, "routing_key", NULL), "R0UT1NGKEY0123456789abcdef012345");
                        assert_string_equal(jpath(b, "event_action", NULL), action[nth]);
                        if (nth < 5)
                                assert_string_equal(jpath(b, "dedup_key", NULL), i->dedup_key);
                        assert_string_equal(jpath(b, "payload", "source"), "host1.example");
                        assert_string_equal(jpath(b, "payload", "severity"), webhook_severity(nth < 5 ? i->priority : 5, WEBHOOK_FORMAT_PAGERDUTY));
                        assert_non_null(jpath(b, "payload", "summary"));
                }
                json_object_put(b);
        }
        json_object_put(reqs);
}

/* Filters: MinPriority= and Categories= per endpoint. */
static void test_filters(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *c = NULL;
        _cleanup_(incident_freep) Incident *p2disk = make_incident("host1-1", IMPACT_REDUNDANCY_LOST, URGENCY_HIGH,
                                                                   INCIDENT_CATEGORY_DISK, now(CLOCK_REALTIME));
        _cleanup_(incident_freep) Incident *p5ctl = make_incident("host1-2", IMPACT_NONE_YET, URGENCY_LOW,
                                                                  INCIDENT_CATEGORY_CONTROLLER, now(CLOCK_REALTIME));
        json_object *reqs;

        start_receiver(f, 0);
        c = cfg("[Webhook]\n" FAST
                "[Webhook.urgent]\nURL=http://127.0.0.1:%d/urgent\nMinPriority=2\n"
                "[Webhook.controllers]\nURL=http://127.0.0.1:%d/ctl\nCategories=controller path\n",
                f->rx.port, f->rx.port);
        start_webhook(f, c);
        assert_true(p2disk->priority <= 2);
        assert_int_equal(p5ctl->priority, 5);
        assert_int_equal(change(f->webhook, f->store, p2disk, "raised", now(CLOCK_REALTIME)), 1);
        assert_int_equal(change(f->webhook, f->store, p5ctl, "raised", now(CLOCK_REALTIME)), 1);
        run_until(f->event, cond_idle, f->webhook, T_SEC);
        reqs = receiver_requests(&f->rx);
        assert_int_equal(count_for_path(reqs, "/urgent"), 1);
        assert_int_equal(count_for_path(reqs, "/ctl"), 1);
        json_object_put(reqs);
}

typedef struct Counts {
        Webhook *w;
        uint64_t retried, dead, delivered;
} Counts;

static bool cond_stats(void *userdata) {
        Counts *c = userdata;
        WebhookStats s;

        webhook_get_stats(c->w, &s);
        return s.retried >= c->retried && s.dead >= c->dead && s.delivered >= c->delivered;
}

static double req_time(json_object *reqs, size_t k) {
        return json_object_get_double(json_object_object_get(json_object_array_get_idx(reqs, k), "time"));
}

static int collect_state(const OutboxEntry *e, void *userdata) {
        char **last = userdata;

        free(*last);
        *last = e->last_error ? strdup(e->last_error) : NULL;
        return 0;
}

/* 500 and 503 are retried (backoff), 429 with Retry-After in seconds and as
 * an HTTP date is honoured, a 404 is a dead letter at once with the answer
 * kept, and the next event of the incident goes out after it. */
static void test_status_handling(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *c = NULL, *last_error = NULL, *script = NULL;
        _cleanup_(incident_freep) Incident *i = make_incident("host1-9", IMPACT_DEGRADED, URGENCY_MEDIUM,
                                                              INCIDENT_CATEGORY_PATH, now(CLOCK_REALTIME));
        char date[64];
        time_t in4 = time(NULL) + 4;
        struct tm tm;
        json_object *reqs;
        Counts want;
        uint64_t n;

        start_receiver(f, 0);
        strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&in4, &tm));
        script = cfg("[{\"status\": 500, \"body\": \"database down\"},"
                     " {\"status\": 503},"
                     " {\"status\": 429, \"retry_after\": \"1\"},"
                     " {\"status\": 200},"
                     " {\"status\": 429, \"retry_after\": \"%s\"},"
                     " {\"status\": 404, \"body\": \"no such hook\"},"
                     " {\"status\": 200}]", date);
        receiver_script(&f->rx, script);
        c = cfg("[Webhook]\n" FAST "URL=http://127.0.0.1:%d/hook\n", f->rx.port);
        start_webhook(f, c);

        change(f->webhook, f->store, i, "raised", now(CLOCK_REALTIME));
        change(f->webhook, f->store, i, "updated", now(CLOCK_REALTIME));
        change(f->webhook, f->store, i, "resolved", now(CLOCK_REALTIME));
        want = (Counts) { .w = f->webhook, .retried = 4, .dead = 1, .delivered = 2 };
        run_until(f->event, cond_stats, &want, T_SEC);
        run_until(f->event, cond_idle, f->webhook, T_SEC);

        reqs = receiver_requests(&f->rx);
        assert_int_equal(json_object_array_length(reqs), 7);
        /* seq 1: 500, 503, 429 (1 s), 200; seq 2: 429 (date), 404 dead; seq 3: 200. */
        /* Retry-After: 1 -> not before a second after that answer.  The
         * upper bounds only say "it was retried", loosely: this machine is
         * shared and a loaded run may be slow. */
        assert_true(req_time(reqs, 3) - req_time(reqs, 2) >= 0.99);
        assert_true(req_time(reqs, 3) - req_time(reqs, 2) < 30);
        /* Retry-After as an HTTP date: not before that date (whole
         * seconds), however late the first try went out. */
        assert_true(req_time(reqs, 5) >= (double) in4 - 0.001);
        assert_true(req_time(reqs, 5) - (double) in4 < 30);
        for (size_t k = 0; k < 7; k++) {
                json_object *b = req_body(json_object_array_get_idx(reqs, k));
                static const char *const ids[] = { "host1-9.1", "host1-9.1", "host1-9.1", "host1-9.1",
                                                   "host1-9.2", "host1-9.2", "host1-9.3" };

                assert_string_equal(jpath(b, "event_id", NULL), ids[k]);
                json_object_put(b);
        }
        json_object_put(reqs);

        assert_int_equal(store_outbox_count(f->store, OUTBOX_DEAD, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(store_outbox_foreach(f->store, OUTBOX_DEAD, collect_state, &last_error), 0);
        assert_string_equal(last_error, "HTTP 404: no such hook");
        assert_int_equal(store_outbox_count(f->store, OUTBOX_DELIVERED, &n), 0);
        assert_int_equal(n, 2);

        /* Re-queued on demand, it goes out (the receiver answers 200 now). */
        assert_int_equal(webhook_retry_dead(f->webhook, NULL, now(CLOCK_REALTIME)), 1);
        run_until(f->event, cond_idle, f->webhook, T_SEC);
        assert_int_equal(store_outbox_count(f->store, OUTBOX_DELIVERED, &n), 0);
        assert_int_equal(n, 3);
}

/* An answer slower than TimeoutSec= and a dropped connection are retried. */
static void test_timeouts_and_drops(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *c = NULL;
        _cleanup_(incident_freep) Incident *i = make_incident("host1-3", IMPACT_DEGRADED, URGENCY_MEDIUM,
                                                              INCIDENT_CATEGORY_DISK, now(CLOCK_REALTIME));
        Counts want;
        json_object *reqs;

        start_receiver(f, 0);
        receiver_script(&f->rx, "[{\"delay\": 1.5}, {\"drop\": true}, {\"status\": 200}]");
        c = cfg("[Webhook]\nRetryInitialSec=20ms\nRetryMaxSec=200ms\nTimeoutSec=300ms\nURL=http://127.0.0.1:%d/\n",
                f->rx.port);
        start_webhook(f, c);
        change(f->webhook, f->store, i, "raised", now(CLOCK_REALTIME));
        want = (Counts) { .w = f->webhook, .retried = 2, .delivered = 1 };
        run_until(f->event, cond_stats, &want, T_SEC);
        assert_int_equal(receiver_wait(&f->rx, 3, 10), 3);
        reqs = receiver_requests(&f->rx);
        assert_string_equal(req_str(json_object_array_get_idx(reqs, 1), "answered"), "drop");
        json_object_put(reqs);
}

typedef struct Seen {
        char ids[512][32];
        size_t n;
} Seen;

/* check_order() - every event 1..per of every incident arrived, and for
 * each incident the first arrival of seq N+1 comes after that of N;
 * repeats carry an event id already seen.  Return: the number of repeats. */
static size_t check_order(json_object *reqs, unsigned incidents, unsigned per) {
        unsigned next[64] = {};
        size_t dups = 0;

        assert_true(incidents <= 64);
        for (size_t k = 0; k < json_object_array_length(reqs); k++) {
                json_object *b = req_body(json_object_array_get_idx(reqs, k));
                const char *id = jpath(b, "event_id", NULL);
                unsigned inc, seq;

                assert_int_equal(sscanf(id, "host1-%u.%u", &inc, &seq), 2);
                assert_true(inc < incidents);
                if (seq <= next[inc])
                        dups++; /* at least once: a repeat of a delivered id */
                else {
                        assert_int_equal(seq, next[inc] + 1);
                        next[inc] = seq;
                }
                json_object_put(b);
        }
        for (unsigned k = 0; k < incidents; k++)
                assert_int_equal(next[k], per);
        return dups;
}

static void enqueue_many(Fixture *f, Incident **l, unsigned incidents, unsigned per) {
        for (unsigned s = 0; s < per; s++)
                for (unsigned k = 0; k < incidents; k++) {
                        if (!l[k]) {
                                char id[32];

                                snprintf(id, sizeof(id), "host1-%u", k);
                                l[k] = make_incident(id, IMPACT_REDUNDANCY_LOST, URGENCY_MEDIUM, INCIDENT_CATEGORY_ARRAY,
                                                     now(CLOCK_REALTIME));
                        }
                        assert_int_equal(change(f->webhook, f->store, l[k], s == 0 ? "raised" : "updated",
                                                now(CLOCK_REALTIME)),
                                         1);
                }
}

/* The receiver is down (connection refused) while 10 incidents change 5
 * times each; the notifier keeps probing; the receiver comes back on the
 * same port: everything arrives, in order per incident. */
static void test_receiver_down_then_up(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *c = NULL;
        Incident *l[10] = {};
        json_object *reqs;
        Counts want;
        int port;
        uint64_t n;

        start_receiver(f, 0);
        port = f->rx.port;
        receiver_stop(&f->rx);
        c = cfg("[Webhook]\n" FAST "URL=http://127.0.0.1:%d/\nSecretFile=%s\n", port, f->secret_path);
        start_webhook(f, c);
        enqueue_many(f, l, 10, 5);
        /* Down long enough for the endpoint backoff to reach its ceiling. */
        want = (Counts) { .w = f->webhook, .retried = 12 };
        run_until(f->event, cond_stats, &want, T_SEC);
        assert_int_equal(store_outbox_count(f->store, OUTBOX_PENDING, &n), 0);
        assert_int_equal(n, 50);

        start_receiver(f, port);
        run_until(f->event, cond_idle, f->webhook, T_SEC);
        reqs = receiver_requests(&f->rx);
        assert_int_equal(check_order(reqs, 10, 5), 0);
        assert_int_equal(json_object_array_length(reqs), 50);
        json_object_put(reqs);
        assert_int_equal(store_outbox_count(f->store, OUTBOX_DELIVERED, &n), 0);
        assert_int_equal(n, 50);
        for (size_t k = 0; k < 10; k++)
                incident_free(l[k]);
}

/* MaxAgeSec=: with the receiver down, events become dead letters (kept,
 * counted); re-queued when it is back, they arrive. */
static void test_max_age_dead_letters(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *c = NULL;
        Incident *l[3] = {};
        Counts want;
        int port;
        uint64_t n;

        start_receiver(f, 0);
        port = f->rx.port;
        receiver_stop(&f->rx);
        c = cfg("[Webhook]\n" FAST "MaxAgeSec=300ms\nURL=http://127.0.0.1:%d/\n", port);
        start_webhook(f, c);
        enqueue_many(f, l, 3, 2);
        want = (Counts) { .w = f->webhook, .dead = 6 };
        run_until(f->event, cond_stats, &want, T_SEC);
        run_until(f->event, cond_idle, f->webhook, T_SEC);
        assert_int_equal(store_outbox_count(f->store, OUTBOX_DEAD, &n), 0);
        assert_int_equal(n, 6);

        start_receiver(f, port);
        assert_int_equal(webhook_retry_dead(f->webhook, NULL, now(CLOCK_REALTIME)), 6);
        run_until(f->event, cond_idle, f->webhook, T_SEC);
        assert_int_equal(store_outbox_count(f->store, OUTBOX_DELIVERED, &n), 0);
        assert_int_equal(n, 6);
        for (size_t k = 0; k < 3; k++)
                incident_free(l[k]);
}

/* The notifier process is killed (SIGKILL) while deliveries are in flight;
 * a new one resumes from the outbox: nothing lost, order kept, repeats only
 * of event ids already delivered. */
static void test_killed_mid_delivery(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *c = NULL;
        Incident *l[8] = {};
        json_object *reqs;
        size_t dups;
        pid_t pid;
        int status;

        start_receiver(f, 0);
        /* Slow answers, so that some are in flight when the kill comes. */
        receiver_script(&f->rx, "[{\"delay\": 0.2}, {\"delay\": 0.2}, {\"delay\": 0.2}, {\"delay\": 0.2},"
                                " {\"delay\": 0.2}, {\"delay\": 0.2}, {\"delay\": 0.2}, {\"delay\": 0.2},"
                                " {\"delay\": 0.2}, {\"delay\": 0.2}, {\"delay\": 0.2}, {\"delay\": 0.2}]");
        c = cfg("[Webhook]\n" FAST "MaxParallel=4\nURL=http://127.0.0.1:%d/\n", f->rx.port);
        assert_int_equal(test_config_load(&f->config, f->dir, c), 0);
        assert_int_equal(webhook_new(f->event, &f->config.webhook, "host1.example", &f->webhook), 0);
        /* Queue without a running notifier (as the daemon's incident
         * manager would, just before it crashed). */
        enqueue_many(f, l, 8, 4);

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* The notifier process: its own loop, store and webhook. */
                sd_event *e = NULL;
                Store *s = NULL;
                Webhook *w = NULL;

                if (sd_event_new(&e) < 0 || store_open(f->dir, STORE_SYNC_NORMAL, &s, NULL) < 0 ||
                    webhook_new(e, &f->config.webhook, "host1.example", &w) < 0 || webhook_start(w, s) < 0)
                        _exit(1);
                (void) sd_event_loop(e);
                _exit(0);
        }
        /* Kill it after 6 answers: 4 more are in flight then. */
        assert_true(receiver_wait(&f->rx, 6, 20) >= 6);
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status));

        /* The new notifier resumes. */
        assert_int_equal(webhook_start(f->webhook, f->store), 0);
        run_until(f->event, cond_idle, f->webhook, T_SEC);
        reqs = receiver_requests(&f->rx);
        dups = check_order(reqs, 8, 4);
        assert_int_equal(json_object_array_length(reqs), 32 + dups);
        print_message("killed mid-delivery: %zu requests for 32 events, %zu repeats (at least once)\n",
                      json_object_array_length(reqs), dups);
        json_object_put(reqs);
        for (size_t k = 0; k < 8; k++)
                incident_free(l[k]);
}

/* make_pki() - a CA, a server certificate for IP 127.0.0.1 and a client
 * certificate signed by it, and a second CA that signed nothing of ours. */
static void make_pki(const char *dir) {
        _cleanup_free_ char *cmd = NULL;

        assert_true(asprintf(&cmd,
                             "set -e; cd '%s'; exec >openssl.log 2>&1;"
                             " K='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';"
                             " openssl req -x509 $K -keyout ca.key -out ca.pem -days 2 -subj /CN=storguard-test-ca;"
                             " openssl req -x509 $K -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=other-ca;"
                             " printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext;"
                             " openssl req $K -keyout server.key -out server.csr -subj /CN=127.0.0.1;"
                             " openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
                             "   -out server.pem -days 2 -extfile san.ext;"
                             " openssl req $K -keyout client.key -out client.csr -subj /CN=storguard-client;"
                             " openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
                             "   -out client.pem -days 2;"
                             " chmod 600 client.key",
                             dir) > 0);
        assert_int_equal(system(cmd), 0);
}

static int count_rows(const OutboxEntry *e, void *userdata) {
        (*(unsigned *) userdata)++;
        return 0;
}

/* TLS: verified against the test CA (with a client certificate the
 * receiver requires); refused when the server's certificate is not signed
 * by the configured CA; Insecure=yes goes through and says so loudly. */
static void test_tls(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *c = NULL, *cert = NULL, *key = NULL, *ca = NULL, *err = NULL;
        _cleanup_(incident_freep) Incident *i = make_incident("host1-5", IMPACT_SERVICE_DOWN, URGENCY_HIGH,
                                                              INCIDENT_CATEGORY_CONTROLLER, now(CLOCK_REALTIME));
        Counts want;
        json_object *reqs;
        const char *out;
        unsigned pending = 0;

        make_pki(f->dir);
        assert_true(asprintf(&cert, "%s/server.pem", f->dir) > 0);
        assert_true(asprintf(&key, "%s/server.key", f->dir) > 0);
        assert_true(asprintf(&ca, "%s/ca.pem", f->dir) > 0);
        {
                char *extra[] = { (char *) "--cert", cert, (char *) "--key", key, (char *) "--client-ca", ca, NULL };
                receiver_start_argv(&f->rx, 0, extra);
        }
        c = cfg("[Webhook]\n" FAST "ClientCertificateFile=%s/client.pem\nClientKeyFile=%s/client.key\n"
                "[Webhook.trusted]\nURL=https://127.0.0.1:%d/trusted\nCAFile=%s/ca.pem\n"
                "[Webhook.untrusted]\nURL=https://127.0.0.1:%d/untrusted\nCAFile=%s/other-ca.pem\n"
                "[Webhook.insecure]\nURL=https://127.0.0.1:%d/insecure\nInsecure=yes\n",
                f->dir, f->dir, f->rx.port, f->dir, f->rx.port, f->dir, f->rx.port);
        log_capture_start(&f->log);
        start_webhook(f, c);
        change(f->webhook, f->store, i, "raised", now(CLOCK_REALTIME));
        want = (Counts) { .w = f->webhook, .delivered = 2, .retried = 3 };
        run_until(f->event, cond_stats, &want, T_SEC);
        out = log_capture_end(&f->log);
        assert_non_null(strstr(out, "Webhook endpoint 'insecure': Insecure=yes, the server's TLS certificate is NOT verified"));
        assert_non_null(strstr(out, "Webhook endpoint 'untrusted' failed"));

        reqs = receiver_requests(&f->rx);
        assert_int_equal(count_for_path(reqs, "/trusted"), 1);
        assert_int_equal(count_for_path(reqs, "/insecure"), 1);
        assert_int_equal(count_for_path(reqs, "/untrusted"), 0);
        json_object_put(reqs);
        /* The refused one waits in the outbox, with the reason. */
        assert_int_equal(store_outbox_foreach(f->store, OUTBOX_PENDING, count_rows, &pending), 0);
        assert_int_equal(pending, 1);
        assert_int_equal(store_outbox_foreach(f->store, OUTBOX_PENDING, collect_state, &err), 0);
        assert_non_null(err);
        assert_non_null(strcasestr(err, "certificate"));
}

/* Secrets: a group- or world-readable file is refused, by name; its
 * content is never in the log. */
static void test_secret_permissions(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *c = NULL, *p = write_secret(f->dir, "open-secret", "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", 0644);
        _cleanup_free_ char *tok = write_secret(f->dir, "token", "TOKEN-VALUE-42\n", 0640);
        Webhook *w = NULL;
        const char *out;

        c = cfg("[Webhook.a]\nURL=http://127.0.0.1:1/\nSecretFile=%s\n", p);
        assert_int_equal(test_config_load(&f->config, f->dir, c), 0);
        log_capture_start(&f->log);
        assert_int_equal(webhook_new(f->event, &f->config.webhook, "h", &w), -EPERM);
        out = log_capture_end(&f->log);
        assert_non_null(strstr(out, p));
        assert_non_null(strstr(out, "group or others have access"));
        assert_null(strstr(out, "c2VjcmV0"));
        webhook_config_done(&f->config.webhook);
        log_capture_free(&f->log);

        free(c);
        c = cfg("[Webhook.a]\nURL=http://127.0.0.1:1/\nBearerTokenFile=%s\n", tok);
        assert_int_equal(test_config_load(&f->config, f->dir, c), 0);
        log_capture_start(&f->log);
        assert_int_equal(webhook_new(f->event, &f->config.webhook, "h", &w), -EPERM);
        out = log_capture_end(&f->log);
        assert_non_null(strstr(out, tok));
        assert_null(strstr(out, "TOKEN-VALUE"));
        assert_null(w);
}

/* A bearer token goes in the Authorization header. */
static void test_bearer_token(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *c = NULL, *tok = write_secret(f->dir, "token", "s3cr3t-t0ken\n", 0600);
        _cleanup_(incident_freep) Incident *i = make_incident("host1-4", IMPACT_DEGRADED, URGENCY_LOW,
                                                              INCIDENT_CATEGORY_DISK, now(CLOCK_REALTIME));
        json_object *reqs;

        start_receiver(f, 0);
        c = cfg("[Webhook]\n" FAST "URL=http://127.0.0.1:%d/\nBearerTokenFile=%s\n", f->rx.port, tok);
        start_webhook(f, c);
        change(f->webhook, f->store, i, "raised", now(CLOCK_REALTIME));
        run_until(f->event, cond_idle, f->webhook, T_SEC);
        reqs = receiver_requests(&f->rx);
        assert_int_equal(json_object_array_length(reqs), 1);
        assert_string_equal(req_header(json_object_array_get_idx(reqs, 0), "authorization"), "Bearer s3cr3t-t0ken");
        assert_null(req_header(json_object_array_get_idx(reqs, 0), "webhook-signature"));
        json_object_put(reqs);
}

/* The daemon's wiring: the incident manager's changes, through
 * webhook_enqueue_hook in its transactions, reach the receiver in order,
 * with the change number as the event id; changes without an event type of
 * their own ("action", a lifecycle stage) arrive as "updated". */
static void test_incident_manager_hook(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *c = NULL;
        IncidentManager *im = NULL;
        IncidentInput in = {
                .dedup_key = "disk.failed:wwn-0x5000c50000a00002",
                .title = "md0 member sdb failed (medium errors)",
                .category = INCIDENT_CATEGORY_DISK,
                .ci_id = "wwn-0x5000c50000a00002",
                .impact = IMPACT_REDUNDANCY_LOST,
                .urgency = URGENCY_HIGH,
                .confidence_percent = 90,
        };
        static const char *const want[] = { "raised", "acknowledged", "updated", "mitigated", "updated", "resolved",
                                            "closed" };
        Incident *i = NULL;
        json_object *reqs;

        start_receiver(f, 0);
        c = cfg("[Webhook]\n" FAST "URL=http://127.0.0.1:%d/\n", f->rx.port);
        start_webhook(f, c);
        assert_int_equal(incident_manager_new("host1", f->store, NULL,
                                              &(IncidentManagerHooks) { .enqueue = webhook_enqueue_hook,
                                                                        .userdata = f->webhook },
                                              &im),
                         0);
        assert_int_equal(incident_manager_report(im, &in, now(CLOCK_REALTIME), &i), 1);
        assert_int_equal(incident_manager_acknowledge(im, i->id, "ops", "on it", now(CLOCK_REALTIME)), 0);
        assert_int_equal(incident_manager_add_action(im, i->id, "md.fail_member", in.ci_id, "enforce", "done",
                                                     now(CLOCK_REALTIME)), 0);
        assert_int_equal(incident_manager_set_status(im, i->id, INCIDENT_MITIGATED, NULL, now(CLOCK_REALTIME)), 0);
        assert_int_equal(incident_manager_mark_stage(im, i->id, STAGE_RESTORED, now(CLOCK_REALTIME)), 0);
        assert_int_equal(incident_manager_set_status(im, i->id, INCIDENT_RESOLVED, NULL, now(CLOCK_REALTIME)), 0);
        assert_int_equal(incident_manager_set_status(im, i->id, INCIDENT_CLOSED, NULL, now(CLOCK_REALTIME)), 0);
        run_until(f->event, cond_idle, f->webhook, T_SEC);

        reqs = receiver_requests(&f->rx);
        assert_int_equal(json_object_array_length(reqs), ELEMENTSOF(want));
        for (size_t k = 0; k < ELEMENTSOF(want); k++) {
                json_object *b = req_body(json_object_array_get_idx(reqs, k));
                char id[64];
                bool ok;

                snprintf(id, sizeof(id), "%s.%zu", i->id, k + 1);
                assert_string_equal(jpath(b, "event_type", NULL), want[k]);
                assert_string_equal(jpath(b, "event_id", NULL), id);
                if (f->rx.jsonschema) {
                        assert_true(req_bool(json_object_array_get_idx(reqs, k), "schema_ok", &ok));
                        assert_true(ok);
                }
                json_object_put(b);
        }
        json_object_put(reqs);
        incident_manager_free(im);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_every_type_every_format, setup, teardown),
                cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
                cmocka_unit_test_setup_teardown(test_status_handling, setup, teardown),
                cmocka_unit_test_setup_teardown(test_timeouts_and_drops, setup, teardown),
                cmocka_unit_test_setup_teardown(test_receiver_down_then_up, setup, teardown),
                cmocka_unit_test_setup_teardown(test_max_age_dead_letters, setup, teardown),
                cmocka_unit_test_setup_teardown(test_killed_mid_delivery, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tls, setup, teardown),
                cmocka_unit_test_setup_teardown(test_secret_permissions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bearer_token, setup, teardown),
                cmocka_unit_test_setup_teardown(test_incident_manager_hook, setup, teardown),
        };

        /* Loopback only: no proxy from the environment. */
        unsetenv("http_proxy");
        unsetenv("https_proxy");
        unsetenv("HTTP_PROXY");
        unsetenv("HTTPS_PROXY");
        unsetenv("ALL_PROXY");
        unsetenv("all_proxy");
        curl_global_init(CURL_GLOBAL_DEFAULT);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
