/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The few macros every storguard file uses: attributes, array sizes and the
 * cleanup-attribute ownership helpers (after systemd's macro.h, the model
 * named in STYLE.md).
 */

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _fallthrough_ __attribute__((fallthrough))
#define _pure_ __attribute__((pure))
#define _const_ __attribute__((const))
#define _noreturn_ __attribute__((noreturn))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))
#define _likely_(x) (__builtin_expect(!!(x), 1))
#define _unlikely_(x) (__builtin_expect(!!(x), 0))

#define ELEMENTSOF(x)                                                                      \
        (__builtin_choose_expr(                                                            \
                !__builtin_types_compatible_p(typeof(x), typeof(&*(x))),                   \
                sizeof(x) / sizeof((x)[0]),                                                \
                (void) 0))

/* glib (pulled in by umockdev in tests) defines the same two. */
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif
#define DIV_ROUND_UP(x, y) (((x) + (y) - 1) / (y))

/* Hand a pointer on: returns it and clears the variable, so the cleanup
 * handler of the giver does nothing. */
#define TAKE_PTR(p)                                                                        \
        ({                                                                                 \
                typeof(p) *_pp_ = &(p);                                                    \
                typeof(p) _ptr_ = *_pp_;                                                   \
                *_pp_ = NULL;                                                              \
                _ptr_;                                                                     \
        })

#define TAKE_FD(fd)                                                                        \
        ({                                                                                 \
                int *_fdp_ = &(fd);                                                        \
                int _fd_ = *_fdp_;                                                         \
                *_fdp_ = -EBADF;                                                           \
                _fd_;                                                                      \
        })

/* Defines foop(T **p) that calls func(*p) when *p is non-NULL, for use with
 * _cleanup_(foop). */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                            \
        static inline void func##p(type *p) {                                              \
                if (*p)                                                                    \
                        func(*p);                                                          \
        }

/* Same, for destructors that return NULL (our convention): *p is reset. */
#define DEFINE_POINTER_CLEANUP_FUNC(type, func)                                            \
        static inline void func##p(type **p) {                                             \
                if (*p)                                                                    \
                        *p = func(*p);                                                     \
        }

/* -errno or errno as a positive value, for strerror and %m. */
#define ERRNO_VALUE(r) ((r) < 0 ? -(r) : (r)) /* not abs(): the static analyser sees through this */

#define assert_return(expr, r)                                                             \
        do {                                                                               \
                if (!(expr))                                                               \
                        return (r);                                                        \
        } while (0)
