/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `make bench-webhook`: the notifier's figures against the test receiver
 * (tests/webhook/receiver.py, which verifies every signature with Python's
 * hmac, so it is the slower side) on 127.0.0.1.
 *
 *   1. throughput: N events (incidents x changes, each change its own
 *      transaction as the incident manager makes them) queued, then sent;
 *      events per second from the first attempt to the last answer
 *   2. outage: the receiver is down while events keep coming at a steady
 *      rate; the outbox grows (sampled), the notifier probes; the receiver
 *      comes back: the time to drain, and that every event arrived
 *
 * Environment: BENCH_EVENTS (default 5000), BENCH_PARALLEL (8),
 * BENCH_OUTAGE_SEC (10), BENCH_RATE (events/s during the outage, 500),
 * BENCH_SYNC (normal or full). */

#include "webhook-test-helpers.h"

#define PER_INCIDENT 10U
#define TICK_USEC (10 * USEC_PER_MSEC)

static unsigned env_u(const char *name, unsigned dflt) {
        const char *v = getenv(name);
        return v ? (unsigned) strtoul(v, NULL, 10) : dflt;
}

typedef struct Bench {
        sd_event *event;
        Store *store;
        Webhook *webhook;
        Incident **incidents;
        unsigned n_incidents;
        uint64_t queued;
        /* outage */
        unsigned rate;
        usec_t start, until;
        usec_t next_sample;
        bool feeding;
} Bench;

static void queue_one(Bench *b, uint64_t k) {
        unsigned inc = (unsigned) (k % b->n_incidents);

        if (!b->incidents[inc]) {
                char id[32];

                snprintf(id, sizeof(id), "host1-%u", inc);
                b->incidents[inc] = make_incident(id, IMPACT_REDUNDANCY_LOST, URGENCY_MEDIUM, INCIDENT_CATEGORY_DISK,
                                                  now(CLOCK_REALTIME));
                change(b->webhook, b->store, b->incidents[inc], "raised", now(CLOCK_REALTIME));
        } else
                change(b->webhook, b->store, b->incidents[inc], "updated", now(CLOCK_REALTIME));
        b->queued++;
}

static uint64_t pending(Store *s) {
        uint64_t n = 0;
        assert_int_equal(store_outbox_count(s, OUTBOX_PENDING, &n), 0);
        return n;
}

/* During the outage: rate events/s, and a sample of the outbox every second. */
static int on_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        Bench *b = userdata;
        usec_t t = now(CLOCK_MONOTONIC);
        unsigned per_tick = MAX(1U, b->rate / (unsigned) (USEC_PER_SEC / TICK_USEC));

        if (t >= b->until) {
                b->feeding = false;
                return sd_event_source_set_enabled(s, SD_EVENT_OFF);
        }
        for (unsigned k = 0; k < per_tick; k++)
                queue_one(b, b->queued);
        if (t >= b->next_sample) {
                WebhookStats st;

                webhook_get_stats(b->webhook, &st);
                printf("  outage t=%4.1fs  outbox pending %6" PRIu64 "  failed attempts %4" PRIu64 "\n",
                       (double) (t - b->start) / 1e6, pending(b->store), st.retried);
                b->next_sample = t + USEC_PER_SEC;
        }
        (void) sd_event_source_set_time(s, t + TICK_USEC);
        return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static bool cond_fed(void *userdata) {
        return !((Bench *) userdata)->feeding;
}

