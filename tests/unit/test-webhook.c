/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The webhook notifier's pure parts: configuration (defaults, per-endpoint
 * overrides, errors by file:line and by section), the formats, Standard
 * Webhooks signatures against the specification's reference vector, secret
 * files, and the backoff. */

#include <sys/stat.h>

#include <json-c/json.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "conf-parser.h"
#include "string-util.h"
#include "webhook-config.h"
#include "webhook-format.h"
#include "webhook-sign.h"
#include "webhook.h"

typedef struct TestConfig {
        WebhookConfig webhook;
} TestConfig;

static void *section(void *userdata, const char *name) {
        return webhook_config_endpoint(&((TestConfig *) userdata)->webhook, name);
}

static const ConfigTableItem items[] = {
        WEBHOOK_CONFIG_TABLE_ITEMS(TestConfig, webhook, section),
        {}
};

typedef struct Fixture {
        char *dir;
        LogCapture log;
        TestConfig c;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        f->dir = scratch_dir();
        webhook_config_init(&f->c.webhook);
        log_capture_start(&f->log);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        log_capture_free(&f->log);
        webhook_config_done(&f->c.webhook);
        rm_rf(f->dir);
        free(f->dir);
        free(f);
        return 0;
}

static void test_config_resolve(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = write_file(f->dir, "w.conf",
                                           "[Webhook]\n"
                                           "URL=https://sms.example/hook\n"
                                           "MinPriority=3\n"
                                           "RetryMaxSec=10min\n"
                                           "SecretFile=/etc/storguard/webhook.secret\n"
                                           "[Webhook.pager]\n"
                                           "URL=https://events.pagerduty.com/v2/enqueue\n"
                                           "Format=pagerduty\n"
                                           "RoutingKeyFile=/etc/storguard/pd.key\n"
                                           "MinPriority=1\n"
                                           "Categories=controller array\n"
                                           "[Webhook.tickets]\n"
                                           "URL=http://tickets.local/api\n"
                                           "MaxAgeSec=infinity\n"
                                           "MaxParallel=16\n"
                                           "Insecure=no\n");
        WebhookEndpointConfig *l;
        size_t n;

        assert_int_equal(config_parse_file(p, items, &f->c, false), 0);
        assert_int_equal(webhook_config_resolve(&f->c.webhook, &l, &n), 0);
        assert_int_equal(n, 3);

        assert_string_equal(l[0].name, "default");
        assert_string_equal(l[0].url, "https://sms.example/hook");
        assert_int_equal(l[0].format, WEBHOOK_FORMAT_NATIVE);
        assert_int_equal(l[0].min_priority, 3);
        assert_int_equal(l[0].retry_max_usec, 10 * USEC_PER_MINUTE);
        assert_int_equal(l[0].retry_initial_usec, WEBHOOK_RETRY_INITIAL_DEFAULT_USEC);
        assert_int_equal(l[0].timeout_usec, WEBHOOK_TIMEOUT_DEFAULT_USEC);
        assert_int_equal(l[0].max_age_usec, WEBHOOK_MAX_AGE_DEFAULT_USEC);
        assert_false(l[0].insecure);

        assert_string_equal(l[1].name, "pager");
        assert_int_equal(l[1].format, WEBHOOK_FORMAT_PAGERDUTY);
        assert_int_equal(l[1].min_priority, 1);
        assert_string_equal(l[1].secret_file, "/etc/storguard/webhook.secret"); /* from [Webhook] */
        assert_int_equal(l[1].retry_max_usec, 10 * USEC_PER_MINUTE);
        assert_true(webhook_endpoint_wants(&l[1], 1, INCIDENT_CATEGORY_CONTROLLER));
        assert_false(webhook_endpoint_wants(&l[1], 2, INCIDENT_CATEGORY_CONTROLLER));
        assert_false(webhook_endpoint_wants(&l[1], 1, INCIDENT_CATEGORY_DISK));

        assert_string_equal(l[2].name, "tickets");
        assert_int_equal(l[2].min_priority, 3);
        assert_int_equal(l[2].max_age_usec, USEC_INFINITY);
        assert_int_equal(l[2].max_parallel, 16);
        assert_true(webhook_endpoint_wants(&l[2], 3, INCIDENT_CATEGORY_KNOWN_ERROR));
        assert_false(webhook_endpoint_wants(&l[2], 4, INCIDENT_CATEGORY_DISK));
        webhook_endpoint_configs_free(l, n);
}

