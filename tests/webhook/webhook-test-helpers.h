/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The webhook tests' receiver (tests/webhook/receiver.py, a real HTTP(S)
 * server on 127.0.0.1) and the notifier around it: a store, an event loop,
 * a configuration read from text through the real parser. */

#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "conf-parser.h"
#include "incident.h"
#include "store.h"
#include "string-util.h"
#include "webhook.h"

#define RECEIVER TOP_SRCDIR "/tests/webhook/receiver.py"
#define SCHEMA TOP_SRCDIR "/contrib/storguard-webhook.schema.json"

typedef struct Receiver {
        pid_t pid;
        int port, control_port;
        int jsonschema;   /* 1: the receiver validates native payloads against --schema */
} Receiver;

/* receiver_start() - python3 receiver.py on port (0: any); extra
 * arguments (NULL-terminated) follow. */
static inline void receiver_start_argv(Receiver *r, int port, char *const *extra) {
        char portbuf[16], line[128];
        char *argv[32] = { (char *) "python3", (char *) RECEIVER, (char *) "--port", portbuf };
        size_t n = 4;
        int fds[2];
        FILE *f;

        snprintf(portbuf, sizeof(portbuf), "%d", port);
        for (char *const *e = extra; e && *e; e++)
                argv[n++] = *e;
        argv[n] = NULL;
        assert_int_equal(pipe(fds), 0);
        r->pid = fork();
        assert_true(r->pid >= 0);
        if (r->pid == 0) {
                dup2(fds[1], STDOUT_FILENO);
                close(fds[0]);
                close(fds[1]);
                execvp("python3", argv);
                _exit(127);
        }
        close(fds[1]);
        f = fdopen(fds[0], "r");
        assert_non_null(f);
        /* The receiver prints its line once it listens: no polling. */
        assert_non_null(fgets(line, sizeof(line), f));
        fclose(f);
        assert_int_equal(sscanf(line, "PORT %d CONTROL %d JSONSCHEMA %d", &r->port, &r->control_port, &r->jsonschema), 3);
}

static inline void receiver_stop(Receiver *r) {
        int status;

        if (r->pid <= 0)
                return;
        assert_int_equal(kill(r->pid, SIGKILL), 0);
        assert_int_equal(waitpid(r->pid, &status, 0), r->pid);
        r->pid = 0;
}

static size_t collect_body(char *data, size_t size, size_t n, void *userdata) {
        FILE *f = userdata;
        return fwrite(data, size, n, f) * size;
}

/* control() - a request to the receiver's control port; returns the body. */
static inline char *control(const Receiver *r, const char *path, const char *post) {
        char url[256], *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        CURL *c = curl_easy_init();
        long status = 0;

        assert_non_null(f);
        assert_non_null(c);
        snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", r->control_port, path);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
        if (post)
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
        assert_int_equal(curl_easy_perform(c), CURLE_OK);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        assert_int_equal(status, 200);
        curl_easy_cleanup(c);
        fclose(f);
        return buf;
}

static inline void receiver_script(const Receiver *r, const char *json) {
        free(control(r, "/script", json));
}

/* receiver_requests() - every request recorded (a JSON array, owned). */
static inline json_object *receiver_requests(const Receiver *r) {
        char *b = control(r, "/requests", NULL);
        json_object *o = json_tokener_parse(b);

        free(b);
        assert_non_null(o);
        assert_true(json_object_is_type(o, json_type_array));
        return o;
}

/* receiver_wait() - block until count requests were recorded (at most
 * timeout_sec).  Return: how many there are. */
static inline size_t receiver_wait(const Receiver *r, size_t count, unsigned timeout_sec) {
        char path[64];
        char *b;
        json_object *o, *v;
        size_t n;

        snprintf(path, sizeof(path), "/wait?count=%zu&timeout=%u", count, timeout_sec);
        b = control(r, path, NULL);
        o = json_tokener_parse(b);
        free(b);
        assert_true(json_object_object_get_ex(o, "count", &v));
        n = (size_t) json_object_get_int64(v);
        json_object_put(o);
        return n;
}

static inline const char *req_str(json_object *req, const char *k) {
        json_object *v;
        return json_object_object_get_ex(req, k, &v) ? json_object_get_string(v) : NULL;
}

