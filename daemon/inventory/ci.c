/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alloc-util.h"
#include "ci.h"
#include "parse-util.h"
#include "string-table.h"
#include "string-util.h"

static const char *const ci_type_table[_CI_TYPE_MAX] = {
        [CI_DISK] = "disk",
        [CI_CONTROLLER] = "controller",
        [CI_PCI] = "pci",
        [CI_ARRAY] = "array",
        [CI_MULTIPATH] = "multipath",
};
DEFINE_STRING_TABLE_LOOKUP(ci_type, CiType);

static const char *const ci_state_table[_CI_STATE_MAX] = {
        [CI_STATE_PRESENT] = "present",
        [CI_STATE_REMOVED] = "removed",
};
DEFINE_STRING_TABLE_LOOKUP(ci_state, CiState);

static const char *const transport_table[_TRANSPORT_MAX] = {
        [TRANSPORT_UNKNOWN] = "unknown", [TRANSPORT_SATA] = "sata",   [TRANSPORT_SAS] = "sas",
        [TRANSPORT_FC] = "fc",           [TRANSPORT_ISCSI] = "iscsi", [TRANSPORT_USB] = "usb",
        [TRANSPORT_SCSI] = "scsi",       [TRANSPORT_NVME] = "nvme",   [TRANSPORT_VIRTIO] = "virtio",
        [TRANSPORT_VIRTUAL] = "virtual", [TRANSPORT_PCI] = "pci",
};
DEFINE_STRING_TABLE_LOOKUP(transport, Transport);

static const char *const health_source_table[_HEALTH_SOURCE_MAX] = {
        [HEALTH_SOURCE_NONE] = "none",
        [HEALTH_SOURCE_ATA] = "ata-smart",
        [HEALTH_SOURCE_SCSI] = "scsi-log",
        [HEALTH_SOURCE_NVME] = "nvme-health",
};
DEFINE_STRING_TABLE_LOOKUP(health_source, HealthSource);

static const char *const member_role_table[_MEMBER_ROLE_MAX] = {
        [MEMBER_ROLE_UNKNOWN] = "unknown",
        [MEMBER_ROLE_ACTIVE] = "active",
        [MEMBER_ROLE_REBUILDING] = "rebuilding",
        [MEMBER_ROLE_SPARE] = "spare",
        [MEMBER_ROLE_FAULTY] = "faulty",
};
DEFINE_STRING_TABLE_LOOKUP(member_role, MemberRole);

static const char *const path_state_table[_PATH_STATE_MAX] = {
        [PATH_STATE_UNKNOWN] = "unknown",
        [PATH_STATE_ACTIVE] = "active",
        [PATH_STATE_FAILED] = "failed",
};
DEFINE_STRING_TABLE_LOOKUP(path_state, PathState);

Ci *ci_new(CiType type) {
        Ci *c = new0(Ci, 1);

        if (!c)
                return NULL;
        c->type = type;
        c->rotational = -1;
        c->queue_if_no_path = c->queueing = -1;
        return c;
}

/* Every string field but the id, for freeing and comparing in one place. */
static const size_t ci_string_fields[] = {
        offsetof(Ci, name),          offsetof(Ci, syspath),       offsetof(Ci, devnode),
        offsetof(Ci, by_path),       offsetof(Ci, alias),         offsetof(Ci, vendor),        offsetof(Ci, model),
        offsetof(Ci, serial),        offsetof(Ci, wwn),           offsetof(Ci, firmware),
        offsetof(Ci, unsupported_reason), offsetof(Ci, lun_id),   offsetof(Ci, controller_id),
        offsetof(Ci, driver),        offsetof(Ci, pci_address),   offsetof(Ci, pci_id),
        offsetof(Ci, level),         offsetof(Ci, array_state),   offsetof(Ci, sync_action),
};

#define CI_STRING(c, off) (*(char **) ((uint8_t *) (c) + (off)))

