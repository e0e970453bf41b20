/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <curl/curl.h>

#include "alloc-util.h"
#include "hashmap.h"
#include "log.h"
#include "string-util.h"
#include "webhook-sign.h"
#include "webhook.h"

typedef struct Webhook Webhook;
typedef struct Endpoint Endpoint;
typedef struct Lane Lane;
typedef struct Transfer Transfer;

#define HEAP_NONE SIZE_MAX

/* One endpoint and one incident: its oldest pending event (the head) is
 * the only one that may be in flight. */
struct Lane {
        Endpoint *endpoint;
        char *incident_id;       /* the key in endpoint->lanes */
        int64_t rowid;
        char *event_id;
        unsigned attempts;
        usec_t queued_usec;
        usec_t next_attempt_usec;
        bool in_flight;
        bool held;               /* waits because the endpoint was down: released when it is back */
        size_t heap_idx;
};

struct Endpoint {
        Webhook *webhook;
        WebhookEndpointConfig c;
        uint8_t *key;            /* HMAC key, NULL: unsigned */
        size_t key_size;
        char *authorization;     /* "Authorization: Bearer ...", NULL: none */
        char *routing_key;
        Hashmap *lanes;
        Lane **heap;             /* lanes waiting, earliest next attempt first */
        size_t n_heap, heap_allocated;
        unsigned in_flight;
        unsigned consecutive_failures;
        usec_t paused_until;
};

struct Transfer {
        Webhook *webhook;
        Endpoint *endpoint;
        Lane *lane;              /* NULL: a test event */
        CURL *easy;
        struct curl_slist *headers;
        char *body;
        char *response;
        size_t response_size;
        char error[CURL_ERROR_SIZE];
        char *event_id;
        usec_t started_usec;     /* CLOCK_MONOTONIC */
        WebhookTestFn test_fn;
        void *test_userdata;
        Transfer *prev, *next;
};

struct Webhook {
        sd_event *event;
        Store *store;
        char *host;
        Endpoint *endpoints;
        size_t n_endpoints;

        CURLM *multi;
        sd_event_source *curl_timer;
        sd_event_source **ios;
        size_t n_ios, ios_allocated;

        sd_event_source *dispatch_timer;  /* CLOCK_REALTIME: next attempts are wall-clock times in the outbox */
        sd_event_source *scan_source;     /* defer: rows queued in this iteration */
        sd_event_source *resync_timer;
        int64_t last_rowid;
        bool scan_pending;

        Transfer *transfers;
        WebhookStats stats;
        uint64_t rng;
        bool curl_initialized;
};

static void dispatch(Webhook *w);

/* --- small things ------------------------------------------------------- */

static double random_unit(Webhook *w) {
        /* xorshift64*: jitter only, no secret depends on it. */
        w->rng ^= w->rng >> 12;
        w->rng ^= w->rng << 25;
        w->rng ^= w->rng >> 27;
        return (double) ((w->rng * 2685821657736338717ULL) >> 11) / (double) (1ULL << 53);
}

usec_t webhook_backoff_usec(usec_t initial, usec_t max, unsigned n, double random) {
        usec_t d = initial, half;

        for (unsigned k = 1; k < n && d < max; k++)
                d = d > max / 2 ? max : d * 2;
        d = MIN(d, max);
        if (random < 0)
                random = 0;
        if (random >= 1)
                random = 0.999999;
        half = d / 2;
        return half + (usec_t) ((double) (d - half) * random);
}

static usec_t usec_add(usec_t a, usec_t b) {
        return a > USEC_INFINITY - b ? USEC_INFINITY : a + b;
}

/* --- the heap of waiting lanes, per endpoint ---------------------------- */

static bool lane_before(const Lane *a, const Lane *b) {
        if (a->next_attempt_usec != b->next_attempt_usec)
                return a->next_attempt_usec < b->next_attempt_usec;
        return a->rowid < b->rowid;
}

static void heap_swap(Endpoint *e, size_t i, size_t j) {
        Lane *t = e->heap[i];

        e->heap[i] = e->heap[j];
        e->heap[j] = t;
        e->heap[i]->heap_idx = i;
        e->heap[j]->heap_idx = j;
}

static void heap_up(Endpoint *e, size_t i) {
        while (i > 0 && lane_before(e->heap[i], e->heap[(i - 1) / 2])) {
                heap_swap(e, i, (i - 1) / 2);
                i = (i - 1) / 2;
        }
}

static void heap_down(Endpoint *e, size_t i) {
        for (;;) {
                size_t l = 2 * i + 1, r = l + 1, m = i;

                if (l < e->n_heap && lane_before(e->heap[l], e->heap[m]))
                        m = l;
                if (r < e->n_heap && lane_before(e->heap[r], e->heap[m]))
                        m = r;
                if (m == i)
                        return;
                heap_swap(e, i, m);
                i = m;
        }
}

static int heap_push(Endpoint *e, Lane *l) {
        if (GREEDY_REALLOC(e->heap, e->heap_allocated, e->n_heap + 1) < 0)
                return -ENOMEM;
        l->heap_idx = e->n_heap;
        e->heap[e->n_heap++] = l;
        heap_up(e, l->heap_idx);
        return 0;
}

static void heap_remove(Endpoint *e, Lane *l) {
        size_t i = l->heap_idx;

        if (i == HEAP_NONE)
                return;
        l->heap_idx = HEAP_NONE;
        e->n_heap--;
        if (i == e->n_heap)
                return;
        e->heap[i] = e->heap[e->n_heap];
        e->heap[i]->heap_idx = i;
        heap_down(e, i);
        heap_up(e, i);
}

static void heapify(Endpoint *e) {
        for (size_t i = e->n_heap / 2; i-- > 0;)
                heap_down(e, i);
}