static inline const char *req_header(json_object *req, const char *h) {
        json_object *hs, *v;

        if (!json_object_object_get_ex(req, "headers", &hs) || !json_object_object_get_ex(hs, h, &v))
                return NULL;
        return json_object_get_string(v);
}

/* req_body() - the request's body parsed (owned by the caller). */
static inline json_object *req_body(json_object *req) {
        json_object *o = json_tokener_parse(req_str(req, "body"));
        assert_non_null(o);
        return o;
}

static inline const char *jpath(json_object *o, const char *a, const char *b) {
        json_object *v;

        if (!json_object_object_get_ex(o, a, &v))
                return NULL;
        if (b && !json_object_object_get_ex(v, b, &v))
                return NULL;
        return json_object_get_string(v);
}

/* The configuration: the real table items in a struct of their own. */
typedef struct TestConfig {
        WebhookConfig webhook;
} TestConfig;

static inline void *test_webhook_section(void *userdata, const char *name) {
        return webhook_config_endpoint(&((TestConfig *) userdata)->webhook, name);
}

static const ConfigTableItem test_config_items[] = {
        WEBHOOK_CONFIG_TABLE_ITEMS(TestConfig, webhook, test_webhook_section),
        {}
};

static inline int test_config_load(TestConfig *c, const char *dir, const char *text) {
        _cleanup_free_ char *p = write_file(dir, "webhook.conf", text);

        webhook_config_init(&c->webhook);
        return config_parse_file(p, test_config_items, c, false);
}

/* A secret file as an operator makes it: mode 0600. */
static inline char *write_secret(const char *dir, const char *name, const char *content, mode_t mode) {
        char *p = write_file(dir, name, content);
        assert_int_equal(chmod(p, mode), 0);
        return p;
}

static inline Incident *make_incident(const char *id, Impact impact, Urgency urgency, IncidentCategory cat,
                                      usec_t t) {
        Incident *i = incident_new();

        assert_non_null(i);
        i->id = strdup(id);
        assert_true(asprintf(&i->dedup_key, "disk:%s:medium-error", id) > 0);
        i->title = strdup("Medium errors on sdb");
        i->description = strdup("12 medium errors in 10 minutes (SERD 10/10min fired).");
        i->host = strdup("host1.example");
        i->ci_id = strdup("disk-wwn-0x5000c500a1b2c3d4");
        i->category = cat;
        incident_set_classification(i, &priority_matrix_default, impact, urgency);
        i->stage_usec[STAGE_DETECTED] = t;
        i->updated_usec = t;
        return i;
}

/* change() - one change of i as its owner makes it: status, seq, and the
 * outbox rows, in one transaction.  Return: rows queued. */
static inline int change(Webhook *w, Store *s, Incident *i, const char *type, usec_t t) {
        int n;

        if (streq(type, "mitigated"))
                assert_int_equal(incident_transition(i, INCIDENT_MITIGATED, t), 0);
        else if (streq(type, "resolved"))
                assert_int_equal(incident_transition(i, INCIDENT_RESOLVED, t), 0);
        else if (streq(type, "closed"))
                assert_int_equal(incident_transition(i, INCIDENT_CLOSED, t), 0);
        else
                incident_touch(i, t); /* a transition counts as the change itself */
        assert_int_equal(store_begin(s), 0);
        n = webhook_enqueue(w, s, i, type, t);
        assert_true(n >= 0);
        assert_int_equal(store_commit(s), 0);
        return n;
}

typedef bool (*Condition)(void *userdata);

/* run_until() - run the event loop until cond holds; fail after timeout.
 * Waits on events (sockets, timers), never sleeps. */
static inline void run_until(sd_event *e, Condition cond, void *userdata, usec_t timeout) {
        usec_t deadline = now(CLOCK_MONOTONIC) + timeout;

        while (!cond(userdata)) {
                if (now(CLOCK_MONOTONIC) >= deadline)
                        fail_msg("condition not reached in %" PRIu64 " ms", timeout / USEC_PER_MSEC);
                assert_true(sd_event_run(e, 50 * USEC_PER_MSEC) >= 0);
        }
}

static inline bool cond_idle(void *userdata) {
        return webhook_idle(userdata);
}
