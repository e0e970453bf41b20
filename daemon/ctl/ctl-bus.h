/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* storguardctl's verbs that talk to storguardd over D-Bus (ctl-bus.c). */

#include <stdbool.h>

/* Exit codes a script can rely on (storguardctl(1), EXIT STATUS). */
enum {
        CTL_EXIT_OK = 0,
        CTL_EXIT_ERROR = 1,     /* the command failed; a message says why */
        CTL_EXIT_USAGE = 2,     /* wrong command line */
        CTL_EXIT_UNHEALTHY = 3, /* status: the host is degraded or critical */
};

typedef struct CtlBusArgs {
        const char *bus_address; /* NULL: the system bus */
        bool json;
        bool all;
        unsigned priority;       /* --priority=N: 1..5; 0: any */
        const char *who, *comment, *reason;
} CtlBusArgs;

/* ctl_bus_is_verb() - whether @verb is one of the D-Bus verbs. */
bool ctl_bus_is_verb(const char *verb);

/* ctl_bus_run() - run @verb with its @n_args positional arguments.
 * Return: an exit code (CTL_EXIT_*). */
int ctl_bus_run(const char *verb, char **args, int n_args, const CtlBusArgs *a);