static void test_config_errors(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = write_file(f->dir, "bad.conf",
                                           "[Webhook.a]\n"
                                           "URL=ftp://x/\n"
                                           "Format=xml\n"
                                           "MinPriority=0\n"
                                           "Categories=disk floppy\n"
                                           "MaxParallel=1000\n"
                                           "Insecure=maybe\n");
        _cleanup_free_ char *w2 = NULL, *w3 = NULL, *w4 = NULL, *w5 = NULL, *w6 = NULL, *w7 = NULL;
        const char *out;

        assert_int_equal(config_parse_file(p, items, &f->c, false), -EINVAL);
        out = log_capture_end(&f->log);
        assert_true(asprintf(&w2, "%s:2: invalid value for URL= in [Webhook.a]: 'ftp://x/': expected an http:// or https:// URL", p) > 0);
        assert_true(asprintf(&w3, "%s:3: invalid value for Format= in [Webhook.a]: 'xml'", p) > 0);
        assert_true(asprintf(&w4, "%s:4: invalid value for MinPriority=", p) > 0);
        assert_true(asprintf(&w5, "%s:5: invalid value for Categories=", p) > 0);
        assert_true(asprintf(&w6, "%s:6: invalid value for MaxParallel=", p) > 0);
        assert_true(asprintf(&w7, "%s:7: invalid value for Insecure=", p) > 0);
        assert_non_null(strstr(out, w2));
        assert_non_null(strstr(out, w3));
        assert_non_null(strstr(out, w4));
        assert_non_null(strstr(out, w5));
        assert_non_null(strstr(out, w6));
        assert_non_null(strstr(out, w7));
}

static void test_config_incomplete(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = write_file(f->dir, "incomplete.conf",
                                           "[Webhook.nourl]\n"
                                           "Format=native\n"
                                           "[Webhook.pd]\n"
                                           "URL=https://events.pagerduty.com/v2/enqueue\n"
                                           "Format=pagerduty\n"
                                           "ClientKeyFile=/k\n"
                                           "[Webhook.fast]\n"
                                           "URL=http://a/\n"
                                           "RetryInitialSec=1min\n"
                                           "RetryMaxSec=1s\n");
        const char *out;

        assert_int_equal(config_parse_file(p, items, &f->c, false), 0);
        assert_int_equal(webhook_config_verify(&f->c.webhook), -EINVAL);
        out = log_capture_end(&f->log);
        assert_non_null(strstr(out, "[Webhook.nourl]: URL= is missing."));
        assert_non_null(strstr(out, "[Webhook.pd]: Format=pagerduty needs RoutingKeyFile="));
        assert_non_null(strstr(out, "[Webhook.pd]: ClientCertificateFile= and ClientKeyFile= go together."));
        assert_non_null(strstr(out, "[Webhook.fast]: RetryInitialSec="));
}

/* The reference vector of the Standard Webhooks libraries (the same key,
 * id, timestamp and body give this signature in every language). */
static void test_signature_vector(void **state) {
        _cleanup_free_ uint8_t *key = NULL;
        _cleanup_free_ char *sig = NULL, *sig2 = NULL;
        const char secret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        const char body[] = "{\"test\": 2432232314}";
        size_t n;

        assert_int_equal(webhook_secret_key(secret, strlen(secret), &key, &n), 0);
        assert_int_equal(n, 24);
        assert_int_equal(webhook_sign(key, n, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, strlen(body), &sig), 0);
        assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        /* One byte of the body changed: another signature. */
        assert_int_equal(webhook_sign(key, n, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, strlen(body) - 1, &sig2), 0);
        assert_string_not_equal(sig, sig2);

        free(key);
        key = NULL;
        assert_int_equal(webhook_secret_key("whsec_***", 9, &key, &n), -EINVAL);
        assert_int_equal(webhook_secret_key("plain-bytes", 11, &key, &n), 0);
        assert_int_equal(n, 11);
        assert_memory_equal(key, "plain-bytes", 11);
}

