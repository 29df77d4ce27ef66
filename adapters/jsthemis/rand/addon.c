/* Node-API addon giving adapter.js the shared injected-randomness method
 * (adapters/themis-rand). Its OpenSSL calls bind where the core's do: inside Node, both
 * resolve to the OpenSSL that the node executable exports (see README.md). */
#include <node_api.h>
#include <string.h>

#include "../../themis-rand/sealcheck_rand.c"

#define CHECK(call)                                                                    \
    do {                                                                               \
        if ((call) != napi_ok) {                                                       \
            napi_throw_error(env, NULL, "sealcheck_rand: N-API call failed: " #call); \
            return NULL;                                                               \
        }                                                                              \
    } while (0)

/* begin(values: Buffer[]) -> undefined; throws if the method cannot be installed. */
static napi_value begin(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value argv[1];
    CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    uint32_t count = 0;
    CHECK(napi_get_array_length(env, argv[0], &count));
    unsigned char bytes[MAX_BYTES];
    size_t sizes[MAX_VALUES];
    size_t total = 0;
    if (count > MAX_VALUES) {
        napi_throw_error(env, NULL, "sealcheck_rand: too many values");
        return NULL;
    }
    for (uint32_t i = 0; i < count; i++) {
        napi_value item;
        void* data = NULL;
        size_t len = 0;
        CHECK(napi_get_element(env, argv[0], i, &item));
        CHECK(napi_get_buffer_info(env, item, &data, &len));
        if (len > MAX_BYTES - total) {
            napi_throw_error(env, NULL, "sealcheck_rand: values too long");
            return NULL;
        }
        memcpy(bytes + total, data, len);
        sizes[i] = len;
        total += len;
    }
    if (sealcheck_rand_begin(bytes, sizes, count) != 0) {
        napi_throw_error(env, NULL, "sealcheck_rand: cannot install the method");
        return NULL;
    }
    return NULL;
}

/* end() -> {rc: 0 | -1 | -2, why: string} (see sealcheck_rand.h). */
static napi_value end(napi_env env, napi_callback_info info)
{
    (void)info;
    char why[256];
    int rc = sealcheck_rand_end(why, sizeof(why));
    napi_value out, v_rc, v_why;
    CHECK(napi_create_object(env, &out));
    CHECK(napi_create_int32(env, rc, &v_rc));
    CHECK(napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &v_why));
    CHECK(napi_set_named_property(env, out, "rc", v_rc));
    CHECK(napi_set_named_property(env, out, "why", v_why));
    return out;
}

static napi_value openssl_version(napi_env env, napi_callback_info info)
{
    (void)info;
    napi_value out;
    CHECK(napi_create_string_utf8(env, sealcheck_openssl_version(), NAPI_AUTO_LENGTH, &out));
    return out;
}

static napi_value init(napi_env env, napi_value exports)
{
    napi_property_descriptor props[] = {
        {"begin", NULL, begin, NULL, NULL, NULL, napi_default, NULL},
        {"end", NULL, end, NULL, NULL, NULL, napi_default, NULL},
        {"opensslVersion", NULL, openssl_version, NULL, NULL, NULL, napi_default, NULL},
    };
    CHECK(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
    return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