static void ci_free_contents(Ci *c) {
        for (size_t i = 0; i < ELEMENTSOF(ci_string_fields); i++)
                free(CI_STRING(c, ci_string_fields[i]));
        for (size_t i = 0; i < c->n_members; i++) {
                free(c->members[i].name);
                free(c->members[i].disk_name);
                free(c->members[i].state);
        }
        free(c->members);
        for (size_t i = 0; i < c->n_paths; i++) {
                free(c->paths[i].name);
                free(c->paths[i].device_state);
        }
        free(c->paths);
}

bool ci_same_contents(const Ci *a, const Ci *b) {
        if (a->type != b->type || a->transport != b->transport || a->capacity_bytes != b->capacity_bytes ||
            a->rotational != b->rotational || a->health_source != b->health_source ||
            a->raid_disks != b->raid_disks || a->degraded != b->degraded ||
            a->n_members != b->n_members || a->n_paths != b->n_paths ||
            a->queue_if_no_path != b->queue_if_no_path || a->queueing != b->queueing)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(ci_string_fields); i++)
                if (!streq_ptr(CI_STRING(a, ci_string_fields[i]), CI_STRING(b, ci_string_fields[i])))
                        return false;
        for (size_t i = 0; i < a->n_members; i++)
                if (!streq_ptr(a->members[i].name, b->members[i].name) ||
                    !streq_ptr(a->members[i].state, b->members[i].state) ||
                    a->members[i].slot != b->members[i].slot || a->members[i].errors != b->members[i].errors)
                        return false;
        for (size_t i = 0; i < a->n_paths; i++)
                if (!streq_ptr(a->paths[i].name, b->paths[i].name) || a->paths[i].state != b->paths[i].state ||
                    a->paths[i].fail_count != b->paths[i].fail_count ||
                    !streq_ptr(a->paths[i].device_state, b->paths[i].device_state))
                        return false;
        return true;
}

Ci *ci_free(Ci *c) {
        if (!c)
                return NULL;
        ci_free_contents(c);
        free(c->id);
        return mfree(c);
}

void ci_move_contents(Ci *dst, Ci *src) {
        char *id = dst->id;
        CiState state = dst->state;
        usec_t first_seen = dst->first_seen, last_seen = dst->last_seen, removed_at = dst->removed_at;

        assert(dst->type == src->type);

        ci_free_contents(dst);
        *dst = *src;
        dst->id = id;
        dst->state = state;
        dst->first_seen = first_seen;
        dst->last_seen = last_seen;
        dst->removed_at = removed_at;

        free(src->id);
        *src = (Ci) { .type = dst->type, .rotational = -1 };
}

int set_trimmed(char **field, const char *v) {
        _cleanup_free_ char *t = NULL;
        char *s;

        if (!v || *field)
                return 0; /* first source wins */
        t = strdup(v);
        if (!t)
                return -ENOMEM;
        s = strstrip(t);
        if (isempty(s))
                return 0;
        *field = strdup(s);
        return *field ? 1 : -ENOMEM;
}

int ci_set_md_values(Ci *c, const MdArrayValues *v) {
        uint64_t u;

        assert(c && v);
        if (set_trimmed(&c->level, v->level) < 0 || set_trimmed(&c->array_state, v->array_state) < 0 ||
            set_trimmed(&c->sync_action, v->sync_action) < 0)
                return -ENOMEM;
        if (v->raid_disks)
                (void) safe_atou(v->raid_disks, &c->raid_disks);
        if (v->degraded)
                (void) safe_atou(v->degraded, &c->degraded);
        if (v->size && safe_atou64(v->size, &u) >= 0 && u <= UINT64_MAX / 512)
                c->capacity_bytes = u * 512;
        return 0;
}

int array_member_set_md_values(ArrayMember *m, const char *state, const char *slot, const char *errors) {
        assert(m);
        if (set_trimmed(&m->state, state) < 0)
                return -ENOMEM;
        if (slot)
                (void) safe_atoi(slot, &m->slot); /* "none" for spares */
        if (errors)
                (void) safe_atou64(errors, &m->errors);
        m->role = member_role_from_md_state(m->state, m->slot);
        return 0;
}

