/* Injected randomness for the native Themis adapters: an OpenSSL RAND method that serves
 * given values to the Themis core for one call. See sealcheck_rand.h and README.md. */
/* RAND_METHOD is deprecated in OpenSSL 3.0 but still honoured by RAND_bytes; it is the one
 * hook that works the same on 1.1.1 and 3.x. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "sealcheck_rand.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <openssl/rand.h>

/* The largest injection is an RSA message: secret 70, OAEP seed 20, IV 12. */
#define MAX_VALUES 8
#define MAX_BYTES 512

static struct {
    int active;
    const RAND_METHOD* saved;
    unsigned char bytes[MAX_BYTES];
    size_t sizes[MAX_VALUES];
    size_t offsets[MAX_VALUES];
    size_t count;
    size_t next;
    size_t passed_through;
    char error[256];
} st;

static int is_injected_size(size_t n)
{
    for (size_t i = 0; i < st.count; i++) {
        if (st.sizes[i] == n) {
            return 1;
        }
    }
    return 0;
}

static int os_random(unsigned char* buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t got = getrandom(buf + done, n - done, 0);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 0;
        }
        done += (size_t)got;
    }
    return 1;
}

static int inject_bytes(unsigned char* buf, int num)
{
    if (num < 0) {
        return 0;
    }
    size_t n = (size_t)num;
    if (st.error[0] != '\0') {
        /* Once the order is broken, refuse everything: the call must fail. */
        return 0;
    }
    if (st.next < st.count && st.sizes[st.next] == n) {
        memcpy(buf, st.bytes + st.offsets[st.next], n);
        st.next++;
        return 1;
    }
    if (is_injected_size(n)) {
        if (st.next < st.count) {
            snprintf(st.error, sizeof(st.error),
                     "the core drew %zu bytes where value %zu of %zu (%zu bytes) was due", n,
                     st.next + 1, st.count, st.sizes[st.next]);
        } else {
            snprintf(st.error, sizeof(st.error),
                     "the core drew %zu bytes after all %zu injected values were used", n, st.count);
        }
        memset(buf, 0, n);
        return 0;
    }
    st.passed_through++;
    return os_random(buf, n);
}

#if OPENSSL_VERSION_NUMBER >= 0x10100000L
static int inject_seed(const void* buf, int num)
{
    (void)buf;
    (void)num;
    return 1;
}
#else
static void inject_seed(const void* buf, int num)
{
    (void)buf;
    (void)num;
}
#endif

static int inject_add(const void* buf, int num, double entropy)
{
    (void)buf;
    (void)num;
    (void)entropy;
    return 1;
}

static int inject_status(void)
{
    return 1;
}

static RAND_METHOD inject_method = {
    inject_seed, inject_bytes, NULL, inject_add, inject_bytes, inject_status,
};

int sealcheck_rand_begin(const unsigned char* values, const size_t* sizes, size_t count)
{
    if (st.active || count > MAX_VALUES) {
        return -1;
    }
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        if (sizes[i] == 0 || sizes[i] > MAX_BYTES - total) {
            return -1;
        }
        st.offsets[i] = total;
        st.sizes[i] = sizes[i];
        total += sizes[i];
    }
    if (total > 0) {
        memcpy(st.bytes, values, total);
    }
    st.count = count;
    st.next = 0;
    st.passed_through = 0;
    st.error[0] = '\0';
    st.saved = RAND_get_rand_method();
    if (RAND_set_rand_method(&inject_method) != 1) {
        return -1;
    }
    st.active = 1;
    return 0;
}

int sealcheck_rand_end(char* why, size_t why_len)
{
    if (!st.active) {
        snprintf(why, why_len, "no injection was installed");
        return -1;
    }
    RAND_set_rand_method(st.saved);
    st.active = 0;
    memset(st.bytes, 0, sizeof(st.bytes));
    if (st.error[0] != '\0') {
        snprintf(why, why_len, "%s", st.error);
        return -2;
    }
    if (st.next != st.count) {
        snprintf(why, why_len, "the core drew %zu of the %zu injected values", st.next, st.count);
        return -1;
    }
    snprintf(why, why_len, "%zu injected values drawn in order, %zu other draws from the OS",
             st.count, st.passed_through);
    return 0;
}

const char* sealcheck_openssl_version(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x10100000L
    return OpenSSL_version(OPENSSL_VERSION);
#else
    return SSLeay_version(SSLEAY_VERSION);
#endif
}
