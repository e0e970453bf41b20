/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "hashmap.h"
#include "inventory.h"
#include "log.h"
#include "string-util.h"

struct Inventory {
        Hashmap *by_id;      /* owns the Ci objects; key: Ci.id */
        Hashmap *by_syspath; /* present CIs; key: Ci.syspath */
        Hashmap *by_name;    /* present CIs; key: Ci.name */
        Hashmap *by_lun;     /* present multipath paths; key: Ci.lun_id (one of them) */
        /* Diagnosis asks "which array / map holds this disk" for every
         * ereport: these answer it without walking the inventory (issue 11). */
        Hashmap *by_member;  /* present arrays; key: a member's name and its disk_name */
        Hashmap *by_path;    /* present multipath maps; key: a path's name */
};

static void unindex_member(Hashmap *h, const char *name, const Ci *c) {
        if (name && hashmap_get(h, name) == c)
                hashmap_remove(h, name);
}

static int index_member(Hashmap *h, const char *name, Ci *c) {
        return name ? hashmap_replace(h, name, c) : 0;
}

Inventory *inventory_new(void) {
        _cleanup_(inventory_freep) Inventory *inv = new0(Inventory, 1);

        if (!inv)
                return NULL;
        inv->by_id = hashmap_new();
        inv->by_syspath = hashmap_new();
        inv->by_name = hashmap_new();
        inv->by_lun = hashmap_new();
        inv->by_member = hashmap_new();
        inv->by_path = hashmap_new();
        if (!inv->by_id || !inv->by_syspath || !inv->by_name || !inv->by_lun || !inv->by_member || !inv->by_path)
                return NULL;
        return TAKE_PTR(inv);
}

Inventory *inventory_free(Inventory *inv) {
        Ci *c;

        if (!inv)
                return NULL;
        HASHMAP_FOREACH(c, inv->by_id)
                ci_free(c);
        hashmap_free(inv->by_id);
        hashmap_free(inv->by_syspath);
        hashmap_free(inv->by_name);
        hashmap_free(inv->by_lun);
        hashmap_free(inv->by_member);
        hashmap_free(inv->by_path);
        return mfree(inv);
}

/* Drop c from the lookup tables of present CIs (only where it is the one
 * registered: a newer CI may already own that syspath or name). */
static void unindex_present(Inventory *inv, Ci *c) {
        if (c->syspath && hashmap_get(inv->by_syspath, c->syspath) == c)
                hashmap_remove(inv->by_syspath, c->syspath);
        if (c->name && hashmap_get(inv->by_name, c->name) == c)
                hashmap_remove(inv->by_name, c->name);
        if (c->type == CI_ARRAY)
                for (size_t k = 0; k < c->n_members; k++) {
                        unindex_member(inv->by_member, c->members[k].name, c);
                        unindex_member(inv->by_member, c->members[k].disk_name, c);
                }
        if (c->type == CI_MULTIPATH)
                for (size_t k = 0; k < c->n_paths; k++)
                        unindex_member(inv->by_path, c->paths[k].name, c);
        if (c->lun_id && hashmap_get(inv->by_lun, c->lun_id) == c) {
                Ci *other;

                hashmap_remove(inv->by_lun, c->lun_id);
                /* Keep the LUN findable through another present path.  This
                 * walk happens only when a path goes away. */
                HASHMAP_FOREACH(other, inv->by_syspath)
                        if (other != c && streq_ptr(other->lun_id, c->lun_id)) {
                                (void) hashmap_replace(inv->by_lun, other->lun_id, other);
                                break;
                        }
        }
}