/* --- lanes -------------------------------------------------------------- */

static Lane *lane_free(Lane *l) {
        if (!l)
                return NULL;
        heap_remove(l->endpoint, l);
        (void) hashmap_remove(l->endpoint->lanes, l->incident_id);
        free(l->incident_id);
        free(l->event_id);
        return mfree(l);
}

static int lane_set_head(Lane *l, const OutboxEntry *e) {
        if (free_and_strdup(&l->event_id, e->event_id) < 0)
                return -ENOMEM;
        l->rowid = e->rowid;
        l->attempts = e->attempts;
        l->queued_usec = e->queued_usec ?: e->created_usec;
        l->next_attempt_usec = e->next_attempt_usec;
        l->held = false;
        return 0;
}

static Endpoint *endpoint_by_name(Webhook *w, const char *name) {
        for (size_t k = 0; k < w->n_endpoints; k++)
                if (streq(w->endpoints[k].c.name, name))
                        return &w->endpoints[k];
        return NULL;
}

/* lane_add_row() - a pending row seen in the outbox: the head of a new
 * lane, or (when its lane exists) picked up later by lane_advance(). */
static int lane_add_row(const OutboxEntry *e, void *userdata) {
        Webhook *w = userdata;
        Endpoint *ep = endpoint_by_name(w, e->endpoint);
        Lane *l;

        w->last_rowid = MAX(w->last_rowid, e->rowid);
        if (!ep)
                return 0; /* an endpoint no longer configured: kept, shown by status */
        if (hashmap_get(ep->lanes, e->incident_id))
                return 0;

        l = new0(Lane, 1);
        if (!l)
                return -ENOMEM;
        l->endpoint = ep;
        l->heap_idx = HEAP_NONE;
        l->incident_id = strdup(e->incident_id);
        if (!l->incident_id || lane_set_head(l, e) < 0 || hashmap_put(ep->lanes, l->incident_id, l) < 0) {
                free(l->incident_id);
                free(l->event_id);
                free(l);
                return -ENOMEM;
        }
        if (heap_push(ep, l) < 0) {
                lane_free(l);
                return -ENOMEM;
        }
        return 0;
}

static int lane_take_next(const OutboxEntry *e, void *userdata) {
        return lane_set_head(userdata, e);
}

/* lane_advance() - the head is done (delivered or dead): the next event of
 * the incident becomes the head, or the lane goes. */
static void lane_advance(Lane *l) {
        Endpoint *e = l->endpoint;
        int r;

        l->in_flight = false;
        r = store_outbox_lane_next(e->webhook->store, e->c.name, l->incident_id, lane_take_next, l);
        if (r == -ENOENT) {
                lane_free(l);
                return;
        }
        if (r < 0) {
                /* The rows stay pending: the resync finds them. */
                log_warning_errno(r, "Failed to read the next webhook event of incident '%s' for '%s', ignoring: %m",
                                  l->incident_id, e->c.name);
                lane_free(l);
                return;
        }
        if (heap_push(e, l) < 0)
                lane_free(l);
}

/* --- curl on sd-event (after systemd's src/import/curl-util.c) ---------- */

static void transfer_done(Transfer *t, CURLcode code);

static void check_finished(Webhook *w) {
        CURLMsg *msg;
        int k;

        while ((msg = curl_multi_info_read(w->multi, &k))) {
                Transfer *t = NULL;

                if (msg->msg != CURLMSG_DONE)
                        continue;
                if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &t) != CURLE_OK || !t)
                        continue;
                transfer_done(t, msg->data.result);
        }
}

static int on_curl_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Webhook *w = userdata;
        int action = 0, k = 0;

        if ((revents & (EPOLLIN | EPOLLOUT)) == (EPOLLIN | EPOLLOUT))
                action = CURL_POLL_INOUT;
        else if (revents & EPOLLIN)
                action = CURL_POLL_IN;
        else if (revents & EPOLLOUT)
                action = CURL_POLL_OUT;
        if (revents & (EPOLLERR | EPOLLHUP))
                action |= CURL_CSELECT_ERR;
        if (curl_multi_socket_action(w->multi, fd, action, &k) != CURLM_OK)
                log_debug("curl_multi_socket_action() failed on fd %d.", fd);
        check_finished(w);
        return 0;
}

static void io_forget(Webhook *w, sd_event_source *s) {
        for (size_t k = 0; k < w->n_ios; k++)
                if (w->ios[k] == s) {
                        w->ios[k] = w->ios[--w->n_ios];
                        return;
                }
}

static int curl_socket_cb(CURL *easy, curl_socket_t fd, int action, void *userdata, void *socketp) {
        Webhook *w = userdata;
        sd_event_source *io = socketp;
        uint32_t events = 0;

        if (action == CURL_POLL_REMOVE) {
                if (io) {
                        io_forget(w, io);
                        sd_event_source_disable_unref(io);
                        (void) curl_multi_assign(w->multi, fd, NULL);
                }
                return 0;
        }
        if (action == CURL_POLL_IN)
                events = EPOLLIN;
        else if (action == CURL_POLL_OUT)
                events = EPOLLOUT;
        else if (action == CURL_POLL_INOUT)
                events = EPOLLIN | EPOLLOUT;

        if (io) {
                if (sd_event_source_set_io_events(io, events) < 0 ||
                    sd_event_source_set_enabled(io, SD_EVENT_ON) < 0)
                        return -1;
                return 0;
        }
        if (GREEDY_REALLOC(w->ios, w->ios_allocated, w->n_ios + 1) < 0)
                return -1;
        if (sd_event_add_io(w->event, &io, fd, events, on_curl_io, w) < 0)
                return -1;
        (void) sd_event_source_set_description(io, "webhook-curl-io");
        if (curl_multi_assign(w->multi, fd, io) != CURLM_OK) {
                sd_event_source_disable_unref(io);
                return -1;
        }
        w->ios[w->n_ios++] = io;
        return 0;
}