int main(void) {
        unsigned n = env_u("BENCH_EVENTS", 5000), parallel = env_u("BENCH_PARALLEL", 8),
                 outage = env_u("BENCH_OUTAGE_SEC", 10), rate = env_u("BENCH_RATE", 500);
        StoreSync sync = store_sync_from_string(getenv("BENCH_SYNC") ?: "normal");
        _cleanup_free_ char *conf = NULL, *secret = NULL;
        char *dir = NULL;
        char *extra[] = { (char *) "--secret", NULL, NULL };
        TestConfig config;
        Receiver rx = {};
        Bench b = {};
        usec_t t0, t1, t2;
        uint64_t delivered0, n_outage;
        sd_event_source *tick = NULL;
        WebhookStats st;
        json_object *reqs;
        int port;

        assert_true(asprintf(&dir, "%s/storguard-test-XXXXXX", getenv("TMPDIR") ?: "/tmp") > 0);
        assert_non_null(mkdtemp(dir));
        unsetenv("http_proxy");
        unsetenv("HTTP_PROXY");
        log_set_max_level(LOG_ERR);
        assert_true(sync >= 0);
        secret = write_secret(dir, "secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 0600);
        extra[1] = secret;
        receiver_start_argv(&rx, 0, extra);
        port = rx.port;

        assert_true(asprintf(&conf,
                             "[Webhook]\nURL=http://127.0.0.1:%d/\nSecretFile=%s\nMaxParallel=%u\n"
                             "RetryInitialSec=100ms\nRetryMaxSec=1s\n",
                             port, secret, parallel) > 0);
        assert_int_equal(test_config_load(&config, dir, conf), 0);
        assert_int_equal(sd_event_new(&b.event), 0);
        assert_int_equal(store_open(dir, sync, &b.store, NULL), 0);
        assert_int_equal(webhook_new(b.event, &config.webhook, "host1.example", &b.webhook), 0);
        b.n_incidents = MAX(1U, n / PER_INCIDENT);
        b.incidents = calloc(b.n_incidents, sizeof(Incident *));

        printf("storguard webhook benchmark: %u events over %u incidents, MaxParallel=%u, store sync=%s,\n"
               "receiver: Python http.server verifying each HMAC, 127.0.0.1\n",
               n, b.n_incidents, parallel, store_sync_to_string(sync));

        /* 1. Throughput. */
        t0 = now(CLOCK_MONOTONIC);
        for (uint64_t k = 0; k < n; k++)
                queue_one(&b, k);
        t1 = now(CLOCK_MONOTONIC);
        printf("queue:      %u events in %.3f s = %.0f events/s (one transaction per change)\n", n,
               (double) (t1 - t0) / 1e6, n / ((double) (t1 - t0) / 1e6));
        assert_int_equal(webhook_start(b.webhook, b.store), 0);
        run_until(b.event, cond_idle, b.webhook, 600 * USEC_PER_SEC);
        t2 = now(CLOCK_MONOTONIC);
        webhook_get_stats(b.webhook, &st);
        assert_int_equal(st.delivered, n);
        printf("deliver:    %u events in %.3f s = %.0f events/s\n", n, (double) (t2 - t1) / 1e6,
               n / ((double) (t2 - t1) / 1e6));
        delivered0 = st.delivered;

        /* 2. Outage. */
        receiver_stop(&rx);
        b.rate = rate;
        b.feeding = true;
        b.start = now(CLOCK_MONOTONIC);
        b.until = b.start + outage * USEC_PER_SEC;
        b.next_sample = 0;
        n_outage = b.queued;
        printf("outage:     receiver down for %u s, %u events/s keep coming\n", outage, rate);
        assert_int_equal(sd_event_add_time_relative(b.event, &tick, CLOCK_MONOTONIC, 0, USEC_PER_MSEC, on_tick, &b), 0);
        run_until(b.event, cond_fed, &b, (outage + 30) * USEC_PER_SEC);
        n_outage = b.queued - n_outage;
        webhook_get_stats(b.webhook, &st);
        printf("  end of outage: %" PRIu64 " events queued, outbox pending %" PRIu64 ", %" PRIu64
               " failed attempts (probes) in %u s\n",
               n_outage, pending(b.store), st.retried, outage);

        receiver_start_argv(&rx, port, extra);
        t1 = now(CLOCK_MONOTONIC);
        run_until(b.event, cond_idle, b.webhook, 600 * USEC_PER_SEC);
        t2 = now(CLOCK_MONOTONIC);
        webhook_get_stats(b.webhook, &st);
        reqs = receiver_requests(&rx);
        printf("drain:      %" PRIu64 " events in %.3f s after the receiver came back = %.0f events/s\n",
               st.delivered - delivered0, (double) (t2 - t1) / 1e6,
               (double) (st.delivered - delivered0) / ((double) (t2 - t1) / 1e6));
        printf("loss:       %" PRIu64 " queued, %" PRIu64 " delivered, %" PRIu64 " pending, %" PRIu64
               " dead; receiver got %zu after the outage\n",
               b.queued, st.delivered, pending(b.store), st.dead, json_object_array_length(reqs));
        assert_int_equal(st.delivered, b.queued);
        assert_int_equal(json_object_array_length(reqs), n_outage);
        json_object_put(reqs);

        sd_event_source_disable_unref(tick);
        for (unsigned k = 0; k < b.n_incidents; k++)
                incident_free(b.incidents[k]);
        free(b.incidents);
        webhook_free(b.webhook);
        webhook_config_done(&config.webhook);
        store_close(b.store);
        sd_event_unref(b.event);
        receiver_stop(&rx);
        rm_rf(dir);
        free(dir);
        return 0;
}
