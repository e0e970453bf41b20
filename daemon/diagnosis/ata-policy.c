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
};

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
                .pending_min = ATA_POLICY_PENDING_MIN,
                .offline_unc_min = ATA_POLICY_OFFLINE_UNC_MIN,
                .uncorrectable_min = ATA_POLICY_UNCORRECTABLE_MIN,
                .reallocated_min = ATA_POLICY_REALLOCATED_MIN,
                .reallocated_growth_min = ATA_POLICY_REALLOCATED_GROWTH_MIN,
                .growth_window_usec = ATA_POLICY_GROWTH_WINDOW_USEC,
        };
}

static bool at_least(const AtaSample *s, AtaPolicyAttr a, uint64_t min, char *reason, size_t size) {
        uint64_t v = s->raw[a];

        if (v == ATA_VALUE_NONE || min == 0 || v < min)
                return false;
        snprintf(reason, size, "%s %llu (>= %llu)", attrs[a].name, (unsigned long long) v, (unsigned long long) min);
        return true;
}

bool ata_policy_evaluate(const AtaPolicyParams *p, AtaPolicyState *st, const AtaSample *s, char *reason,
                         size_t size) {
        uint64_t r = s->raw[ATA_ATTR_REALLOCATED];
        bool warn = false;

        /* Data the drive could not recover by itself. */
        if (s->raw[ATA_ATTR_PENDING] != ATA_VALUE_NONE && s->raw[ATA_ATTR_OFFLINE_UNC] != ATA_VALUE_NONE &&
            s->raw[ATA_ATTR_PENDING] >= p->pending_min && s->raw[ATA_ATTR_OFFLINE_UNC] >= p->offline_unc_min) {
                snprintf(reason, size, "pending sectors %llu and offline uncorrectable sectors %llu",
                         (unsigned long long) s->raw[ATA_ATTR_PENDING],
                         (unsigned long long) s->raw[ATA_ATTR_OFFLINE_UNC]);
                warn = true;
        } else
                warn = at_least(s, ATA_ATTR_PENDING, p->pending_min, reason, size) ||
                       at_least(s, ATA_ATTR_OFFLINE_UNC, p->offline_unc_min, reason, size) ||
                       at_least(s, ATA_ATTR_UNCORRECTABLE, p->uncorrectable_min, reason, size) ||
                       at_least(s, ATA_ATTR_REALLOCATED, p->reallocated_min, reason, size);

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

bool ata_policy_backblaze_rule(const AtaSample *s, char *reason, size_t size) {
        static const AtaPolicyAttr a[] = { ATA_ATTR_REALLOCATED, ATA_ATTR_UNCORRECTABLE, ATA_ATTR_PENDING,
                                           ATA_ATTR_OFFLINE_UNC };

        for (size_t i = 0; i < ELEMENTSOF(a); i++)
                if (at_least(s, a[i], 1, reason, size))
                        return true;
        return false;
}