static int on_curl_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Webhook *w = userdata;
        int k = 0;

        if (curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &k) != CURLM_OK)
                log_debug("curl_multi_socket_action() failed on timeout.");
        check_finished(w);
        return 0;
}

static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userdata) {
        Webhook *w = userdata;
        usec_t t;

        if (timeout_ms < 0)
                return w->curl_timer && sd_event_source_set_enabled(w->curl_timer, SD_EVENT_OFF) < 0 ? -1 : 0;

        t = now(CLOCK_MONOTONIC) + (usec_t) timeout_ms * USEC_PER_MSEC;
        if (w->curl_timer) {
                if (sd_event_source_set_time(w->curl_timer, t) < 0 ||
                    sd_event_source_set_enabled(w->curl_timer, SD_EVENT_ONESHOT) < 0)
                        return -1;
                return 0;
        }
        if (sd_event_add_time(w->event, &w->curl_timer, CLOCK_MONOTONIC, t, USEC_PER_MSEC, on_curl_timer, w) < 0)
                return -1;
        (void) sd_event_source_set_description(w->curl_timer, "webhook-curl-timer");
        return 0;
}

/* --- transfers ---------------------------------------------------------- */

static size_t on_response(char *data, size_t size, size_t n, void *userdata) {
        Transfer *t = userdata;
        size_t l = size * n, keep;

        /* Keep the start of the answer for last_error; read (and drop) the rest. */
        keep = MIN(l, WEBHOOK_RESPONSE_MAX_BYTES - t->response_size);
        if (keep > 0) {
                char *p = realloc(t->response, t->response_size + keep + 1);
                if (!p)
                        return 0; /* curl fails the transfer: retried */
                memcpy(p + t->response_size, data, keep);
                t->response_size += keep;
                p[t->response_size] = '\0';
                t->response = p;
        }
        return l;
}

static void slist_erase_free(struct curl_slist *l) {
        for (struct curl_slist *i = l; i; i = i->next)
                explicit_bzero(i->data, strlen(i->data));
        curl_slist_free_all(l);
}

static Transfer *transfer_free(Transfer *t) {
        if (!t)
                return NULL;
        if (t->easy) {
                (void) curl_multi_remove_handle(t->webhook->multi, t->easy);
                curl_easy_cleanup(t->easy);
        }
        if (t->prev)
                t->prev->next = t->next;
        else if (t->webhook->transfers == t)
                t->webhook->transfers = t->next;
        if (t->next)
                t->next->prev = t->prev;
        slist_erase_free(t->headers);
        free(t->body);
        free(t->response);
        free(t->event_id);
        return mfree(t);
}

/* header_add() - append "name: value" (value NULL: "name" as it is). */
static int header_add(struct curl_slist **l, const char *name, const char *value) {
        _cleanup_free_ char *h = NULL;
        struct curl_slist *n;

        if (value ? asprintf(&h, "%s: %s", name, value) < 0 : !(h = strdup(name)))
                return -ENOMEM;
        n = curl_slist_append(*l, h);
        explicit_bzero(h, strlen(h));
        if (!n)
                return -ENOMEM;
        *l = n;
        return 0;
}

#define SETOPT(easy, opt, val)                                                             \
        do {                                                                               \
                if (curl_easy_setopt((easy), (opt), (val)) != CURLE_OK)                     \
                        return -EIO;                                                       \
        } while (0)

static int transfer_setup(Transfer *t, const char *content_type, usec_t now_usec) {
        Endpoint *e = t->endpoint;
        _cleanup_free_ char *id = NULL, *sig = NULL;
        char ts[32];
        CURL *c;
        int r;

        c = t->easy = curl_easy_init();
        if (!c)
                return -ENOMEM;

        id = webhook_id_encode(t->event_id);
        if (!id)
                return -ENOMEM;
        snprintf(ts, sizeof(ts), "%" PRIu64, (uint64_t) (now_usec / USEC_PER_SEC));
        /* "Expect:" with nothing turns off curl's "100-continue" round trip. */
        if ((r = header_add(&t->headers, "Content-Type", content_type)) < 0 ||
            (r = header_add(&t->headers, "Expect:", NULL)) < 0 ||
            (r = header_add(&t->headers, "webhook-id", id)) < 0 ||
            (r = header_add(&t->headers, "webhook-timestamp", ts)) < 0)
                return r;
        if (e->key) {
                r = webhook_sign(e->key, e->key_size, id, now_usec / USEC_PER_SEC, t->body, strlen(t->body), &sig);
                if (r < 0)
                        return r;
                if ((r = header_add(&t->headers, "webhook-signature", sig)) < 0)
                        return r;
        }
        if (e->authorization && (r = header_add(&t->headers, e->authorization, NULL)) < 0)
                return r;

        SETOPT(c, CURLOPT_PRIVATE, t);
        SETOPT(c, CURLOPT_URL, e->c.url);
        SETOPT(c, CURLOPT_PROTOCOLS_STR, "http,https");
        SETOPT(c, CURLOPT_NOSIGNAL, 1L);
        /* Redirects are not followed (Standard Webhooks: "update the URL instead"). */
        SETOPT(c, CURLOPT_FOLLOWLOCATION, 0L);
        SETOPT(c, CURLOPT_POST, 1L);
        SETOPT(c, CURLOPT_POSTFIELDS, t->body);
        SETOPT(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(t->body));
        SETOPT(c, CURLOPT_HTTPHEADER, t->headers);
        SETOPT(c, CURLOPT_USERAGENT, "storguard/" PACKAGE_VERSION);
        SETOPT(c, CURLOPT_CONNECTTIMEOUT_MS, (long) (e->c.connect_timeout_usec / USEC_PER_MSEC ?: 1));
        SETOPT(c, CURLOPT_TIMEOUT_MS, (long) (e->c.timeout_usec / USEC_PER_MSEC ?: 1));
        SETOPT(c, CURLOPT_WRITEFUNCTION, on_response);
        SETOPT(c, CURLOPT_WRITEDATA, t);
        SETOPT(c, CURLOPT_ERRORBUFFER, t->error);
        SETOPT(c, CURLOPT_SSL_VERIFYPEER, e->c.insecure ? 0L : 1L);
        SETOPT(c, CURLOPT_SSL_VERIFYHOST, e->c.insecure ? 0L : 2L);
        if (e->c.ca_file)
                SETOPT(c, CURLOPT_CAINFO, e->c.ca_file);
        if (e->c.client_certificate_file) {
                SETOPT(c, CURLOPT_SSLCERT, e->c.client_certificate_file);
                SETOPT(c, CURLOPT_SSLKEY, e->c.client_key_file);
        }
        return 0;
}