MemberRole member_role_from_md_state(const char *state, int slot) {
        _cleanup_strv_free_ char **l = NULL;

        if (!state || strv_split(state, ",", &l) < 0)
                return MEMBER_ROLE_UNKNOWN;
        /* Documented in the kernel's Documentation/admin-guide/md.rst,
         * "dev-XXX/state". */
        if (strv_contains(l, "faulty"))
                return MEMBER_ROLE_FAULTY;
        if (strv_contains(l, "in_sync"))
                return MEMBER_ROLE_ACTIVE;
        if (strv_contains(l, "spare"))
                return slot >= 0 ? MEMBER_ROLE_REBUILDING : MEMBER_ROLE_SPARE;
        return MEMBER_ROLE_UNKNOWN;
}

static bool all_hex(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isxdigit((unsigned char) *s))
                        return false;
        return true;
}

static char *lowercase(char *s) {
        for (char *p = s; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        return s;
}

int wwn_normalize(const char *s, char **ret) {
        _cleanup_free_ char *t = NULL;
        const char *v;
        char *st;

        if (isempty(s))
                return -EINVAL;
        t = strdup(s);
        if (!t)
                return -ENOMEM;
        st = lowercase(strstrip(t));

        if ((v = startswith(st, "naa.")) || (v = startswith(st, "0x"))) {
                char *r;

                if (!all_hex(v))
                        return -EINVAL;
                if (asprintf(&r, "0x%s", v) < 0)
                        return -ENOMEM;
                *ret = r;
                return 0;
        }
        if (startswith(st, "eui.") || startswith(st, "nvme.") || startswith(st, "uuid.")) {
                if (strpbrk(st, " \t"))
                        return -EINVAL;
                *ret = strdup(st);
                return *ret ? 0 : -ENOMEM;
        }
        return -EINVAL;
}

char *ci_id_escape(const char *prefix, const char *a, const char *b) {
        char *s;

        if (asprintf(&s, "%s%s%s%s", prefix, a, b ? "_" : "", strempty(b)) < 0)
                return NULL;
        /* White space and '/' inside ids would make them awkward on a
         * command line and in D-Bus object paths (which escape them anyway). */
        for (char *p = s; *p; p++)
                if (isspace((unsigned char) *p) || *p == '/' || !isprint((unsigned char) *p))
                        *p = '_';
        return s;
}

int ci_make_disk_id(const char *wwn, const char *model, const char *serial, const char *by_path, char **ret) {
        char *s;

        if (!isempty(wwn))
                s = ci_id_escape("wwn-", wwn, NULL);
        else if (!isempty(serial))
                s = ci_id_escape("serial-", isempty(model) ? "unknown" : model, serial);
        else if (!isempty(by_path))
                s = ci_id_escape("path-", by_path, NULL);
        else
                return -EINVAL;
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int ci_make_path_id(Ci *c) {
        char *id;

        assert(c->id);
        if (c->lun_id)
                return 0;
        if (asprintf(&id, "%s@%s", c->id, c->by_path ?: strempty(c->name)) < 0)
                return -ENOMEM;
        c->lun_id = c->id;
        c->id = id;
        return 1;
}

int ata_id_string(const uint8_t *identify, size_t size, size_t word, size_t n_words, char **ret) {
        _cleanup_free_ char *s = NULL;
        size_t k = 0;

        if (word + n_words > size / 2)
                return -EINVAL;
        s = new(char, n_words * 2 + 1);
        if (!s)
                return -ENOMEM;
        /* ATA strings hold two characters per 16-bit little-endian word,
         * the first in the high byte (ACS-3 3.4.9). */
        for (size_t w = word; w < word + n_words; w++) {
                unsigned char hi = identify[2 * w + 1], lo = identify[2 * w];
                s[k++] = (hi >= 0x20 && hi < 0x7f) ? (char) hi : ' ';
                s[k++] = (lo >= 0x20 && lo < 0x7f) ? (char) lo : ' ';
        }
        s[k] = '\0';
        *ret = strdup(strstrip(s));
        return *ret ? 0 : -ENOMEM;
}
