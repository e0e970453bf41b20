/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What goes over the wire.  The outbox keeps one document per event and
 * endpoint, the native envelope (schema "storguard.webhook/1", described
 * by contrib/storguard-webhook.schema.json):
 *
 *   {
 *     "schema":     "storguard.webhook/1",
 *     "event_id":   "<incident id>.<seq>"   stable across retries
 *     "event_type": raised | updated | mitigated | resolved | closed | test
 *     "sequence":   <seq>                   the incident's change number
 *     "host":       "<host name>"
 *     "time":       "2026-11-22T00:28:18.123456Z"  when the change happened
 *     "incident":   { incident_to_json() }  the incident as of that change
 *   }
 *
 * and each endpoint's format is rendered from it when it is sent (so a
 * secret such as PagerDuty's routing key never lands in the database):
 *
 *   native        the envelope as it is (application/json)
 *   cloudevents   CloudEvents 1.0 structured mode
 *                 (application/cloudevents+json): specversion "1.0",
 *                 id = event_id, source "/storguard/<host>", type
 *                 "org.storguard.incident.<event type>", subject = incident
 *                 id, time, datacontenttype "application/json",
 *                 data = the envelope
 *   alertmanager  Prometheus Alertmanager's webhook payload, version "4"
 *                 (alertmanager notify/webhook Message: template.Data plus
 *                 version, groupKey, truncatedAlerts), one alert per
 *                 incident: status firing, or resolved once the incident
 *                 is resolved or closed
 *   pagerduty     PagerDuty Events API v2 (/v2/enqueue): event_action
 *                 trigger (raised, updated, reopened, test), acknowledge
 *                 (mitigated, acknowledged), resolve (resolved, closed);
 *                 dedup_key = the incident's dedup key
 */

#include <stddef.h>
#include <stdint.h>

#include "incident.h"
#include "macro.h"
#include "time-util.h"
#include "webhook-config.h"

#define WEBHOOK_SCHEMA "storguard.webhook/1"

typedef enum WebhookEventType {
        WEBHOOK_EVENT_RAISED,
        WEBHOOK_EVENT_UPDATED,
        WEBHOOK_EVENT_MITIGATED,
        WEBHOOK_EVENT_RESOLVED,
        WEBHOOK_EVENT_CLOSED,
        WEBHOOK_EVENT_REOPENED,     /* the fault came back after it was resolved */
        WEBHOOK_EVENT_ACKNOWLEDGED, /* an operator took it */
        WEBHOOK_EVENT_TEST,         /* storguardctl webhook test */
        _WEBHOOK_EVENT_MAX,
        _WEBHOOK_EVENT_INVALID = -EINVAL,
} WebhookEventType;

const char *webhook_event_type_to_string(WebhookEventType t) _const_;
WebhookEventType webhook_event_type_from_string(const char *s) _pure_;

typedef struct WebhookEvent {
        WebhookEventType type;
        uint64_t seq;              /* the change's number: the event id is "<incident id>.<seq>" */
        const char *host;
        usec_t time_usec;          /* CLOCK_REALTIME */
        const Incident *incident;  /* as it is now (after a store outage, later than seq) */
} WebhookEvent;

/* webhook_event_id() - "<incident id>.<seq>".  Return: a new string or NULL. */
char *webhook_event_id(const char *incident_id, uint64_t seq);

/* webhook_native_payload() - the envelope, as compact JSON.
 * Return: 0, -EINVAL (no incident id), -ENOMEM. */
int webhook_native_payload(const WebhookEvent *e, char **ret);

typedef struct WebhookRenderParams {
        const char *endpoint;     /* Alertmanager's "receiver" */
        const char *routing_key;  /* PagerDuty's integration key */
} WebhookRenderParams;

/* webhook_render() - the body for format from a native payload.
 * @ret_content_type: a static string.
 * Return: 0, -EBADMSG (the payload is not an envelope), -ENOMEM. */
int webhook_render(WebhookFormat format, const char *native, const WebhookRenderParams *p, char **ret_body,
                   const char **ret_content_type);

/* webhook_severity() - priority 1..5 as a severity.  PagerDuty (critical,
 * error, warning, info): P1 critical, P2 error, P3 warning, P4-P5 info.
 * Alertmanager's usual labels (critical, warning, info): P1-P2 critical,
 * P3 warning, P4-P5 info. */
const char *webhook_severity(unsigned priority, WebhookFormat format) _const_;