static int transfer_start(Webhook *w, Endpoint *e, Lane *lane, const char *event_id, const char *payload,
                          usec_t now_usec, Transfer **ret) {
        Transfer *t;
        const char *ctype = NULL;
        int r;

        t = new0(Transfer, 1);
        if (!t)
                return -ENOMEM;
        t->webhook = w;
        t->endpoint = e;
        t->lane = lane;
        t->started_usec = now(CLOCK_MONOTONIC);
        t->next = w->transfers;
        if (t->next)
                t->next->prev = t;
        w->transfers = t;

        t->event_id = strdup(event_id);
        if (!t->event_id) {
                transfer_free(t);
                return -ENOMEM;
        }
        r = webhook_render(e->c.format, payload,
                           &(WebhookRenderParams) { .endpoint = e->c.name, .routing_key = e->routing_key },
                           &t->body, &ctype);
        if (r >= 0)
                r = transfer_setup(t, ctype, now_usec);
        if (r >= 0 && curl_multi_add_handle(w->multi, t->easy) != CURLM_OK)
                r = -EIO;
        if (r < 0) {
                transfer_free(t);
                return r;
        }
        e->in_flight++;
        w->stats.attempts++;
        if (lane)
                lane->in_flight = true;
        if (ret)
                *ret = t;
        return 0;
}

typedef enum Outcome {
        OUTCOME_DELIVERED,
        OUTCOME_RETRY,            /* this event: 500 and other 5xx */
        OUTCOME_RETRY_ENDPOINT,   /* the receiver is down or overloaded */
        OUTCOME_DEAD,
} Outcome;

static Outcome classify(CURLcode code, long status) {
        if (code != CURLE_OK)
                return OUTCOME_RETRY_ENDPOINT;
        if (status >= 200 && status <= 299)
                return OUTCOME_DELIVERED;
        if (status == 408 || status == 429 || status == 502 || status == 503 || status == 504)
                return OUTCOME_RETRY_ENDPOINT;
        if (status >= 500 && status <= 599)
                return OUTCOME_RETRY;
        return OUTCOME_DEAD;
}

static char *describe(Transfer *t, CURLcode code, long status) {
        _cleanup_free_ char *body = NULL;
        char *redirect = NULL, *s = NULL;
        int r;

        if (code != CURLE_OK) {
                r = asprintf(&s, "%s", t->error[0] ? t->error : curl_easy_strerror(code));
                return r < 0 ? NULL : s;
        }
        body = t->response ? strdup_printable(t->response, WEBHOOK_RESPONSE_MAX_BYTES) : strdup("");
        if (!body)
                return NULL;
        if (status >= 300 && status <= 399) {
                (void) curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_URL, &redirect);
                r = asprintf(&s, "HTTP %ld: redirect to '%s' not followed; point URL= at it", status, strna(redirect));
        } else
                r = asprintf(&s, "HTTP %ld%s%s", status, isempty(body) ? "" : ": ", body);
        return r < 0 ? NULL : s;
}

static void endpoint_back(Endpoint *e, usec_t t) {
        bool any = false;
        Lane *l;

        if (e->consecutive_failures == 0)
                return;
        log_notice("Webhook endpoint '%s' answers again after %u failed attempts; sending what is queued.",
                   e->c.name, e->consecutive_failures);
        e->consecutive_failures = 0;
        e->paused_until = 0;
        HASHMAP_FOREACH(l, e->lanes)
                if (l->held) {
                        l->held = false;
                        l->next_attempt_usec = MIN(l->next_attempt_usec, t);
                        any = true;
                }
        if (any)
                heapify(e);
}