static int index_present(Inventory *inv, Ci *c) {
        int r;

        if (c->syspath) {
                r = hashmap_replace(inv->by_syspath, c->syspath, c);
                if (r < 0)
                        return r;
        }
        if (c->name) {
                r = hashmap_replace(inv->by_name, c->name, c);
                if (r < 0)
                        return r;
        }
        if (c->lun_id) {
                r = hashmap_replace(inv->by_lun, c->lun_id, c);
                if (r < 0)
                        return r;
        }
        if (c->type == CI_ARRAY)
                for (size_t k = 0; k < c->n_members; k++) {
                        r = index_member(inv->by_member, c->members[k].name, c);
                        if (r >= 0)
                                r = index_member(inv->by_member, c->members[k].disk_name, c);
                        if (r < 0)
                                return r;
                }
        if (c->type == CI_MULTIPATH)
                for (size_t k = 0; k < c->n_paths; k++) {
                        r = index_member(inv->by_path, c->paths[k].name, c);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static void mark_removed(Inventory *inv, Ci *c, usec_t now) {
        unindex_present(inv, c);
        c->state = CI_STATE_REMOVED;
        c->removed_at = now;
}

static int rekey_as_path(Inventory *inv, Ci *old) {
        int r;

        unindex_present(inv, old);
        hashmap_remove(inv->by_id, old->id);
        r = ci_make_path_id(old);
        if (r >= 0)
                r = index_present(inv, old);
        if (r < 0) {
                (void) hashmap_put(inv->by_id, old->id, old);
                return r;
        }
        return hashmap_put(inv->by_id, old->id, old);
}

int inventory_update(Inventory *inv, Ci *c, usec_t now, Ci **ret_ci) {
        _cleanup_(ci_freep) Ci *new_ci = c;
        Ci *old, *at_syspath;
        int r, change;

        assert(inv);
        assert(c);
        assert(c->id);

        old = hashmap_get(inv->by_id, new_ci->id);

        /* Two present disks, one id, two sysfs paths: paths to one LUN. */
        if (old && new_ci->type == CI_DISK && old->state == CI_STATE_PRESENT && old->syspath &&
            new_ci->syspath && !streq(old->syspath, new_ci->syspath)) {
                log_debug("Disks '%s' and '%s' share the id '%s': treating them as paths to one LUN.",
                          old->name, new_ci->name, new_ci->id);
                r = rekey_as_path(inv, old);
                if (r < 0)
                        return r;
                r = ci_make_path_id(new_ci);
                if (r < 0)
                        return r;
                old = hashmap_get(inv->by_id, new_ci->id);
        } else if (!old && new_ci->type == CI_DISK && !new_ci->lun_id) {
                /* A LUN already known through paths: this is one more path. */
                if (hashmap_get(inv->by_lun, new_ci->id)) {
                        r = ci_make_path_id(new_ci);
                        if (r < 0)
                                return r;
                }
                old = hashmap_get(inv->by_id, new_ci->id);
        }

        /* Whoever held this sysfs path before under another id is gone. */
        at_syspath = new_ci->syspath ? hashmap_get(inv->by_syspath, new_ci->syspath) : NULL;
        if (at_syspath && at_syspath != old) {
                log_debug("'%s' now holds '%s', which was '%s' before: marking that one removed.",
                          new_ci->id, new_ci->syspath, at_syspath->id);
                mark_removed(inv, at_syspath, now);
        }

        if (!old) {
                new_ci->state = CI_STATE_PRESENT;
                new_ci->first_seen = now;
                new_ci->last_seen = now;
                r = hashmap_put(inv->by_id, new_ci->id, new_ci);
                if (r < 0)
                        return r;
                old = TAKE_PTR(new_ci);
                r = index_present(inv, old);
                if (r < 0)
                        return r;
                change = INVENTORY_ADDED;
        } else {
                if (old->state == CI_STATE_REMOVED)
                        change = INVENTORY_REAPPEARED;
                else if (!ci_same_contents(old, new_ci))
                        change = INVENTORY_CHANGED;
                else
                        change = INVENTORY_UNCHANGED;

                unindex_present(inv, old);
                ci_move_contents(old, new_ci);
                old->state = CI_STATE_PRESENT;
                old->removed_at = 0;
                old->last_seen = now;
                r = index_present(inv, old);
                if (r < 0)
                        return r;
        }

        if (ret_ci)
                *ret_ci = old;
        return change;
}

int inventory_mark_removed(Inventory *inv, const char *syspath, usec_t now, Ci **ret_ci) {
        Ci *c;

        assert(inv);
        assert(syspath);

        c = hashmap_get(inv->by_syspath, syspath);
        if (!c)
                return INVENTORY_UNCHANGED;
        mark_removed(inv, c, now);
        if (ret_ci)
                *ret_ci = c;
        return INVENTORY_REMOVED;
}

Ci *inventory_get(const Inventory *inv, const char *id) {
        return hashmap_get(inv->by_id, id);
}

Ci *inventory_get_by_syspath(const Inventory *inv, const char *syspath) {
        return hashmap_get(inv->by_syspath, syspath);
}

Ci *inventory_get_by_name(const Inventory *inv, const char *name) {
        return hashmap_get(inv->by_name, name);
}

size_t inventory_size(const Inventory *inv) {
        return hashmap_size(inv->by_id);
}

/* Kernel names in the order people expect: sdb < sdaa (the letters count
 * like digits of a number), nvme2n1 < nvme10n1, md9 < md127. */
static int kernel_name_compare(const char *a, const char *b) {
        size_t la = 0, lb = 0;
        int r;

        while (isalpha((unsigned char) a[la]))
                la++;
        while (isalpha((unsigned char) b[lb]))
                lb++;
        if (la != lb)
                return la < lb ? -1 : 1;
        r = strncmp(a, b, la);
        if (r != 0)
                return r;
        return strverscmp(a + la, b + lb);
}

static int ci_compare(const void *a, const void *b) {
        const Ci *x = *(Ci *const *) a, *y = *(Ci *const *) b;
        int r;

        if (x->type != y->type)
                return x->type < y->type ? -1 : 1;
        if (x->state != y->state)
                return x->state < y->state ? -1 : 1;
        r = kernel_name_compare(strempty(x->name), strempty(y->name));
        if (r != 0)
                return r;
        return strcmp(x->id, y->id);
}

int inventory_list_unsorted(const Inventory *inv, Ci ***ret) {
        size_t n = 0;
        Ci **l, *c;

        l = new(Ci *, hashmap_size(inv->by_id) + 1);
        if (!l)
                return -ENOMEM;
        HASHMAP_FOREACH(c, inv->by_id)
                l[n++] = c;
        l[n] = NULL;
        *ret = l;
        return (int) n;
}

int inventory_list(const Inventory *inv, Ci ***ret) {
        int n = inventory_list_unsorted(inv, ret);

        if (n > 1)
                qsort(*ret, (size_t) n, sizeof(Ci *), ci_compare);
        return n;
}

Ci *inventory_find_container(const Inventory *inv, const char *name, CiType type) {
        Ci *c;

        if (!name || (type != CI_ARRAY && type != CI_MULTIPATH))
                return NULL;
        /* The newest container indexed under this name wins (a name reused
         * after a hot swap). */
        c = hashmap_get(type == CI_ARRAY ? inv->by_member : inv->by_path, name);
        return c && c->type == type && c->state == CI_STATE_PRESENT ? c : NULL;
}

Ci *inventory_controller_of(const Inventory *inv, const Ci *disk) {
        return disk->controller_id ? inventory_get(inv, disk->controller_id) : NULL;
}

Ci *inventory_pci_of(const Inventory *inv, const Ci *controller) {
        return controller->pci_id ? inventory_get(inv, controller->pci_id) : NULL;
}

Ci *inventory_disk_of_name(const Inventory *inv, const char *name) {
        Ci *c = name ? inventory_get_by_name(inv, name) : NULL;

        return c && c->type == CI_DISK ? c : NULL;
}
