/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "incident.h"
#include "log.h"
#include "parse-util.h"
#include "string-table.h"
#include "string-util.h"
#include "webhook-config.h"

static const char *const webhook_format_table[_WEBHOOK_FORMAT_MAX] = {
        [WEBHOOK_FORMAT_NATIVE] = "native",
        [WEBHOOK_FORMAT_CLOUDEVENTS] = "cloudevents",
        [WEBHOOK_FORMAT_ALERTMANAGER] = "alertmanager",
        [WEBHOOK_FORMAT_PAGERDUTY] = "pagerduty",
};
DEFINE_STRING_TABLE_LOOKUP(webhook_format, WebhookFormat);

#define CATEGORIES_ALL ((1U << _INCIDENT_CATEGORY_MAX) - 1)

static void endpoint_init(WebhookEndpointConfig *e) {
        *e = (WebhookEndpointConfig) {
                .format = _WEBHOOK_FORMAT_INVALID,
                .insecure = -1,
                .connect_timeout_usec = WEBHOOK_USEC_UNSET,
                .timeout_usec = WEBHOOK_USEC_UNSET,
                .retry_initial_usec = WEBHOOK_USEC_UNSET,
                .retry_max_usec = WEBHOOK_USEC_UNSET,
                .max_age_usec = WEBHOOK_USEC_UNSET,
        };
}

void webhook_endpoint_config_done(WebhookEndpointConfig *e) {
        if (!e)
                return;
        free(e->name);
        free(e->url);
        free(e->secret_file);
        free(e->bearer_token_file);
        free(e->routing_key_file);
        free(e->ca_file);
        free(e->client_certificate_file);
        free(e->client_key_file);
        endpoint_init(e);
        e->name = e->url = NULL;
}

void webhook_config_init(WebhookConfig *c) {
        *c = (WebhookConfig) {};
        endpoint_init(&c->defaults);
}

void webhook_config_done(WebhookConfig *c) {
        webhook_endpoint_config_done(&c->defaults);
        for (size_t k = 0; k < c->n_endpoints; k++) {
                webhook_endpoint_config_done(c->endpoints[k]);
                free(c->endpoints[k]);
        }
        c->endpoints = mfree(c->endpoints);
        c->n_endpoints = 0;
}

WebhookEndpointConfig *webhook_config_endpoint(WebhookConfig *c, const char *name) {
        _cleanup_free_ WebhookEndpointConfig *e = NULL;
        WebhookEndpointConfig **l;

        for (size_t k = 0; k < c->n_endpoints; k++)
                if (streq(c->endpoints[k]->name, name))
                        return c->endpoints[k];

        e = new0(WebhookEndpointConfig, 1);
        if (!e)
                return NULL;
        endpoint_init(e);
        e->name = strdup(name);
        if (!e->name)
                return NULL;
        l = reallocarray(c->endpoints, c->n_endpoints + 1, sizeof(WebhookEndpointConfig *));
        if (!l) {
                free(e->name);
                return NULL;
        }
        c->endpoints = l;
        c->endpoints[c->n_endpoints++] = e;
        return TAKE_PTR(e);
}

static int pick_str(char **ret, const char *own, const char *dflt) {
        const char *v = own ?: dflt;

        *ret = NULL;
        if (!v)
                return 0;
        *ret = strdup(v);
        return *ret ? 0 : -ENOMEM;
}

static usec_t pick_usec(usec_t own, usec_t dflt, usec_t builtin) {
        return own != WEBHOOK_USEC_UNSET ? own : dflt != WEBHOOK_USEC_UNSET ? dflt : builtin;
}

