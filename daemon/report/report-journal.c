/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "message-ids.h"
#include "report-journal.h"
#include "string-util.h"

/* Fault class (diagnosis.c's names) -> MESSAGE_ID of "raised". */
static const struct {
        const char *fault_class;
        const char *message_id;
} raised_ids[] = {
        { "disk.failed", SG_MESSAGE_INCIDENT_DISK_FAILED },
        { "disk.offline", SG_MESSAGE_INCIDENT_DISK_OFFLINE },
        { "disk.media", SG_MESSAGE_INCIDENT_DISK_MEDIA },
        { "disk.transport", SG_MESSAGE_INCIDENT_DISK_TRANSPORT },
        { "disk.link", SG_MESSAGE_INCIDENT_DISK_LINK },
        { "disk.precursors", SG_MESSAGE_INCIDENT_DISK_PRECURSORS },
        { "disk.fail_slow", SG_MESSAGE_INCIDENT_DISK_FAIL_SLOW },
        { "disk.smart_history", SG_MESSAGE_INCIDENT_DISK_SMART_HISTORY },
        { "controller", SG_MESSAGE_INCIDENT_CONTROLLER },
        { "path.failed", SG_MESSAGE_INCIDENT_PATH_FAILED },
        { "path.flapping", SG_MESSAGE_INCIDENT_PATH_FLAPPING },
};

static const char *raised_message_id(const Incident *i) {
        const char *key = strempty(i->dedup_key);
        size_t l = strcspn(key, ":");

        if (i->category == INCIDENT_CATEGORY_KNOWN_ERROR)
                return SG_MESSAGE_INCIDENT_KNOWN_ERROR;
        for (size_t k = 0; k < ELEMENTSOF(raised_ids); k++)
                if (strlen(raised_ids[k].fault_class) == l && strneq(key, raised_ids[k].fault_class, l))
                        return raised_ids[k].message_id;
        /* An incident of a class this table does not know yet is still
         * catalogued: as an update of itself rather than not at all. */
        return SG_MESSAGE_INCIDENT_UPDATED;
}

const char *report_incident_message_id(const Incident *i, const char *event) {
        if (streq_ptr(event, "raised"))
                return raised_message_id(i);
        if (streq_ptr(event, "updated") || streq_ptr(event, "reopened"))
                return SG_MESSAGE_INCIDENT_UPDATED;
        if (streq_ptr(event, "mitigated"))
                return SG_MESSAGE_INCIDENT_MITIGATED;
        if (streq_ptr(event, "resolved"))
                return SG_MESSAGE_INCIDENT_RESOLVED;
        if (streq_ptr(event, "closed"))
                return SG_MESSAGE_INCIDENT_CLOSED;
        if (streq_ptr(event, "acknowledged"))
                return SG_MESSAGE_INCIDENT_ACKNOWLEDGED;
        return NULL;
}

static const char *ci_field(const Incident *i, const char *key) {
        json_object *v;

        if (!i->ci || !json_object_object_get_ex(i->ci, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

void report_journal_incident(int level, const Incident *i, const char *event, const char *format, ...) {
        char priority[12], major[4];
        va_list ap;

        if (log_get_max_level() < level)
                return;
        snprintf(priority, sizeof(priority), "%u", i->priority);
        snprintf(major, sizeof(major), "%d", i->major ? 1 : 0);
        va_start(ap, format);
        (void) log_event_internalv(level, 0, report_incident_message_id(i, event),
                                   LOG_FIELDS({ "STORGUARD_INCIDENT_ID", i->id },
                                              { "STORGUARD_INCIDENT_EVENT", event },
                                              { "STORGUARD_PRIORITY_CLASS", priority },
                                              { "STORGUARD_MAJOR", major },
                                              { "STORGUARD_STATUS", incident_status_to_string(i->status) },
                                              { "STORGUARD_CATEGORY", incident_category_to_string(i->category) },
                                              { "STORGUARD_IMPACT", impact_to_string(i->impact) },
                                              { "STORGUARD_URGENCY", urgency_to_string(i->urgency) },
                                              { "STORGUARD_DEDUP_KEY", i->dedup_key },
                                              { "STORGUARD_KNOWN_ERROR", i->known_error_id },
                                              { "STORGUARD_CI_ID", i->ci_id },
                                              { "STORGUARD_CI_TYPE", ci_field(i, "type") },
                                              { "STORGUARD_DEVICE", ci_field(i, "name") },
                                              { "STORGUARD_MODEL", ci_field(i, "model") },
                                              { "STORGUARD_SERIAL", ci_field(i, "serial") },
                                              { "STORGUARD_WWN", ci_field(i, "wwn") },
                                              { "STORGUARD_FIRMWARE", ci_field(i, "firmware") },
                                              { "STORGUARD_TRANSPORT", ci_field(i, "transport") }),
                                   __FILE__, __LINE__, __func__, format, ap);
        va_end(ap);
}

void report_journal_incident_changed(const Incident *i, const char *event_type, void *userdata) {
        int level;

        if (streq_ptr(event_type, "mitigated") || streq_ptr(event_type, "resolved") ||
            streq_ptr(event_type, "closed"))
                level = LOG_NOTICE;
        else if (streq_ptr(event_type, "acknowledged"))
                level = LOG_INFO;
        else
                return;
        report_journal_incident(level, i, event_type, "Incident %s %s (priority %u): %s", i->id, event_type,
                                i->priority, i->title);
}

void report_ci_fields(const Ci *c, LogField ret[static REPORT_CI_FIELDS_MAX]) {
        size_t n = 0;

        ret[n++] = (LogField) { "STORGUARD_CI_ID", c->id };
        ret[n++] = (LogField) { "STORGUARD_CI_TYPE", ci_type_to_string(c->type) };
        ret[n++] = (LogField) { "STORGUARD_DEVICE", c->name };
        ret[n++] = (LogField) { "STORGUARD_DEVNODE", c->devnode };
        ret[n++] = (LogField) { "STORGUARD_MODEL", c->model };
        ret[n++] = (LogField) { "STORGUARD_SERIAL", c->serial };
        ret[n++] = (LogField) { "STORGUARD_WWN", c->wwn };
        ret[n++] = (LogField) { "STORGUARD_FIRMWARE", c->firmware };
        ret[n++] = (LogField) { "STORGUARD_TRANSPORT", transport_to_string(c->transport) };
        ret[n++] = (LogField) { "STORGUARD_STATE", c->type == CI_ARRAY || c->type == CI_MULTIPATH ? c->array_state : NULL };
        ret[n] = (LogField) {};
}
