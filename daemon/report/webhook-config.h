/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The webhook notifier's configuration (storguard.conf(5)):
 *
 *   [Webhook]            defaults for every endpoint; a URL= here makes an
 *                        endpoint named "default"
 *   [Webhook.NAME]       one endpoint; every key of [Webhook] may be set
 *                        here and wins over the default
 *
 * Keys (built-in default in brackets):
 *   URL=                    http:// or https:// (required)
 *   Format=                 native, cloudevents, alertmanager, pagerduty [native]
 *   MinPriority=            1..5: deliver incidents of this priority or a
 *                           more urgent one (1 is the highest) [5: all]
 *   Categories=             disk controller path array enclosure known-error,
 *                           space separated, or "all" [all]
 *   SecretFile=             Standard Webhooks signing secret ("whsec_<base64>"
 *                           or raw bytes); mode 0600 or stricter [unsigned]
 *   BearerTokenFile=        "Authorization: Bearer" token; same rules [none]
 *   RoutingKeyFile=         PagerDuty integration key (Format=pagerduty)
 *   CAFile=                 trust only this CA bundle [the system's]
 *   ClientCertificateFile=, ClientKeyFile=   TLS client authentication
 *   Insecure=               yes: do not verify the server's certificate
 *                           (logged at warning on every start) [no]
 *   ConnectTimeoutSec=, TimeoutSec=          per attempt [10s, 30s]
 *   RetryInitialSec=, RetryMaxSec=           backoff between attempts,
 *                           doubling with jitter [5s, 1h]
 *   MaxAgeSec=              after this long without success an event is a
 *                           dead letter (kept, re-queued on demand) [3d]
 *   MaxParallel=            deliveries in flight per endpoint [4]
 */

#include <stdbool.h>
#include <stddef.h>

#include "conf-parser.h"
#include "macro.h"
#include "time-util.h"

typedef enum WebhookFormat {
        WEBHOOK_FORMAT_NATIVE,       /* storguard.webhook/1 JSON */
        WEBHOOK_FORMAT_CLOUDEVENTS,  /* CloudEvents 1.0, structured mode */
        WEBHOOK_FORMAT_ALERTMANAGER, /* Prometheus Alertmanager webhook, version 4 */
        WEBHOOK_FORMAT_PAGERDUTY,    /* PagerDuty Events API v2 */
        _WEBHOOK_FORMAT_MAX,
        _WEBHOOK_FORMAT_INVALID = -EINVAL,
} WebhookFormat;

const char *webhook_format_to_string(WebhookFormat f) _const_;
WebhookFormat webhook_format_from_string(const char *s) _pure_;

#define WEBHOOK_FORMAT_DEFAULT WEBHOOK_FORMAT_NATIVE
#define WEBHOOK_MIN_PRIORITY_DEFAULT 5U                          /* every priority */
#define WEBHOOK_CONNECT_TIMEOUT_DEFAULT_USEC (10 * USEC_PER_SEC)
#define WEBHOOK_TIMEOUT_DEFAULT_USEC (30 * USEC_PER_SEC)         /* the Standard Webhooks advice: 15-30 s */
#define WEBHOOK_RETRY_INITIAL_DEFAULT_USEC (5 * USEC_PER_SEC)
#define WEBHOOK_RETRY_MAX_DEFAULT_USEC (1 * USEC_PER_HOUR)
#define WEBHOOK_MAX_AGE_DEFAULT_USEC (3 * USEC_PER_DAY)
#define WEBHOOK_MAX_PARALLEL_DEFAULT 4U
#define WEBHOOK_MAX_PARALLEL_MAX 64U

/* "not set in this section": the value comes from [Webhook], then from
 * the built-in default. */
#define WEBHOOK_USEC_UNSET (USEC_INFINITY - 1)

typedef struct WebhookEndpointConfig {
        char *name;
        char *url;
        WebhookFormat format;       /* _WEBHOOK_FORMAT_INVALID: unset */
        unsigned min_priority;      /* 1..5, 0: unset */
        unsigned categories;        /* bit mask of 1 << IncidentCategory, 0: unset */
        char *secret_file;
        char *bearer_token_file;
        char *routing_key_file;
        char *ca_file;
        char *client_certificate_file;
        char *client_key_file;
        int insecure;               /* -1: unset */
        usec_t connect_timeout_usec;
        usec_t timeout_usec;
        usec_t retry_initial_usec;
        usec_t retry_max_usec;
        usec_t max_age_usec;        /* USEC_INFINITY: never dead */
        unsigned max_parallel;      /* 0: unset */
} WebhookEndpointConfig;

typedef struct WebhookConfig {
        WebhookEndpointConfig defaults;     /* [Webhook] */
        WebhookEndpointConfig **endpoints;  /* [Webhook.NAME], in order of first appearance */
        size_t n_endpoints;
} WebhookConfig;

void webhook_config_init(WebhookConfig *c);
void webhook_config_done(WebhookConfig *c);
void webhook_endpoint_config_done(WebhookEndpointConfig *e);

/* webhook_config_endpoint() - the endpoint NAME, created (all unset) if new.
 * Return: it, or NULL on ENOMEM. */
WebhookEndpointConfig *webhook_config_endpoint(WebhookConfig *c, const char *name);

/* webhook_config_resolve() - every endpoint with every value set: its own,
 * else [Webhook]'s, else the built-in default; "default" first when
 * [Webhook] has a URL=.  Logs each problem naming the section (no URL,
 * Format=pagerduty without RoutingKeyFile=, a key without its certificate).
 * Return: 0 with *ret (free with webhook_endpoint_configs_free()), -EINVAL,
 * -ENOMEM. */
int webhook_config_resolve(const WebhookConfig *c, WebhookEndpointConfig **ret, size_t *ret_n);
void webhook_endpoint_configs_free(WebhookEndpointConfig *l, size_t n);

/* webhook_config_verify() - resolve and drop: for config_load(). */
int webhook_config_verify(const WebhookConfig *c);

/* webhook_endpoint_wants() - the endpoint's filter (resolved config). */
bool webhook_endpoint_wants(const WebhookEndpointConfig *e, unsigned priority, int category) _pure_;

int config_parse_webhook_url(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);
int config_parse_webhook_format(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);
int config_parse_webhook_priority(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);
int config_parse_webhook_categories(const ConfigContext *ctx, const char *rvalue, void *data,
                                    const char **ret_reason);
int config_parse_webhook_tristate(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);
int config_parse_webhook_parallel(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason);

/* The table items, for the one configuration table of storguard.conf:
 *
 *   static void *webhook_section(void *userdata, const char *name) {
 *           return webhook_config_endpoint(&((Config *) userdata)->webhook, name);
 *   }
 *   static const ConfigTableItem config_items[] = {
 *           ...
 *           WEBHOOK_CONFIG_TABLE_ITEMS(Config, webhook, webhook_section),
 *           {}
 *   };
 */
#define _WEBHOOK_ITEMS_(section, base, lookup)                                                                   \
        { section, "URL", config_parse_webhook_url, base + offsetof(WebhookEndpointConfig, url), lookup },       \
        { section, "Format", config_parse_webhook_format, base + offsetof(WebhookEndpointConfig, format), lookup }, \
        { section, "MinPriority", config_parse_webhook_priority, base + offsetof(WebhookEndpointConfig, min_priority), lookup }, \
        { section, "Categories", config_parse_webhook_categories, base + offsetof(WebhookEndpointConfig, categories), lookup }, \
        { section, "SecretFile", config_parse_path, base + offsetof(WebhookEndpointConfig, secret_file), lookup }, \
        { section, "BearerTokenFile", config_parse_path, base + offsetof(WebhookEndpointConfig, bearer_token_file), lookup }, \
        { section, "RoutingKeyFile", config_parse_path, base + offsetof(WebhookEndpointConfig, routing_key_file), lookup }, \
        { section, "CAFile", config_parse_path, base + offsetof(WebhookEndpointConfig, ca_file), lookup },       \
        { section, "ClientCertificateFile", config_parse_path, base + offsetof(WebhookEndpointConfig, client_certificate_file), lookup }, \
        { section, "ClientKeyFile", config_parse_path, base + offsetof(WebhookEndpointConfig, client_key_file), lookup }, \
        { section, "Insecure", config_parse_webhook_tristate, base + offsetof(WebhookEndpointConfig, insecure), lookup }, \
        { section, "ConnectTimeoutSec", config_parse_sec, base + offsetof(WebhookEndpointConfig, connect_timeout_usec), lookup }, \
        { section, "TimeoutSec", config_parse_sec, base + offsetof(WebhookEndpointConfig, timeout_usec), lookup }, \
        { section, "RetryInitialSec", config_parse_sec, base + offsetof(WebhookEndpointConfig, retry_initial_usec), lookup }, \
        { section, "RetryMaxSec", config_parse_sec, base + offsetof(WebhookEndpointConfig, retry_max_usec), lookup }, \
        { section, "MaxAgeSec", config_parse_sec, base + offsetof(WebhookEndpointConfig, max_age_usec), lookup }, \
        { section, "MaxParallel", config_parse_webhook_parallel, base + offsetof(WebhookEndpointConfig, max_parallel), lookup }

#define WEBHOOK_CONFIG_TABLE_ITEMS(type, field, lookup)                                                          \
        _WEBHOOK_ITEMS_("Webhook", offsetof(type, field.defaults), NULL),                                        \
        _WEBHOOK_ITEMS_("Webhook.*", 0, lookup)