static int resolve_one(const WebhookEndpointConfig *d, const WebhookEndpointConfig *e, const char *name,
                       WebhookEndpointConfig *ret) {
        WebhookEndpointConfig x = {};
        int r = 0;

        x.name = strdup(name);
        if (!x.name)
                return -ENOMEM;
        /* A URL is never inherited: [Webhook]'s URL= is the "default" endpoint's own. */
        r |= pick_str(&x.url, e->url, NULL);
        r |= pick_str(&x.secret_file, e->secret_file, d->secret_file);
        r |= pick_str(&x.bearer_token_file, e->bearer_token_file, d->bearer_token_file);
        r |= pick_str(&x.routing_key_file, e->routing_key_file, d->routing_key_file);
        r |= pick_str(&x.ca_file, e->ca_file, d->ca_file);
        r |= pick_str(&x.client_certificate_file, e->client_certificate_file, d->client_certificate_file);
        r |= pick_str(&x.client_key_file, e->client_key_file, d->client_key_file);
        if (r < 0) {
                webhook_endpoint_config_done(&x);
                return -ENOMEM;
        }
        x.format = e->format >= 0 ? e->format : d->format >= 0 ? d->format : WEBHOOK_FORMAT_DEFAULT;
        x.min_priority = e->min_priority ?: d->min_priority ?: WEBHOOK_MIN_PRIORITY_DEFAULT;
        x.categories = e->categories ?: d->categories ?: CATEGORIES_ALL;
        x.insecure = e->insecure >= 0 ? e->insecure : d->insecure >= 0 ? d->insecure : false;
        x.connect_timeout_usec = pick_usec(e->connect_timeout_usec, d->connect_timeout_usec,
                                           WEBHOOK_CONNECT_TIMEOUT_DEFAULT_USEC);
        x.timeout_usec = pick_usec(e->timeout_usec, d->timeout_usec, WEBHOOK_TIMEOUT_DEFAULT_USEC);
        x.retry_initial_usec = pick_usec(e->retry_initial_usec, d->retry_initial_usec,
                                         WEBHOOK_RETRY_INITIAL_DEFAULT_USEC);
        x.retry_max_usec = pick_usec(e->retry_max_usec, d->retry_max_usec, WEBHOOK_RETRY_MAX_DEFAULT_USEC);
        x.max_age_usec = pick_usec(e->max_age_usec, d->max_age_usec, WEBHOOK_MAX_AGE_DEFAULT_USEC);
        x.max_parallel = e->max_parallel ?: d->max_parallel ?: WEBHOOK_MAX_PARALLEL_DEFAULT;
        *ret = x;
        return 0;
}

static int check_one(const WebhookEndpointConfig *x, const char *section) {
        int r = 0;

        if (!x->url) {
                log_error("[%s]: URL= is missing.", section);
                r = -EINVAL;
        }
        if (x->format == WEBHOOK_FORMAT_PAGERDUTY && !x->routing_key_file) {
                log_error("[%s]: Format=pagerduty needs RoutingKeyFile= (the integration key).", section);
                r = -EINVAL;
        }
        if (!!x->client_certificate_file != !!x->client_key_file) {
                log_error("[%s]: ClientCertificateFile= and ClientKeyFile= go together.", section);
                r = -EINVAL;
        }
        if (x->retry_initial_usec == 0 || x->retry_initial_usec == USEC_INFINITY ||
            x->retry_max_usec < x->retry_initial_usec || x->retry_max_usec == USEC_INFINITY) {
                log_error("[%s]: RetryInitialSec= must be > 0 and finite, and RetryMaxSec= finite and at least as long.",
                          section);
                r = -EINVAL;
        }
        if (x->connect_timeout_usec == 0 || x->timeout_usec == 0 || x->timeout_usec == USEC_INFINITY ||
            x->connect_timeout_usec == USEC_INFINITY) {
                log_error("[%s]: ConnectTimeoutSec= and TimeoutSec= must be > 0 and finite.", section);
                r = -EINVAL;
        }
        return r;
}

void webhook_endpoint_configs_free(WebhookEndpointConfig *l, size_t n) {
        for (size_t k = 0; k < n; k++)
                webhook_endpoint_config_done(&l[k]);
        free(l);
}

