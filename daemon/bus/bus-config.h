/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* [Bus] in storguard.conf(5). */

#include "conf-parser.h"

typedef struct BusConfig {
        char *privileged_group; /* [Bus] PrivilegedGroup=: members may call the methods that change state; NULL: root only */
} BusConfig;

extern const ConfigTableItem bus_config_items[];

void bus_config_init(BusConfig *c);
void bus_config_done(BusConfig *c);
