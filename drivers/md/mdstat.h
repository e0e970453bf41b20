/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * /proc/mdstat, as far as the md event watch needs it: which arrays'
 * entries differ between two reads.  md wakes /proc/mdstat pollers on any
 * array's event (drivers/md/md.c: md_new_event()); the entries that changed
 * say which arrays to re-read, instead of all of them.
 *
 * An entry (drivers/md/md.c: md_seq_show()) is the line "NAME : ..." and
 * the lines after it up to the next blank line:
 *
 *   md0 : active raid1 sdg[0](F) sdc[1](W)
 *         61440 blocks super 1.2 [2/1] [_U]
 *         <blank>
 *
 * "Personalities :" and "unused devices:" are not arrays.  Not every state
 * change shows here (md_seq_show() prints no "broken"): a caller woken for
 * an event with no entry changed must not conclude that nothing did.
 */

/* mdstat_changed() - the names of the arrays whose entries differ between
 * @before and @after (appeared, gone or changed), in @after's order, then
 * the gone ones.  Either text may be NULL (no read yet, or no file).
 * Return: the number of names (>= 0) with *ret_names a NULL-terminated
 * list (empty when none changed), or -ENOMEM. */
int mdstat_changed(const char *before, const char *after, char ***ret_names);