static void test_webhook_id(void **state) {
        _cleanup_free_ char *a = webhook_id_encode("host1.example-17.3"), *b = webhook_id_encode("x_y-Z9");

        assert_string_equal(a, "host1%2Eexample-17%2E3");
        assert_string_equal(b, "x_y-Z9");
}

static void test_secret_files(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *ok = write_file(f->dir, "ok", "whsec_abc=\n\n"), *open_ = write_file(f->dir, "open", "x"),
                            *empty = write_file(f->dir, "empty", "\n"), *dir = NULL, *v = NULL;
        const char *reason = NULL;
        size_t n = 0;

        assert_int_equal(chmod(ok, 0600), 0);
        assert_int_equal(chmod(open_, 0604), 0);
        assert_int_equal(chmod(empty, 0400), 0);
        assert_int_equal(webhook_read_secret_file(ok, &v, &n, &reason), 0);
        assert_string_equal(v, "whsec_abc=");
        assert_int_equal(n, 10);
        assert_int_equal(webhook_read_secret_file(open_, &v, &n, &reason), -EPERM);
        assert_non_null(strstr(reason, "others"));
        assert_int_equal(chmod(open_, 0640), 0);
        assert_int_equal(webhook_read_secret_file(open_, &v, &n, &reason), -EPERM);
        assert_int_equal(webhook_read_secret_file(empty, &v, &n, &reason), -ENODATA);
        assert_true(asprintf(&dir, "%s/absent", f->dir) > 0);
        assert_int_equal(webhook_read_secret_file(dir, &v, &n, &reason), -ENOENT);
        assert_int_equal(webhook_read_secret_file(f->dir, &v, &n, &reason), -EPERM); /* a directory */
}

static void test_backoff(void **state) {
        usec_t i = 5 * USEC_PER_SEC, m = USEC_PER_HOUR;

        /* Equal jitter: [d/2, d) with d = min(max, initial x 2^(n-1)). */
        assert_int_equal(webhook_backoff_usec(i, m, 1, 0.0), 2500 * USEC_PER_MSEC);
        assert_true(webhook_backoff_usec(i, m, 1, 0.999) < 5 * USEC_PER_SEC);
        assert_int_equal(webhook_backoff_usec(i, m, 2, 0.0), 5 * USEC_PER_SEC);
        assert_int_equal(webhook_backoff_usec(i, m, 4, 0.0), 20 * USEC_PER_SEC);
        assert_int_equal(webhook_backoff_usec(i, m, 11, 0.0), m / 2);
        assert_int_equal(webhook_backoff_usec(i, m, 500, 0.0), m / 2); /* no overflow */
        assert_true(webhook_backoff_usec(i, m, 500, 0.5) <= m);
}

static Incident *incident(void) {
        Incident *i = incident_new();

        assert_non_null(i);
        i->id = strdup("host1-42");
        i->dedup_key = strdup("controller:pci-0000:03:00.0:reset-storm");
        i->title = strdup("Reset storm on HBA 0000:03:00.0");
        i->host = strdup("host1");
        i->ci_id = strdup("hba-0000:03:00.0");
        i->category = INCIDENT_CATEGORY_CONTROLLER;
        incident_set_classification(i, &priority_matrix_default, IMPACT_SERVICE_DOWN, URGENCY_HIGH);
        i->major = true;
        i->stage_usec[STAGE_DETECTED] = 1795300000000000ULL;
        i->seq = 7;
        return i;
}

