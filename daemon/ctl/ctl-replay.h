/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* verb_replay() - storguardctl replay [--csv] [--split=all|held-out|tuning]
 * [--summary-only] FILE.csv...  (see ctl-replay.c).
 * argv[0] is "replay".  Return: 0 or -errno (logged). */
int verb_replay(int argc, char *argv[]);
