/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The engines' state behind the opaque Diagnosis, shared by diagnosis.c
 * (the rules) and diagnosis-snapshot.c (saving and restoring it).  Nothing
 * else includes this.
 */

#include "diagnosis.h"
#include "hashmap.h"

#define NODE_RECENT 16

typedef struct Node Node;
struct Node {
        char *id, *name;
        CiType type;
        Node *controller;
        bool in_array, is_path;
        Node **children; /* controllers: the disks/paths behind them */
        size_t n_children, n_children_allocated;

        SerdEngine media, transport, link, precursor, controller_serd, path_flap;
        usec_t last_transport_usec;
        bool has_transport;
        bool open[_FAULT_CLASS_MAX];

        Fault *pending; /* a disk-level fault held back for correlation */
        bool path_failed;
        usec_t path_failed_since;

        Ereport recent[NODE_RECENT]; /* ring of recent evidence */
        size_t n_recent, recent_head;
        uint64_t n_total;
};

struct Diagnosis {
        DiagParams p;
        DiagLookup lookup;
        void *lookup_userdata;
        FaultSink sink;
        void *sink_userdata;
        Hashmap *nodes; /* id -> Node */
        uint64_t unresolved;
};

/* node_get() - the node of CI id, created (with fresh engines) if new.
 * Return: the node, NULL on -ENOMEM. */
Node *node_get(Diagnosis *d, const char *id, const char *name, CiType type);
Node *node_free(Node *n);
/* node_add_child() - c is the controller of child.  Return: 0, -ENOMEM. */
int node_add_child(Node *c, Node *child);