static void transfer_done(Transfer *t, CURLcode code) {
        Webhook *w = t->webhook;
        Endpoint *e = t->endpoint;
        Lane *l = t->lane;
        _cleanup_free_ char *error = NULL;
        long status = 0;
        curl_off_t retry_after_sec = 0;
        usec_t now_usec = now(CLOCK_REALTIME), retry_after = 0;
        Outcome o;
        int r;

        (void) curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        (void) curl_easy_getinfo(t->easy, CURLINFO_RETRY_AFTER, &retry_after_sec);
        if (retry_after_sec > 0)
                retry_after = MIN((usec_t) retry_after_sec * USEC_PER_SEC, WEBHOOK_RETRY_AFTER_MAX_USEC);
        e->in_flight--;
        o = classify(code, status);
        if (o != OUTCOME_DELIVERED)
                error = describe(t, code, status);

        if (!l) {
                WebhookTestResult res = {
                        .endpoint = e->c.name,
                        .http_status = code == CURLE_OK ? status : 0,
                        .error = code == CURLE_OK ? NULL : (error ?: "transport error"),
                        .body = t->response ?: "",
                        .event_id = t->event_id,
                        .duration_usec = now(CLOCK_MONOTONIC) - t->started_usec,
                };
                if (t->test_fn)
                        t->test_fn(&res, t->test_userdata);
                transfer_free(t);
                dispatch(w);
                return;
        }

        l->in_flight = false;
        switch (o) {
        case OUTCOME_DELIVERED:
                r = store_outbox_attempted(w->store, l->rowid, OUTBOX_DELIVERED, l->attempts + 1, 0, NULL, now_usec);
                if (r < 0) {
                        /* Sent, but not recorded: it will be sent again (the
                         * event id makes that a duplicate the receiver drops). */
                        log_error_errno(r, "Failed to record the delivery of webhook event '%s' to '%s': %m",
                                        l->event_id, e->c.name);
                        l->next_attempt_usec = now_usec + webhook_backoff_usec(e->c.retry_initial_usec,
                                                                               e->c.retry_max_usec, 1, random_unit(w));
                        (void) heap_push(e, l);
                        break;
                }
                w->stats.delivered++;
                endpoint_back(e, now_usec);
                lane_advance(l);
                break;

        case OUTCOME_DEAD:
                endpoint_back(e, now_usec); /* it answered */
        dead:
                r = store_outbox_attempted(w->store, l->rowid, OUTBOX_DEAD, l->attempts + 1, 0, error, now_usec);
                if (r < 0) {
                        log_error_errno(r, "Failed to record webhook event '%s' to '%s' as a dead letter: %m",
                                        l->event_id, e->c.name);
                        l->next_attempt_usec = now_usec + e->c.retry_max_usec;
                        (void) heap_push(e, l);
                        break;
                }
                w->stats.dead++;
                log_error("Webhook event '%s' to '%s' is a dead letter: %s. It is kept; "
                          "'storguardctl webhook retry' sends it again.",
                          l->event_id, e->c.name, strna(error));
                lane_advance(l);
                break;

        case OUTCOME_RETRY:
        case OUTCOME_RETRY_ENDPOINT: {
                usec_t delay, pause;
                char span[FORMAT_TIMESPAN_MAX];

                l->attempts++;
                if (now_usec >= usec_add(l->queued_usec, e->c.max_age_usec)) {
                        _cleanup_free_ char *why = NULL;

                        if (asprintf(&why, "gave up after %u attempts in %s: %s", l->attempts,
                                     format_timespan(span, sizeof(span), now_usec - l->queued_usec), strna(error)) >= 0) {
                                free(error);
                                error = TAKE_PTR(why);
                        }
                        l->attempts--; /* counted again below */
                        goto dead;
                }
                delay = retry_after ?: webhook_backoff_usec(e->c.retry_initial_usec, e->c.retry_max_usec,
                                                            l->attempts, random_unit(w));
                l->next_attempt_usec = now_usec + delay;
                r = store_outbox_attempted(w->store, l->rowid, OUTBOX_PENDING, l->attempts, l->next_attempt_usec,
                                           error, now_usec);
                if (r < 0)
                        log_warning_errno(r, "Failed to record the failed attempt of webhook event '%s', ignoring: %m",
                                          l->event_id);
                w->stats.retried++;

                e->consecutive_failures++;
                pause = retry_after ?: webhook_backoff_usec(e->c.retry_initial_usec, e->c.retry_max_usec,
                                                            e->consecutive_failures, random_unit(w));
                e->paused_until = MAX(e->paused_until, now_usec + pause);
                if (o == OUTCOME_RETRY_ENDPOINT)
                        l->held = true;
                if (e->consecutive_failures == 1)
                        log_warning("Webhook endpoint '%s' failed on event '%s': %s. Retrying; events are kept "
                                    "in the outbox meanwhile.",
                                    e->c.name, l->event_id, strna(error));
                else
                        log_debug("Webhook endpoint '%s' failed again (%u) on '%s': %s; next try in %s.",
                                  e->c.name, e->consecutive_failures, l->event_id, strna(error),
                                  format_timespan(span, sizeof(span), pause));
                (void) heap_push(e, l);
                break;
        }
        }

        transfer_free(t);
        dispatch(w);
}

/* --- dispatching -------------------------------------------------------- */

typedef struct Fetched {
        char *payload;
        OutboxState state;
} Fetched;

static int fetch_payload(const OutboxEntry *e, void *userdata) {
        Fetched *f = userdata;

        f->state = e->state;
        f->payload = strdup(e->payload);
        return f->payload ? 0 : -ENOMEM;
}

static int on_dispatch_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        dispatch(userdata);
        return 0;
}

static void arm_dispatch(Webhook *w, usec_t when) {
        int r;

        if (when == USEC_INFINITY) {
                (void) sd_event_source_set_enabled(w->dispatch_timer, SD_EVENT_OFF);
                return;
        }
        r = sd_event_source_set_time(w->dispatch_timer, when);
        if (r >= 0)
                r = sd_event_source_set_enabled(w->dispatch_timer, SD_EVENT_ONESHOT);
        if (r < 0)
                log_warning_errno(r, "Failed to arm the webhook timer, ignoring: %m");
}

