/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Incidents in the journal: one catalogued message per change, with the
 * incident's and its configuration item's identity as fields
 * (message-ids.h lists them; contrib/journal/storguard.catalog explains
 * each MESSAGE_ID).  A raised incident's MESSAGE_ID depends on its fault
 * class (the part of the dedup key before ':'), so that every class has
 * its own knowledge article.
 */

#include "ci.h"
#include "incident.h"
#include "log.h"
#include "macro.h"

/* report_incident_message_id() - the MESSAGE_ID of event ("raised",
 * "updated", "mitigated", "resolved", "closed", "acknowledged") of i;
 * NULL for events that get no message of their own (lifecycle stamps,
 * actions: they show up in the incident's record). */
const char *report_incident_message_id(const Incident *i, const char *event);

/* report_journal_incident() - log format at level with the incident's
 * MESSAGE_ID and fields (STORGUARD_INCIDENT_ID, STORGUARD_PRIORITY_CLASS,
 * STORGUARD_DEVICE, STORGUARD_SERIAL, STORGUARD_WWN, ...). */
void report_journal_incident(int level, const Incident *i, const char *event, const char *format, ...)
        _printf_(4, 5);

/* report_journal_incident_changed() - an IncidentChangedFn (the incident
 * manager's hook): a message for each status change and acknowledgement,
 * whoever made it (the daemon, the response agent, an operator over
 * D-Bus).  Raising and updating are logged by the code that diagnosed the
 * fault, with the fault's reason, and are skipped here. */
void report_journal_incident_changed(const Incident *i, const char *event_type, void *userdata);

/* report_ci_fields() - the journal fields of a configuration item
 * (STORGUARD_CI_ID, _CI_TYPE, _DEVICE, _DEVNODE, _MODEL, _SERIAL, _WWN,
 * _FIRMWARE, _TRANSPORT, and _STATE of arrays and maps) into ret, ended
 * by an empty entry; borrowed from c.  Use: log_event(level, id, fields, ...). */
#define REPORT_CI_FIELDS_MAX 11
void report_ci_fields(const Ci *c, LogField ret[static REPORT_CI_FIELDS_MAX]);