int webhook_config_resolve(const WebhookConfig *c, WebhookEndpointConfig **ret, size_t *ret_n) {
        WebhookEndpointConfig *l;
        size_t n = 0;
        int r = 0;

        l = new0(WebhookEndpointConfig, c->n_endpoints + 1);
        if (!l)
                return -ENOMEM;

        if (c->defaults.url) {
                for (size_t k = 0; k < c->n_endpoints; k++)
                        if (streq(c->endpoints[k]->name, "default")) {
                                log_error("[Webhook] has a URL=, which makes an endpoint named 'default', and "
                                          "[Webhook.default] exists too: use one of the two.");
                                r = -EINVAL;
                        }
                if (resolve_one(&c->defaults, &c->defaults, "default", &l[n]) < 0) {
                        webhook_endpoint_configs_free(l, n);
                        return -ENOMEM;
                }
                if (check_one(&l[n], "Webhook") < 0)
                        r = -EINVAL;
                n++;
        }
        for (size_t k = 0; k < c->n_endpoints; k++) {
                _cleanup_free_ char *section = NULL;

                if (resolve_one(&c->defaults, c->endpoints[k], c->endpoints[k]->name, &l[n]) < 0 ||
                    asprintf(&section, "Webhook.%s", c->endpoints[k]->name) < 0) {
                        webhook_endpoint_configs_free(l, n + 1);
                        return -ENOMEM;
                }
                if (check_one(&l[n], section) < 0)
                        r = -EINVAL;
                n++;
        }
        if (r < 0) {
                webhook_endpoint_configs_free(l, n);
                return r;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

int webhook_config_verify(const WebhookConfig *c) {
        WebhookEndpointConfig *l;
        size_t n;
        int r;

        r = webhook_config_resolve(c, &l, &n);
        if (r < 0)
                return r;
        webhook_endpoint_configs_free(l, n);
        return 0;
}

bool webhook_endpoint_wants(const WebhookEndpointConfig *e, unsigned priority, int category) {
        if (priority < 1 || priority > e->min_priority)
                return false;
        if (category < 0 || category >= _INCIDENT_CATEGORY_MAX)
                return false;
        return e->categories & (1U << category);
}

int config_parse_webhook_url(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        if (!startswith(rvalue, "http://") && !startswith(rvalue, "https://")) {
                *ret_reason = "an http:// or https:// URL";
                return -EINVAL;
        }
        if (strpbrk(rvalue, " \t\r\n")) {
                *ret_reason = "a URL without white space";
                return -EINVAL;
        }
        return config_parse_string(ctx, rvalue, data, ret_reason);
}

int config_parse_webhook_format(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        WebhookFormat f = webhook_format_from_string(rvalue);

        if (f < 0) {
                *ret_reason = "one of native, cloudevents, alertmanager, pagerduty";
                return -EINVAL;
        }
        *(WebhookFormat *) data = f;
        return 0;
}

int config_parse_webhook_priority(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        unsigned p;

        if (safe_atou(rvalue, &p) < 0 || p < 1 || p > 5) {
                *ret_reason = "a priority from 1 (highest) to 5";
                return -EINVAL;
        }
        *(unsigned *) data = p;
        return 0;
}

int config_parse_webhook_categories(const ConfigContext *ctx, const char *rvalue, void *data,
                                    const char **ret_reason) {
        _cleanup_strv_free_ char **l = NULL;
        unsigned m = 0;
        int r;

        r = strv_split(rvalue, " \t,", &l);
        if (r < 0)
                return r;
        STRV_FOREACH(w, l) {
                IncidentCategory c;

                if (streq(*w, "all")) {
                        m = CATEGORIES_ALL;
                        continue;
                }
                c = incident_category_from_string(*w);
                if (c < 0) {
                        *ret_reason = "\"all\" or categories among disk, controller, path, array, enclosure, known-error";
                        return -EINVAL;
                }
                m |= 1U << c;
        }
        if (m == 0) {
                *ret_reason = "at least one category, or \"all\"";
                return -EINVAL;
        }
        *(unsigned *) data = m;
        return 0;
}

int config_parse_webhook_tristate(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        int r = parse_boolean(rvalue);

        if (r < 0) {
                *ret_reason = "a boolean (yes/no)";
                return r;
        }
        *(int *) data = r;
        return 0;
}

int config_parse_webhook_parallel(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        unsigned n;

        if (safe_atou(rvalue, &n) < 0 || n < 1 || n > WEBHOOK_MAX_PARALLEL_MAX) {
                *ret_reason = "a number of deliveries from 1 to 64";
                return -EINVAL;
        }
        *(unsigned *) data = n;
        return 0;
}