static void dispatch(Webhook *w) {
        usec_t t, next = USEC_INFINITY;

        if (!w->store || !w->dispatch_timer)
                return;
        t = now(CLOCK_REALTIME);
        for (size_t k = 0; k < w->n_endpoints; k++) {
                Endpoint *e = &w->endpoints[k];
                /* While the endpoint fails, one probe at a time. */
                unsigned limit = e->consecutive_failures > 0 ? 1 : e->c.max_parallel;

                if (e->paused_until > t) {
                        next = MIN(next, e->paused_until);
                        continue;
                }
                while (e->in_flight < limit && e->n_heap > 0) {
                        Lane *l = e->heap[0];
                        Fetched f = {};
                        int r;

                        if (l->next_attempt_usec > t) {
                                next = MIN(next, l->next_attempt_usec);
                                break;
                        }
                        heap_remove(e, l);
                        r = store_outbox_get(w->store, l->rowid, fetch_payload, &f);
                        if (r == -ENOENT || (r >= 0 && f.state != OUTBOX_PENDING)) {
                                /* Gone or settled by someone else (pruned, retried elsewhere). */
                                free(f.payload);
                                lane_advance(l);
                                continue;
                        }
                        if (r >= 0)
                                r = transfer_start(w, e, l, l->event_id, f.payload, t, NULL);
                        free(f.payload);
                        if (r == -EBADMSG) {
                                /* A payload we cannot render will never be sent: say so, keep it. */
                                (void) store_outbox_attempted(w->store, l->rowid, OUTBOX_DEAD, l->attempts,
                                                              0, "payload is not a storguard.webhook/1 document", t);
                                w->stats.dead++;
                                log_error("Webhook event '%s' for '%s' cannot be rendered; kept as a dead letter.",
                                          l->event_id, e->c.name);
                                lane_advance(l);
                                continue;
                        }
                        if (r < 0) {
                                log_warning_errno(r, "Failed to start sending webhook event '%s' to '%s', retrying: %m",
                                                  l->event_id, e->c.name);
                                l->next_attempt_usec = t + e->c.retry_initial_usec;
                                (void) heap_push(e, l);
                                next = MIN(next, l->next_attempt_usec);
                                break;
                        }
                }
        }
        arm_dispatch(w, next);
}

static int scan_new(Webhook *w) {
        int r;

        r = store_outbox_foreach_since(w->store, w->last_rowid, lane_add_row, w);
        if (r < 0)
                return log_warning_errno(r, "Failed to read new webhook events from '%s', retrying later: %m",
                                         store_path(w->store));
        return 0;
}

static int on_scan(sd_event_source *s, void *userdata) {
        Webhook *w = userdata;

        w->scan_pending = false;
        (void) scan_new(w);
        dispatch(w);
        return 0;
}

static int resync(Webhook *w) {
        int r;

        r = store_outbox_foreach_lane_head(w->store, lane_add_row, w);
        if (r < 0)
                return log_warning_errno(r, "Failed to read the webhook outbox in '%s', retrying later: %m",
                                         store_path(w->store));
        return 0;
}

static int on_resync(sd_event_source *s, uint64_t usec, void *userdata) {
        Webhook *w = userdata;
        int r;

        (void) resync(w);
        dispatch(w);
        r = sd_event_source_set_time_relative(s, WEBHOOK_RESYNC_INTERVAL_USEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        if (r < 0)
                log_warning_errno(r, "Failed to re-arm the webhook resync timer, ignoring: %m");
        return 0;
}

/* --- setup -------------------------------------------------------------- */

static int read_secret(const Endpoint *e, const char *path, const char *what, char **ret, size_t *ret_size) {
        const char *reason = NULL;
        int r;

        r = webhook_read_secret_file(path, ret, ret_size, &reason);
        if (r == -EPERM)
                return log_error_errno(r, "Refusing %s file '%s' of webhook endpoint '%s': %s.", what, path,
                                       e->c.name, reason);
        if (r == -ENODATA)
                return log_error_errno(r, "The %s file '%s' of webhook endpoint '%s' is empty.", what, path,
                                       e->c.name);
        if (r < 0)
                return log_error_errno(r, "Failed to read the %s file '%s' of webhook endpoint '%s': %m", what, path,
                                       e->c.name);
        return 0;
}

static int endpoint_setup(Endpoint *e) {
        char *secret = NULL;
        size_t n = 0;
        int r;

        e->lanes = hashmap_new();
        if (!e->lanes)
                return log_oom();
        if (e->c.secret_file) {
                r = read_secret(e, e->c.secret_file, "signing secret", &secret, &n);
                if (r < 0)
                        return r;
                r = webhook_secret_key(secret, n, &e->key, &e->key_size);
                erase_and_free(secret, n);
                if (r == -EINVAL)
                        return log_error_errno(r, "The signing secret in '%s' of webhook endpoint '%s' starts with "
                                               "'whsec_' but what follows is not base64.", e->c.secret_file, e->c.name);
                if (r < 0)
                        return log_oom();
        }
        if (e->c.bearer_token_file) {
                r = read_secret(e, e->c.bearer_token_file, "bearer token", &secret, &n);
                if (r < 0)
                        return r;
                if (strpbrk(secret, "\r\n")) {
                        erase_and_free(secret, n);
                        return log_error_errno(EINVAL, "The bearer token in '%s' of webhook endpoint '%s' spans "
                                               "several lines.", e->c.bearer_token_file, e->c.name);
                }
                r = asprintf(&e->authorization, "Authorization: Bearer %s", secret);
                erase_and_free(secret, n);
                if (r < 0) {
                        e->authorization = NULL;
                        return log_oom();
                }
        }
        if (e->c.routing_key_file) {
                r = read_secret(e, e->c.routing_key_file, "routing key", &e->routing_key, NULL);
                if (r < 0)
                        return r;
        }
        if (e->c.insecure)
                log_warning("Webhook endpoint '%s': Insecure=yes, the server's TLS certificate is NOT verified; "
                            "anyone on the path can read and change what is sent to '%s'.",
                            e->c.name, e->c.url);
        else if (startswith(e->c.url, "http://"))
                log_notice("Webhook endpoint '%s' sends in clear text (%s).", e->c.name, e->c.url);
        return 0;
}

static void endpoint_done(Endpoint *e) {
        Lane *l;

        if (e->lanes) {
                HASHMAP_FOREACH(l, e->lanes)
                        lane_free(l);
                hashmap_free(e->lanes);
        }
        free(e->heap);
        if (e->key)
                erase_and_free(e->key, e->key_size);
        if (e->authorization)
                erase_and_free(e->authorization, strlen(e->authorization));
        if (e->routing_key)
                erase_and_free(e->routing_key, strlen(e->routing_key));
        webhook_endpoint_config_done(&e->c);
}

int webhook_new(sd_event *event, const WebhookConfig *c, const char *host, Webhook **ret) {
        _cleanup_(webhook_freep) Webhook *w = NULL;
        WebhookEndpointConfig *l = NULL;
        size_t n = 0;
        int r;

        assert(event);
        assert(c);
        assert(ret);

        w = new0(Webhook, 1);
        if (!w)
                return log_oom();
        w->event = sd_event_ref(event);
        w->host = strdup(host ?: "localhost");
        if (!w->host)
                return log_oom();
        if (getrandom(&w->rng, sizeof(w->rng), GRND_NONBLOCK) != sizeof(w->rng) || w->rng == 0)
                w->rng = now(CLOCK_MONOTONIC) | 1;

        r = webhook_config_resolve(c, &l, &n);
        if (r < 0)
                return r == -ENOMEM ? log_oom() : r;
        w->endpoints = new0(Endpoint, MAX(n, 1U));
        if (!w->endpoints) {
                webhook_endpoint_configs_free(l, n);
                return log_oom();
        }
        for (size_t k = 0; k < n; k++) {
                w->endpoints[k].webhook = w;
                w->endpoints[k].c = l[k]; /* taken */
        }
        free(l);
        w->n_endpoints = n;
        for (size_t k = 0; k < n; k++) {
                r = endpoint_setup(&w->endpoints[k]);
                if (r < 0)
                        return r;
        }

        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return log_error_errno(EIO, "Failed to initialise libcurl.");
        w->curl_initialized = true;
        w->multi = curl_multi_init();
        if (!w->multi)
                return log_oom();
        if (curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, curl_socket_cb) != CURLM_OK ||
            curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w) != CURLM_OK ||
            curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb) != CURLM_OK ||
            curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w) != CURLM_OK)
                return log_error_errno(EIO, "Failed to set up libcurl's multi interface.");

        r = sd_event_add_time(w->event, &w->dispatch_timer, CLOCK_REALTIME, USEC_INFINITY, USEC_PER_MSEC,
                              on_dispatch_timer, w);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the webhook timer: %m");
        (void) sd_event_source_set_enabled(w->dispatch_timer, SD_EVENT_OFF);
        (void) sd_event_source_set_description(w->dispatch_timer, "webhook-dispatch");

        *ret = TAKE_PTR(w);
        return 0;
}

