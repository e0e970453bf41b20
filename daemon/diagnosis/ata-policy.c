/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "ata-policy.h"
#include "string-table.h"

static const struct {
        const char *name;
        unsigned id;
} attrs[_ATA_ATTR_MAX] = {
        [ATA_ATTR_REALLOCATED] = { "reallocated sectors", 5 },
        [ATA_ATTR_UNCORRECTABLE] = { "reported uncorrectable errors", 187 },
        [ATA_ATTR_PENDING] = { "pending sectors", 197 },
        [ATA_ATTR_OFFLINE_UNC] = { "offline uncorrectable sectors", 198 },
        [ATA_ATTR_POWER_ON_HOURS] = { "power-on hours", 9 },
        [ATA_ATTR_COMMAND_TIMEOUT] = { "command timeouts", 188 },
};

/* The error counters of the combination rule, in the order a reason names them. */
static const AtaPolicyAttr error_counters[] = { ATA_ATTR_REALLOCATED, ATA_ATTR_UNCORRECTABLE, ATA_ATTR_PENDING,
                                                ATA_ATTR_OFFLINE_UNC };

const char *ata_policy_attr_to_string(AtaPolicyAttr a) {
        if (a < 0 || a >= _ATA_ATTR_MAX)
                return NULL;
        return attrs[a].name;
}

AtaPolicyAttr ata_policy_attr_from_id(unsigned id) {
        for (int a = 0; a < _ATA_ATTR_MAX; a++)
                if (attrs[a].id == id)
                        return (AtaPolicyAttr) a;
        return _ATA_ATTR_INVALID;
}

void ata_policy_params_default(AtaPolicyParams *p) {
        *p = (AtaPolicyParams) {
                .combined_min = ATA_POLICY_COMBINED_MIN,
                .pending_min = ATA_POLICY_PENDING_MIN,
                .offline_unc_min = ATA_POLICY_OFFLINE_UNC_MIN,
                .uncorrectable_min = ATA_POLICY_UNCORRECTABLE_MIN,
                .reallocated_min = ATA_POLICY_REALLOCATED_MIN,
                .command_timeout_min = ATA_POLICY_COMMAND_TIMEOUT_MIN,
                .reallocated_growth_min = ATA_POLICY_REALLOCATED_GROWTH_MIN,
                .growth_window_usec = ATA_POLICY_GROWTH_WINDOW_USEC,
        };
}

uint64_t ata_policy_command_timeouts(uint64_t raw) {
        if (raw == ATA_VALUE_NONE || raw <= 0xffff)
                return raw;
        return (raw & 0xffff) + ((raw >> 16) & 0xffff) + ((raw >> 32) & 0xffff);
}

static bool at_least_value(AtaPolicyAttr a, uint64_t v, uint64_t min, char *reason, size_t size) {
        if (v == ATA_VALUE_NONE || min == 0 || v < min)
                return false;
        snprintf(reason, size, "%s %llu (>= %llu)", attrs[a].name, (unsigned long long) v, (unsigned long long) min);
        return true;
}

static bool at_least(const AtaSample *s, AtaPolicyAttr a, uint64_t min, char *reason, size_t size) {
        return at_least_value(a, s->raw[a], min, reason, size);
}

/* "pending sectors 8 and offline uncorrectable sectors 8 at once (>= 2 of 5/187/197/198)" */
static bool combined(const AtaSample *s, unsigned min, char *reason, size_t size) {
        AtaPolicyAttr nonzero[ELEMENTSOF(error_counters)];
        size_t n = 0, off = 0;

        if (min == 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(error_counters); i++)
                if (s->raw[error_counters[i]] != ATA_VALUE_NONE && s->raw[error_counters[i]] > 0)
                        nonzero[n++] = error_counters[i];
        if (n < min)
                return false;
        for (size_t i = 0; i < n && off < size; i++) {
                int k = snprintf(reason + off, size - off, "%s%s %llu", i == 0 ? "" : i + 1 == n ? " and " : ", ",
                                 attrs[nonzero[i]].name, (unsigned long long) s->raw[nonzero[i]]);
                if (k < 0)
                        return true;
                off += (size_t) k;
        }
        if (off < size)
                snprintf(reason + off, size - off, " at once (>= %u of 5/187/197/198)", min);
        return true;
}

bool ata_policy_evaluate(const AtaPolicyParams *p, AtaPolicyState *st, const AtaSample *s, char *reason,
                         size_t size) {
        uint64_t r = s->raw[ATA_ATTR_REALLOCATED];
        bool warn = false;

        /* Several counters at once, then data the drive could not recover
         * by itself, then a large stock of remapped sectors, then timeouts. */
        warn = combined(s, p->combined_min, reason, size) ||
               at_least(s, ATA_ATTR_PENDING, p->pending_min, reason, size) ||
               at_least(s, ATA_ATTR_OFFLINE_UNC, p->offline_unc_min, reason, size) ||
               at_least(s, ATA_ATTR_UNCORRECTABLE, p->uncorrectable_min, reason, size) ||
               at_least(s, ATA_ATTR_REALLOCATED, p->reallocated_min, reason, size) ||
               at_least_value(ATA_ATTR_COMMAND_TIMEOUT, ata_policy_command_timeouts(s->raw[ATA_ATTR_COMMAND_TIMEOUT]),
                              p->command_timeout_min, reason, size);

        if (r == ATA_VALUE_NONE)
                return warn;

        /* Growth of the reallocated count within the window: compare with
         * the oldest remembered sample still inside it. */
        if (!warn && p->reallocated_growth_min > 0) {
                for (size_t i = 0; i < st->n; i++) {
                        size_t k = (st->head + ATA_POLICY_HISTORY - st->n + i) % ATA_POLICY_HISTORY;
                        if (s->time_usec < st->times[k] || s->time_usec - st->times[k] > p->growth_window_usec)
                                continue;
                        /* A drive first seen with remapped sectors already
                         * grew them at some point: only growth we saw counts. */
                        if (r >= st->reallocated[k] + p->reallocated_growth_min && st->reallocated[k] > 0) {
                                char w[FORMAT_TIMESPAN_MAX];
                                snprintf(reason, size, "reallocated sectors %llu -> %llu within %s (growth >= %llu)",
                                         (unsigned long long) st->reallocated[k], (unsigned long long) r,
                                         format_timespan(w, sizeof(w), p->growth_window_usec),
                                         (unsigned long long) p->reallocated_growth_min);
                                warn = true;
                        }
                        break;
                }
        }

        st->times[st->head] = s->time_usec;
        st->reallocated[st->head] = r;
        st->head = (st->head + 1) % ATA_POLICY_HISTORY;
        if (st->n < ATA_POLICY_HISTORY)
                st->n++;
        return warn;
}

bool ata_policy_track(const AtaPolicyParams *p, AtaPolicyTracker *t, const AtaSample *series, size_t n,
                      char *reason, size_t size) {
        AtaPolicyState st = {};
        char why[ATA_POLICY_REASON_MAX] = "";
        bool warn = false;

        for (size_t i = 0; i < n; i++)
                warn = ata_policy_evaluate(p, &st, &series[i], why, sizeof(why));
        if (!warn) {
                t->episode = false;
                return false;
        }
        if (t->episode)
                return false;
        t->episode = true;
        snprintf(reason, size, "%s", why);
        return true;
}

bool ata_policy_backblaze_rule(const AtaSample *s, char *reason, size_t size) {
        for (size_t i = 0; i < ELEMENTSOF(error_counters); i++)
                if (at_least(s, error_counters[i], 1, reason, size))
                        return true;
        return false;
}
