/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The webhook notifier: incidents to any SMS or ticketing system, at
 * least once, signed, never lost.
 *
 * webhook_enqueue() writes one outbox row per endpoint whose filter the
 * incident passes, inside the caller's transaction (the one that changes
 * the incident).  The notifier delivers from the outbox with libcurl's
 * multi interface on the sd-event loop: no thread, no blocking call.
 *
 *   order      one "lane" per endpoint and incident: an incident's events
 *              go one after the other (never seq N+1 before N is
 *              delivered or dead); lanes go in parallel, at most
 *              MaxParallel= per endpoint, oldest first
 *   outcome    2xx delivered; 408, 429, 5xx and transport errors (refused,
 *              reset, timed out, TLS) retried; 3xx and other 4xx dead at
 *              once with the answer's start kept as last_error
 *   retries    exponential backoff from RetryInitialSec= to RetryMaxSec=
 *              with "equal jitter" (half fixed, half random); a
 *              Retry-After (seconds or HTTP date) is honoured; after
 *              MaxAgeSec= in the queue an event is a dead letter, kept and
 *              re-queued on demand
 *   endpoint   a failure that says "the receiver is down or overloaded"
 *              (transport error, 408, 429, 502, 503, 504) pauses the whole
 *              endpoint (its own backoff, or Retry-After) and later sends
 *              one probe at a time; the lanes it held are released at once
 *              when a delivery succeeds again, so a long outage drains at
 *              full speed when the receiver is back
 *   restart    everything pending is in the outbox: a new process resumes
 *              from there (an attempt cut short is sent again: the event
 *              id lets the receiver drop the duplicate)
 */

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "incident.h"
#include "macro.h"
#include "store.h"
#include "time-util.h"
#include "webhook-config.h"
#include "webhook-format.h"

typedef struct Webhook Webhook;

/* A body kept from an answer (last_error, storguardctl webhook test). */
#define WEBHOOK_RESPONSE_MAX_BYTES 1024U
/* Honour Retry-After up to this long; a receiver asking for more gets this. */
#define WEBHOOK_RETRY_AFTER_MAX_USEC (1 * USEC_PER_DAY)
/* How often the outbox is re-read whole, to pick up rows other processes
 * changed (storguardctl webhook retry). */
#define WEBHOOK_RESYNC_INTERVAL_USEC (1 * USEC_PER_MINUTE)

/* webhook_new() - endpoints from c, their secrets read (and checked) now.
 * Logs every problem (a secret file others can read, a missing file) and a
 * warning for each Insecure=yes endpoint.  Nothing is sent before
 * webhook_start().  Return: 0 or -errno (logged). */
int webhook_new(sd_event *event, const WebhookConfig *c, const char *host, Webhook **ret);
Webhook *webhook_free(Webhook *w);
DEFINE_POINTER_CLEANUP_FUNC(Webhook, webhook_free);

/* webhook_start() - deliver from s's outbox (resumes what is pending).
 * Return: 0 or -errno (logged). */
int webhook_start(Webhook *w, Store *s);

/* webhook_n_endpoints() / webhook_endpoint_name() - the configured endpoints. */
size_t webhook_n_endpoints(const Webhook *w) _pure_;
const char *webhook_endpoint_name(const Webhook *w, size_t k) _pure_;

/* webhook_enqueue() - queue event_type (raised, updated, mitigated,
 * resolved, closed, reopened, acknowledged) of i for every endpoint that
 * wants it, in s, inside the caller's transaction; the event id is
 * "<i->id>.<i->seq>".  The rows are picked up on the next iteration of the
 * event loop (after the caller's commit).  Return: the number of rows,
 * -EINVAL (unknown type, no id), -EEXIST (this seq was already queued),
 * -errno from the store. */
int webhook_enqueue(Webhook *w, Store *s, const Incident *i, const char *event_type, usec_t now);

/* webhook_enqueue_hook() - the incident manager's IncidentEnqueueFn
 * (incident-manager.h), userdata the Webhook: as webhook_enqueue() for the
 * change number seq (i may be later, when changes are caught up after a
 * store outage).  Changes the notifier has no event type for ("action",
 * lifecycle stages) go out as "updated"; a change queued before (a replay
 * after a crash) is not queued twice.  Return: rows queued, or -errno. */
int webhook_enqueue_hook(Store *s, const Incident *i, uint64_t seq, const char *event_type, usec_t now,
                         void *userdata);

/* webhook_retry_dead() - re-queue the dead letters of endpoint (NULL:
 * all).  Return: how many, or -errno. */
int webhook_retry_dead(Webhook *w, const char *endpoint, usec_t now);

typedef struct WebhookTestResult {
        const char *endpoint;
        long http_status;        /* 0: no answer */
        const char *error;       /* transport error, NULL if answered */
        const char *body;        /* the answer's start */
        const char *event_id;
        usec_t duration_usec;
} WebhookTestResult;
typedef void (*WebhookTestFn)(const WebhookTestResult *r, void *userdata);

/* webhook_send_test() - send one signed "test" event to endpoint (NULL:
 * every endpoint) through the delivery path (format, signature, TLS,
 * timeouts), not the outbox: one attempt, no retry; fn gets each answer.
 * Return: the number of tests started, -ENOENT (no such endpoint), -errno. */
int webhook_send_test(Webhook *w, const char *endpoint, usec_t now, WebhookTestFn fn, void *userdata);

typedef struct WebhookStats {
        uint64_t attempts;
        uint64_t delivered;
        uint64_t retried;        /* attempts that failed and will be retried */
        uint64_t dead;
        uint64_t lanes;          /* incidents with something pending, over all endpoints */
        unsigned in_flight;
        unsigned endpoints_paused;
} WebhookStats;

void webhook_get_stats(const Webhook *w, WebhookStats *ret);
/* webhook_idle() - nothing pending (in memory) and nothing in flight. */
bool webhook_idle(const Webhook *w) _pure_;

/* webhook_backoff_usec() - the pause before attempt n + 1 after n failed
 * ones: min(max, initial x 2^(n-1)), half of it fixed and half jittered by
 * random in [0, 1).  Pure, for tests. */
usec_t webhook_backoff_usec(usec_t initial, usec_t max, unsigned n, double random) _const_;