Webhook *webhook_free(Webhook *w) {
        if (!w)
                return NULL;
        while (w->transfers)
                transfer_free(w->transfers);
        for (size_t k = 0; k < w->n_endpoints; k++)
                endpoint_done(&w->endpoints[k]);
        free(w->endpoints);
        if (w->multi)
                curl_multi_cleanup(w->multi);
        for (size_t k = 0; k < w->n_ios; k++)
                sd_event_source_disable_unref(w->ios[k]);
        free(w->ios);
        if (w->curl_initialized)
                curl_global_cleanup();
        sd_event_source_disable_unref(w->curl_timer);
        sd_event_source_disable_unref(w->dispatch_timer);
        sd_event_source_disable_unref(w->scan_source);
        sd_event_source_disable_unref(w->resync_timer);
        sd_event_unref(w->event);
        free(w->host);
        return mfree(w);
}

int webhook_start(Webhook *w, Store *s) {
        int r;

        assert(w);
        assert(s);

        w->store = s;
        r = store_outbox_max_rowid(s, &w->last_rowid);
        if (r < 0)
                return log_error_errno(r, "Failed to read the webhook outbox in '%s': %m", store_path(s));
        r = resync(w);
        if (r < 0)
                return r;

        r = sd_event_add_defer(w->event, &w->scan_source, on_scan, w);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the webhook queue: %m");
        (void) sd_event_source_set_enabled(w->scan_source, SD_EVENT_OFF);
        (void) sd_event_source_set_description(w->scan_source, "webhook-scan");
        r = sd_event_add_time_relative(w->event, &w->resync_timer, CLOCK_MONOTONIC, WEBHOOK_RESYNC_INTERVAL_USEC,
                                       USEC_PER_SEC, on_resync, w);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the webhook resync timer: %m");
        (void) sd_event_source_set_description(w->resync_timer, "webhook-resync");

        if (w->n_endpoints > 0) {
                WebhookStats st;

                webhook_get_stats(w, &st);
                if (st.lanes > 0)
                        log_info("Webhook: resuming %" PRIu64 " incidents with events pending.", st.lanes);
        }
        dispatch(w);
        return 0;
}

size_t webhook_n_endpoints(const Webhook *w) {
        return w->n_endpoints;
}

const char *webhook_endpoint_name(const Webhook *w, size_t k) {
        return k < w->n_endpoints ? w->endpoints[k].c.name : NULL;
}

