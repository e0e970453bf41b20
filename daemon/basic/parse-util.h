/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Strict number parsers: the whole string (trailing white space or newline
 * allowed, as sysfs files end in one) must be a number in range.
 * Return: 0 with *ret set, -EINVAL for garbage, -ERANGE when out of range. */
int safe_atou64(const char *s, uint64_t *ret);
int safe_atoi64(const char *s, int64_t *ret);
int safe_atou(const char *s, unsigned *ret);
int safe_atoi(const char *s, int *ret);

/* parse_boolean() - "1/yes/y/true/t/on" and "0/no/n/false/f/off".
 * Return: 1 or 0, or -EINVAL. */
int parse_boolean(const char *s);