static void test_formats(void **state) {
        _cleanup_(incident_freep) Incident *i = incident();
        _cleanup_free_ char *native = NULL, *ce = NULL, *am = NULL, *pd = NULL, *same = NULL;
        WebhookRenderParams p = { .endpoint = "am-receiver", .routing_key = "RK" };
        const char *ctype;
        json_object *o, *v;

        assert_int_equal(webhook_native_payload(&(WebhookEvent) { .type = WEBHOOK_EVENT_MITIGATED, .seq = 7, .host = "host1",
                                                                 .time_usec = 1795300000123456ULL, .incident = i },
                                                &native),
                         0);
        o = json_tokener_parse(native);
        assert_string_equal(json_object_get_string(json_object_object_get(o, "event_id")), "host1-42.7");
        assert_string_equal(json_object_get_string(json_object_object_get(o, "time")), "2026-11-21T22:26:40.123456Z");
        assert_int_equal(json_object_get_int(json_object_object_get(o, "sequence")), 7);
        assert_true(json_object_object_get_ex(json_object_object_get(o, "incident"), "lifecycle", &v));
        json_object_put(o);

        assert_int_equal(webhook_render(WEBHOOK_FORMAT_NATIVE, native, &p, &same, &ctype), 0);
        assert_string_equal(same, native);
        assert_string_equal(ctype, "application/json");

        assert_int_equal(webhook_render(WEBHOOK_FORMAT_CLOUDEVENTS, native, &p, &ce, &ctype), 0);
        assert_string_equal(ctype, "application/cloudevents+json; charset=utf-8");
        o = json_tokener_parse(ce);
        assert_string_equal(json_object_get_string(json_object_object_get(o, "type")), "org.storguard.incident.mitigated");
        assert_string_equal(json_object_get_string(json_object_object_get(o, "subject")), "host1-42");
        json_object_put(o);

        assert_int_equal(webhook_render(WEBHOOK_FORMAT_ALERTMANAGER, native, &p, &am, &ctype), 0);
        o = json_tokener_parse(am);
        assert_string_equal(json_object_get_string(json_object_object_get(o, "receiver")), "am-receiver");
        assert_string_equal(json_object_get_string(json_object_object_get(o, "status")), "firing");
        assert_int_equal(json_object_get_int(json_object_object_get(o, "truncatedAlerts")), 0);
        v = json_object_array_get_idx(json_object_object_get(o, "alerts"), 0);
        assert_string_equal(json_object_get_string(json_object_object_get(json_object_object_get(v, "labels"), "alertname")),
                            "StorguardController");
        assert_string_equal(json_object_get_string(json_object_object_get(json_object_object_get(v, "labels"), "severity")),
                            "critical");
        assert_string_equal(json_object_get_string(json_object_object_get(v, "startsAt")), "2026-11-21T22:26:40.000000Z");
        json_object_put(o);

        assert_int_equal(webhook_render(WEBHOOK_FORMAT_PAGERDUTY, native, &p, &pd, &ctype), 0);
        o = json_tokener_parse(pd);
        assert_string_equal(json_object_get_string(json_object_object_get(o, "event_action")), "acknowledge");
        assert_string_equal(json_object_get_string(json_object_object_get(o, "routing_key")), "RK");
        assert_string_equal(json_object_get_string(json_object_object_get(o, "dedup_key")), i->dedup_key);
        v = json_object_object_get(o, "payload");
        assert_string_equal(json_object_get_string(json_object_object_get(v, "severity")), "critical");
        assert_string_equal(json_object_get_string(json_object_object_get(v, "summary")),
                            "[P1, major] Reset storm on HBA 0000:03:00.0 on host1");
        json_object_put(o);

        free(ce);
        ce = NULL;
        assert_int_equal(webhook_render(WEBHOOK_FORMAT_CLOUDEVENTS, "{\"schema\":\"other\"}", &p, &ce, &ctype), -EBADMSG);
        assert_int_equal(webhook_render(WEBHOOK_FORMAT_CLOUDEVENTS, "not json", &p, &ce, &ctype), -EBADMSG);
        assert_int_equal(webhook_event_type_from_string("resolved"), WEBHOOK_EVENT_RESOLVED);
        assert_int_equal(webhook_event_type_from_string("exploded"), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_config_resolve, setup, teardown),
                cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_config_incomplete, setup, teardown),
                cmocka_unit_test(test_signature_vector),
                cmocka_unit_test(test_webhook_id),
                cmocka_unit_test_setup_teardown(test_secret_files, setup, teardown),
                cmocka_unit_test(test_backoff),
                cmocka_unit_test(test_formats),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
