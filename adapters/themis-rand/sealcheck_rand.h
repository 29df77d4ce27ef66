/* Injected randomness for the native Themis adapters (see README.md beside this file).
 *
 * The Themis core draws every random byte through OpenSSL's RAND_bytes. For one call, this
 * installs an OpenSSL RAND method that serves the values a request injects, in the order the
 * core draws them, and checks that the core asked for exactly those sizes in exactly that
 * order. Draws of other sizes (e.g. the coordinate blinding OpenSSL does inside ECDH on some
 * curves) are not part of the output and are served from the operating system.
 */
#ifndef SEALCHECK_RAND_H
#define SEALCHECK_RAND_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Installs the method. `values` holds `count` values back to back, value i being sizes[i]
 * bytes long, in the order the core is expected to draw them. Returns 0, or -1 if a previous
 * injection is still installed, the values are too many or too long, or OpenSSL refuses the
 * method. */
int sealcheck_rand_begin(const unsigned char* values, const size_t* sizes, size_t count);

/* Restores OpenSSL's own method. Returns 0 if every value was drawn exactly once, in order,
 * and nothing else of an injected size was asked for; -1 if some values were never drawn (a
 * call the core rejected before drawing); -2 if the core asked for a draw out of order, which
 * the method refused (the call's failure is then ours, not the core's). The reason is written
 * to `why` (NUL-terminated, at most why_len bytes); on success, a short account of the draws. */
int sealcheck_rand_end(char* why, size_t why_len);

/* OpenSSL's version text as the library in this process reports it (OpenSSL_version). */
const char* sealcheck_openssl_version(void);

#ifdef __cplusplus
}
#endif

#endif