static int enqueue(Webhook *w, Store *s, const Incident *i, uint64_t seq, WebhookEventType type, usec_t now_usec,
                   bool replay) {
        _cleanup_free_ char *payload = NULL, *event_id = NULL;
        int r, n = 0;

        if (type < 0 || type == WEBHOOK_EVENT_TEST || !i->id)
                return -EINVAL;

        for (size_t k = 0; k < w->n_endpoints; k++) {
                const Endpoint *e = &w->endpoints[k];
                OutboxEntry o;

                if (!webhook_endpoint_wants(&e->c, i->priority, i->category))
                        continue;
                if (!payload) {
                        r = webhook_native_payload(&(WebhookEvent) { .type = type, .seq = seq, .host = w->host,
                                                                     .time_usec = now_usec, .incident = i },
                                                   &payload);
                        if (r < 0)
                                return r;
                        event_id = webhook_event_id(i->id, seq);
                        if (!event_id)
                                return -ENOMEM;
                }
                o = (OutboxEntry) {
                        .event_id = event_id,
                        .incident_id = i->id,
                        .seq = seq,
                        .endpoint = e->c.name,
                        .payload = payload,
                        .created_usec = now_usec,
                        .next_attempt_usec = now_usec,
                };
                r = store_outbox_add(s, &o);
                if (r == -EEXIST && replay)
                        continue; /* queued before the crash that cut this change short */
                if (r < 0)
                        return r;
                n++;
        }
        /* Picked up on the next iteration: after the caller's commit. */
        if (n > 0 && w->scan_source) {
                (void) sd_event_source_set_enabled(w->scan_source, SD_EVENT_ONESHOT);
                w->scan_pending = true;
        }
        return n;
}

int webhook_enqueue(Webhook *w, Store *s, const Incident *i, const char *event_type, usec_t now_usec) {
        assert(w);
        assert(s);
        assert(i);

        return enqueue(w, s, i, i->seq, webhook_event_type_from_string(event_type), now_usec, false);
}

int webhook_enqueue_hook(Store *s, const Incident *i, uint64_t seq, const char *event_type, usec_t now_usec,
                         void *userdata) {
        WebhookEventType type = webhook_event_type_from_string(event_type);

        if (type < 0 || type == WEBHOOK_EVENT_TEST)
                type = WEBHOOK_EVENT_UPDATED;
        /* The incident manager replays a change whose store write was cut
         * short: its outbox rows may be there already. */
        return enqueue(userdata, s, i, seq, type, now_usec, true);
}

int webhook_retry_dead(Webhook *w, const char *endpoint, usec_t now_usec) {
        int r;

        assert_return(w->store, -ENXIO);
        r = store_outbox_requeue_dead(w->store, endpoint, now_usec);
        if (r <= 0)
                return r;
        (void) resync(w);
        dispatch(w);
        return r;
}

static Incident *test_incident(const Webhook *w, usec_t now_usec) {
        _cleanup_(incident_freep) Incident *i = incident_new();

        if (!i)
                return NULL;
        if (asprintf(&i->id, "%s-test", w->host) < 0 || asprintf(&i->dedup_key, "storguard.test.%s", w->host) < 0) {
                i->id = i->dedup_key = NULL;
                return NULL;
        }
        i->title = strdup("storguard webhook test");
        i->description = strdup("A test event sent by 'storguardctl webhook test'; no action is needed.");
        i->host = strdup(w->host);
        i->ci_id = strdup("test");
        if (!i->title || !i->description || !i->host || !i->ci_id)
                return NULL;
        i->category = INCIDENT_CATEGORY_DISK;
        incident_set_classification(i, &priority_matrix_default, IMPACT_NONE_YET, URGENCY_LOW);
        i->status = INCIDENT_OPEN;
        i->stage_usec[STAGE_DETECTED] = now_usec;
        i->updated_usec = now_usec;
        i->seq = now_usec / USEC_PER_SEC; /* a new event id for every test */
        return TAKE_PTR(i);
}

int webhook_send_test(Webhook *w, const char *endpoint, usec_t now_usec, WebhookTestFn fn, void *userdata) {
        _cleanup_(incident_freep) Incident *i = NULL;
        _cleanup_free_ char *payload = NULL, *event_id = NULL;
        int r, n = 0;

        if (endpoint && !endpoint_by_name(w, endpoint))
                return -ENOENT;
        i = test_incident(w, now_usec);
        if (!i)
                return -ENOMEM;
        r = webhook_native_payload(&(WebhookEvent) { .type = WEBHOOK_EVENT_TEST, .seq = i->seq, .host = w->host,
                                                     .time_usec = now_usec, .incident = i },
                                   &payload);
        if (r < 0)
                return r;
        event_id = webhook_event_id(i->id, i->seq);
        if (!event_id)
                return -ENOMEM;

        for (size_t k = 0; k < w->n_endpoints; k++) {
                Endpoint *e = &w->endpoints[k];
                Transfer *t;

                if (endpoint && !streq(endpoint, e->c.name))
                        continue;
                r = transfer_start(w, e, NULL, event_id, payload, now_usec, &t);
                if (r < 0)
                        return r;
                t->test_fn = fn;
                t->test_userdata = userdata;
                n++;
        }
        return n;
}

void webhook_get_stats(const Webhook *w, WebhookStats *ret) {
        WebhookStats s = w->stats;
        usec_t t = now(CLOCK_REALTIME);

        s.lanes = 0;
        s.in_flight = 0;
        s.endpoints_paused = 0;
        for (size_t k = 0; k < w->n_endpoints; k++) {
                s.lanes += w->endpoints[k].lanes ? hashmap_size(w->endpoints[k].lanes) : 0;
                s.in_flight += w->endpoints[k].in_flight;
                if (w->endpoints[k].paused_until > t)
                        s.endpoints_paused++;
        }
        *ret = s;
}

bool webhook_idle(const Webhook *w) {
        if (w->scan_pending)
                return false;
        for (size_t k = 0; k < w->n_endpoints; k++)
                if (w->endpoints[k].in_flight > 0 || (w->endpoints[k].lanes && hashmap_size(w->endpoints[k].lanes) > 0))
                        return false;
        return !w->transfers;
}
